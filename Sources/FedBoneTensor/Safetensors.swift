import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the [safetensors](https://github.com/huggingface/safetensors) format, the
/// checkpoint format of Hugging Face and timm.
///
/// A file is: an 8-byte little-endian unsigned header length `n`; `n` bytes of UTF-8 JSON
/// mapping each tensor name to `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}`
/// (offsets relative to the byte buffer), plus an optional `"__metadata__"` map of strings;
/// then the byte buffer, where the tensors lie contiguously in little-endian row-major order.
///
/// Reading accepts the dtypes of ``SafetensorsDType`` and converts them to `Float`; it checks
/// the whole header before converting anything and reports a ``SafetensorsError`` naming the
/// file and tensor. Writing produces `F32` tensors sorted by name, with the header padded by
/// spaces to a multiple of 8 bytes, as the reference implementation does.
///
/// ```swift
/// try Safetensors.write(model.stateDict(), metadata: ["format": "pt"], to: url)
/// let tensors = try Safetensors.read(contentsOf: url)
/// ```
public enum Safetensors {
    /// The largest header length accepted (100 MB); a larger value means the file is not
    /// safetensors (or is corrupt).
    public static let maximumHeaderLength = 100_000_000

    /// The tensors of a safetensors file, converted to `Float`.
    /// - Throws: ``SafetensorsError`` naming the file and what is wrong.
    public static func read(contentsOf url: URL) throws -> [String: Tensor] {
        try readWithMetadata(contentsOf: url).tensors
    }

    /// The tensors of a safetensors file and its `__metadata__` map (empty when absent).
    /// - Throws: ``SafetensorsError`` naming the file and what is wrong.
    public static func readWithMetadata(contentsOf url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let source = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw SafetensorsError.fileNotFound(source: source)
        }
        guard !isDirectory.boolValue else {
            throw SafetensorsError.unreadable(source: source, reason: "it is a directory")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafetensorsError.unreadable(source: source, reason: "\(error)")
        }
        return try decode(data, source: source)
    }

    /// Writes `tensors` as `F32` with optional string metadata. The file is written to a
    /// temporary file in the same folder and renamed into place, so a reader never sees a
    /// partial file and an existing file is replaced only by a complete one.
    /// - Throws: ``SafetensorsError/reservedName(source:)`` for a tensor named `__metadata__`,
    ///   ``SafetensorsError/writeFailed(source:reason:)`` when the file cannot be written.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        try write(arrays: tensors.mapValues { ($0.shape, .f32($0.scalars)) }, metadata: metadata, to: url)
    }

    /// ``write(_:metadata:to:)`` for arrays stored in compact element types (``Values``), e.g.
    /// the `U8` images and `I8` normals of dataset shards.
    public static func write(arrays: [String: (shape: [Int], values: Values)], metadata: [String: String] = [:],
                             to url: URL) throws {
        let data = try encode(arrays: arrays, metadata: metadata, source: url.path)
        try writeAtomically(data, to: url)
    }

    /// The bytes of a safetensors file holding `tensors` as `F32`: tensors and metadata keys
    /// sorted by their UTF-8 bytes, the compact JSON header padded with spaces to a multiple of
    /// 8 bytes. `__metadata__` is left out when `metadata` is empty.
    /// - Throws: ``SafetensorsError/reservedName(source:)`` for a tensor named `__metadata__`.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:],
                              source: String = "<in-memory safetensors>") throws -> Data {
        try encode(arrays: tensors.mapValues { ($0.shape, .f32($0.scalars)) }, metadata: metadata, source: source)
    }

    /// ``encode(_:metadata:source:)`` for arrays stored in compact element types.
    /// - Precondition: each array's count matches its shape.
    public static func encode(arrays: [String: (shape: [Int], values: Values)], metadata: [String: String] = [:],
                              source: String = "<in-memory safetensors>") throws -> Data {
        guard arrays["__metadata__"] == nil else { throw SafetensorsError.reservedName(source: source) }
        let byUTF8 = { (a: String, b: String) in a.utf8.lexicographicallyPrecedes(b.utf8) }
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { byUTF8($0.key, $1.key) }.map { jsonString($0.key) + ":" + jsonString($0.value) }
            entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        let sorted = arrays.sorted { byUTF8($0.key, $1.key) }
        var offset = 0
        for (name, array) in sorted {
            precondition(array.shape.reduce(1, *) == array.values.count,
                         "safetensors: \(name) has shape \(array.shape) but \(array.values.count) values")
            let end = offset + array.values.byteCount
            let shape = array.shape.map(String.init).joined(separator: ",")
            entries.append(jsonString(name) + ":{\"dtype\":\"\(array.values.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

        var data = Data(count: 8 + header.count + offset)
        data.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt64(header.count).littleEndian, toByteOffset: 0, as: UInt64.self)
            raw.baseAddress!.advanced(by: 8).copyMemory(from: header, byteCount: header.count)
            var position = 8 + header.count
            for (_, array) in sorted {
                array.values.store(into: raw, at: position)
                position += array.values.byteCount
            }
        }
        return data
    }

    /// An array's values in the element type they are written in.
    public enum Values: Sendable {
        case f32([Float])
        case u8([UInt8])
        case i8([Int8])

        /// The element type in the file.
        public var dtype: SafetensorsDType {
            switch self {
            case .f32: return .f32
            case .u8: return .u8
            case .i8: return .i8
            }
        }

        /// The number of elements.
        public var count: Int {
            switch self {
            case .f32(let v): return v.count
            case .u8(let v): return v.count
            case .i8(let v): return v.count
            }
        }

        var byteCount: Int { count * dtype.byteSize }

        private func copy(_ bytes: UnsafeRawBufferPointer, into raw: UnsafeMutableRawBufferPointer, at position: Int) {
            guard let source = bytes.baseAddress, let destination = raw.baseAddress else { return }
            destination.advanced(by: position).copyMemory(from: source, byteCount: bytes.count)
        }

        /// Stores the elements little-endian at byte `position` of `raw`.
        func store(into raw: UnsafeMutableRawBufferPointer, at position: Int) {
            switch self {
            case .f32(let values):
                for (i, value) in values.enumerated() {
                    raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: position + 4 * i, as: UInt32.self)
                }
            case .u8(let values):
                values.withUnsafeBytes { copy($0, into: raw, at: position) }
            case .i8(let values):
                values.withUnsafeBytes { copy($0, into: raw, at: position) }
            }
        }
    }

    /// The tensors and metadata held by the bytes of a safetensors file. `source` names the
    /// data in errors (``readWithMetadata(contentsOf:)`` passes the path).
    /// - Throws: ``SafetensorsError`` naming `source` and what is wrong.
    public static func decode(_ data: Data, source: String = "<in-memory safetensors>") throws
        -> (tensors: [String: Tensor], metadata: [String: String])
    {
        try data.withUnsafeBytes { raw in
            guard raw.count >= 8 else { throw SafetensorsError.tooShort(source: source, byteCount: raw.count) }
            let headerLength = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            guard headerLength <= UInt64(maximumHeaderLength) else {
                throw SafetensorsError.headerTooLarge(source: source, headerLength: headerLength, limit: maximumHeaderLength)
            }
            let bufferStart = 8 + Int(headerLength)
            guard bufferStart <= raw.count else {
                throw SafetensorsError.headerBeyondFile(source: source, headerLength: headerLength, fileLength: raw.count)
            }
            let header = try SafetensorsHeader(
                json: Data(UnsafeRawBufferPointer(rebasing: raw[8..<bufferStart])),
                bufferLength: raw.count - bufferStart, source: source)
            var tensors: [String: Tensor] = [:]
            for entry in header.entries {
                let bytes = UnsafeRawBufferPointer(rebasing: raw[(bufferStart + entry.begin)..<(bufferStart + entry.end)])
                let count = entry.shape.reduce(1, *)
                tensors[entry.name] = Tensor(uncheckedShape: entry.shape, scalars: entry.dtype.decode(bytes, count: count))
            }
            return (tensors, header.metadata)
        }
    }

    /// `text` as a JSON string literal, escaped as serde_json does: quote, backslash and the
    /// control characters below U+0020.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Writes `data` to a temporary file beside `url`, then renames it over `url`.
    private static func writeAtomically(_ data: Data, to url: URL) throws {
        let source = url.path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            throw SafetensorsError.writeFailed(source: source, reason: "\(error)")
        }
        let failure: String? = temporary.withUnsafeFileSystemRepresentation { from in
            url.withUnsafeFileSystemRepresentation { to in
                guard let from, let to else { return "the path cannot be represented in the file system" }
                return rename(from, to) == 0 ? nil : String(cString: strerror(errno))
            }
        }
        if let reason = failure {
            try? FileManager.default.removeItem(at: temporary)
            throw SafetensorsError.writeFailed(source: source, reason: "renaming the temporary file into place failed: \(reason)")
        }
    }
}
