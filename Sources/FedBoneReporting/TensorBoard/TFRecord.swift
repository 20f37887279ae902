/// The TFRecord container: a sequence of records, each framed as
///
///     uint64 length (little-endian)
///     uint32 masked CRC-32C of the 8 length bytes (little-endian)
///     length bytes of data
///     uint32 masked CRC-32C of the data (little-endian)
///
/// TensorBoard event files are TFRecord files whose records are serialized `Event` protobufs.
public enum TFRecord {
    /// Why a byte string is not a well-formed TFRecord stream.
    public enum FormatError: Error, Equatable, CustomStringConvertible {
        /// The stream ends inside the record that starts at `offset`.
        case truncated(offset: Int)
        /// The length's checksum of the record at `offset` does not match.
        case lengthChecksumMismatch(offset: Int, stored: UInt32, computed: UInt32)
        /// The data's checksum of the record at `offset` does not match.
        case dataChecksumMismatch(offset: Int, stored: UInt32, computed: UInt32)

        public var description: String {
            switch self {
            case let .truncated(offset):
                "TFRecord: stream ends inside the record at byte \(offset)"
            case let .lengthChecksumMismatch(offset, stored, computed):
                "TFRecord: length CRC mismatch at byte \(offset) (stored \(hex(stored)), computed \(hex(computed)))"
            case let .dataChecksumMismatch(offset, stored, computed):
                "TFRecord: data CRC mismatch at byte \(offset) (stored \(hex(stored)), computed \(hex(computed)))"
            }
        }

        private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
    }

    /// `data` framed as one record (`data.count + 16` bytes).
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = littleEndianBytes(UInt64(data.count))
        out += length
        out += littleEndianBytes(CRC32C.maskedChecksum(length))
        out += data
        out += littleEndianBytes(CRC32C.maskedChecksum(data))
        return out
    }

    /// The data of every record in `bytes`, checking both checksums of each.
    public static func records(in bytes: [UInt8]) throws(FormatError) -> [[UInt8]] {
        var records: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            let start = offset
            guard bytes.count - offset >= 12 else { throw .truncated(offset: start) }
            let lengthBytes = bytes[offset..<offset + 8]
            let length = readLittleEndian(UInt64.self, bytes, at: offset)
            let storedLengthCRC = readLittleEndian(UInt32.self, bytes, at: offset + 8)
            let lengthCRC = CRC32C.maskedChecksum(lengthBytes)
            guard storedLengthCRC == lengthCRC else {
                throw .lengthChecksumMismatch(offset: start, stored: storedLengthCRC, computed: lengthCRC)
            }
            offset += 12
            guard length <= UInt64(bytes.count - offset), bytes.count - offset - Int(length) >= 4 else {
                throw .truncated(offset: start)
            }
            let data = Array(bytes[offset..<offset + Int(length)])
            offset += Int(length)
            let storedDataCRC = readLittleEndian(UInt32.self, bytes, at: offset)
            let dataCRC = CRC32C.maskedChecksum(data)
            guard storedDataCRC == dataCRC else {
                throw .dataChecksumMismatch(offset: start, stored: storedDataCRC, computed: dataCRC)
            }
            offset += 4
            records.append(data)
        }
        return records
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    static func readLittleEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
        (0..<T.bitWidth / 8).reduce(T.zero) { value, i in value | T(bytes[offset + i]) << (i * 8) }
    }
}
