import Foundation

/// Writes the safetensors files of dataset shards with compact dtypes (`U8`, `I8`, `F32`).
/// ``Safetensors/write(_:metadata:to:)`` writes only `F32`, which would make the shards 3–4×
/// larger; reading goes through ``Safetensors/read(contentsOf:)``, which checks the file and
/// converts every dtype.
enum ShardEncoding {
    /// One tensor's values in the dtype they are stored in.
    enum Values {
        case u8([UInt8])
        case i8([Int8])
        case f32([Float])

        var dtype: String {
            switch self {
            case .u8: return "U8"
            case .i8: return "I8"
            case .f32: return "F32"
            }
        }

        var byteCount: Int {
            switch self {
            case .u8(let v): return v.count
            case .i8(let v): return v.count
            case .f32(let v): return 4 * v.count
            }
        }

        func append(to data: inout Data) {
            switch self {
            case .u8(let v): data.append(contentsOf: v)
            case .i8(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
            case .f32(let v):
                var bytes = [UInt8](repeating: 0, count: 4 * v.count)
                for (i, x) in v.enumerated() {
                    let bits = x.bitPattern
                    bytes[4 * i] = UInt8(bits & 0xFF)
                    bytes[4 * i + 1] = UInt8((bits >> 8) & 0xFF)
                    bytes[4 * i + 2] = UInt8((bits >> 16) & 0xFF)
                    bytes[4 * i + 3] = UInt8(bits >> 24)
                }
                data.append(contentsOf: bytes)
            }
        }
    }

    /// The bytes of a safetensors file with `tensors` (name → shape and values), sorted by name,
    /// and string `metadata`; the header is padded with spaces to a multiple of 8 bytes.
    static func encode(_ tensors: [String: (shape: [Int], values: Values)], metadata: [String: String]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            guard let tensor = tensors[name] else { continue }
            header[name] = ["dtype": tensor.values.dtype, "shape": tensor.shape, "data_offsets": [offset, offset + tensor.values.byteCount]]
            offset += tensor.values.byteCount
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        var data = Data(capacity: 8 + json.count + offset)
        let length = UInt64(json.count)
        data.append(contentsOf: (0..<8).map { UInt8((length >> (8 * UInt64($0))) & 0xFF) })
        data.append(json)
        for name in names { tensors[name]?.values.append(to: &data) }
        return data
    }
}
