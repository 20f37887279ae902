/// The element type of a tensor on the wire (`fedbone.v1.DType`). All types are little-endian.
public enum WireDType: String, Sendable, CaseIterable, Codable {
    /// IEEE 754 binary32, 4 bytes per element; exact.
    case f32
    /// IEEE 754 binary16, 2 bytes per element; rounded to nearest even, overflow becomes ±∞.
    case f16
    /// bfloat16 (the top half of a binary32), 2 bytes per element; rounded to nearest even.
    case bf16

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        }
    }
}
