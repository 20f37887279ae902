/// The few pieces of the protobuf wire format that TensorBoard events need.
///
/// A field is a key varint `(fieldNumber << 3) | wireType` followed by its payload:
/// wire type 0 a varint, 1 eight little-endian bytes (double), 2 a varint length and that many
/// bytes (string, nested message), 5 four little-endian bytes (float).
enum WireType: UInt64 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// Appends protobuf fields to a byte buffer.
struct ProtobufEncoder {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func key(_ field: Int, _ wireType: WireType) {
        varint(UInt64(field) << 3 | wireType.rawValue)
    }

    /// An `int64` field: two's complement as a varint (negative values take ten bytes).
    mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        bytes += TFRecord.littleEndianBytes(value.bitPattern)
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        bytes += TFRecord.littleEndianBytes(value.bitPattern)
    }

    mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(payload.count))
        bytes += payload
    }

    mutating func string(_ field: Int, _ value: String) {
        lengthDelimited(field, Array(value.utf8))
    }
}

/// One decoded protobuf field.
enum ProtobufField {
    case varint(UInt64)
    case fixed64(UInt64)
    case lengthDelimited([UInt8])
    case fixed32(UInt32)
}

/// Why bytes are not a protobuf message of the fields we read.
public enum ProtobufDecodingError: Error, Equatable {
    /// The message ends inside a field that starts at `offset`.
    case truncated(offset: Int)
    /// A field at `offset` uses a wire type other than 0, 1, 2 or 5.
    case unsupportedWireType(UInt64, offset: Int)
    /// A field has the right number but the wrong wire type.
    case unexpectedWireType(field: Int)
    /// A string field is not UTF-8.
    case invalidUTF8(field: Int)
}

/// Splits a protobuf message into `(fieldNumber, field)` pairs, in order.
func decodeProtobufFields(_ bytes: [UInt8]) throws(ProtobufDecodingError) -> [(Int, ProtobufField)] {
    var fields: [(Int, ProtobufField)] = []
    var offset = 0

    func readVarint(start: Int) throws(ProtobufDecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count, shift < 64 else { throw .truncated(offset: start) }
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    func take(_ count: Int, start: Int) throws(ProtobufDecodingError) -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else { throw .truncated(offset: start) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    while offset < bytes.count {
        let start = offset
        let key = try readVarint(start: start)
        let field = Int(truncatingIfNeeded: key >> 3)
        switch key & 7 {
        case WireType.varint.rawValue:
            fields.append((field, .varint(try readVarint(start: start))))
        case WireType.fixed64.rawValue:
            let raw = try take(8, start: start)
            fields.append((field, .fixed64(TFRecord.readLittleEndian(UInt64.self, raw, at: 0))))
        case WireType.lengthDelimited.rawValue:
            let length = try readVarint(start: start)
            guard length <= UInt64(bytes.count) else { throw .truncated(offset: start) }
            fields.append((field, .lengthDelimited(try take(Int(length), start: start))))
        case WireType.fixed32.rawValue:
            let raw = try take(4, start: start)
            fields.append((field, .fixed32(TFRecord.readLittleEndian(UInt32.self, raw, at: 0))))
        default:
            throw .unsupportedWireType(key & 7, offset: start)
        }
    }
    return fields
}
