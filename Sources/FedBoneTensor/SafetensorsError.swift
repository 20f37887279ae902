/// What is wrong with a safetensors file, or why it could not be written. Every case names the
/// file (`source`: its path, or a label for in-memory data) and, where it applies, the tensor.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// No file at the path.
    case fileNotFound(source: String)
    /// The file exists but could not be read.
    case unreadable(source: String, reason: String)
    /// Fewer than the 8 bytes of the header length.
    case tooShort(source: String, byteCount: Int)
    /// The header length is larger than ``Safetensors/maximumHeaderLength``.
    case headerTooLarge(source: String, headerLength: UInt64, limit: Int)
    /// The header length runs past the end of the file.
    case headerBeyondFile(source: String, headerLength: UInt64, fileLength: Int)
    /// The header bytes are not JSON.
    case headerNotJSON(source: String)
    /// The header is JSON but not an object.
    case headerNotObject(source: String)
    /// `__metadata__` is not an object of strings.
    case invalidMetadata(source: String)
    /// A tensor entry lacks a field or has one of the wrong type.
    case invalidEntry(source: String, tensor: String, reason: String)
    /// A dtype this reader does not convert.
    case unsupportedDType(source: String, tensor: String, dtype: String)
    /// `data_offsets` spans a different number of bytes than the shape and dtype need.
    case byteCountMismatch(source: String, tensor: String, dtype: String, shape: [Int], expected: Int, actual: Int)
    /// `data_offsets` reaches past the end of the byte buffer.
    case offsetsOutOfBuffer(source: String, tensor: String, begin: Int, end: Int, bufferLength: Int)
    /// A tensor does not start where the previous one (in offset order) ends: the buffers overlap
    /// or leave a gap.
    case offsetsNotContiguous(source: String, tensor: String, begin: Int, expectedBegin: Int)
    /// The tensors cover only the first `covered` bytes of the buffer.
    case trailingBytes(source: String, covered: Int, bufferLength: Int)
    /// A tensor may not be named `__metadata__`.
    case reservedName(source: String)
    /// Writing the file failed.
    case writeFailed(source: String, reason: String)

    public var description: String {
        switch self {
        case let .fileNotFound(source):
            return "\(source): no such safetensors file"
        case let .unreadable(source, reason):
            return "\(source): could not read the file: \(reason)"
        case let .tooShort(source, byteCount):
            return "\(source): \(byteCount) bytes is too short for a safetensors file (it starts with an 8-byte header length)"
        case let .headerTooLarge(source, headerLength, limit):
            return "\(source): header length \(headerLength) exceeds the limit of \(limit) bytes; this is probably not a safetensors file"
        case let .headerBeyondFile(source, headerLength, fileLength):
            return "\(source): header length \(headerLength) runs past the end of the \(fileLength)-byte file; the file is truncated or not safetensors"
        case let .headerNotJSON(source):
            return "\(source): the header is not valid UTF-8 JSON"
        case let .headerNotObject(source):
            return "\(source): the header must be a JSON object mapping tensor names to entries"
        case let .invalidMetadata(source):
            return "\(source): __metadata__ must be an object whose values are all strings"
        case let .invalidEntry(source, tensor, reason):
            return "\(source): tensor '\(tensor)': \(reason)"
        case let .unsupportedDType(source, tensor, dtype):
            let known = SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(source): tensor '\(tensor)' has dtype '\(dtype)', which cannot be read (supported: \(known))"
        case let .byteCountMismatch(source, tensor, dtype, shape, expected, actual):
            return "\(source): tensor '\(tensor)' of shape \(shape) and dtype \(dtype) needs \(expected) bytes but data_offsets span \(actual)"
        case let .offsetsOutOfBuffer(source, tensor, begin, end, bufferLength):
            return "\(source): tensor '\(tensor)' data_offsets [\(begin), \(end)] reach past the \(bufferLength)-byte data buffer"
        case let .offsetsNotContiguous(source, tensor, begin, expectedBegin):
            let problem = begin < expectedBegin ? "overlaps the previous tensor" : "leaves a gap after the previous tensor"
            return "\(source): tensor '\(tensor)' starts at byte \(begin) but the previous tensor ends at byte \(expectedBegin): it \(problem)"
        case let .trailingBytes(source, covered, bufferLength):
            return "\(source): the tensors cover \(covered) of the \(bufferLength) data bytes; the rest belongs to no tensor"
        case let .reservedName(source):
            return "\(source): a tensor may not be named __metadata__ (the name is reserved for the metadata map)"
        case let .writeFailed(source, reason):
            return "\(source): could not write the file: \(reason)"
        }
    }
}
