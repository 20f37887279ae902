/// Conversions from the 16-bit floating-point formats found in checkpoints to `Float`.
///
/// Both conversions are exact: every half and bfloat16 value is representable as a `Float`.
public enum HalfPrecision {
    /// The `Float` value of an IEEE 754 binary16 bit pattern (1 sign, 5 exponent, 10 mantissa
    /// bits, exponent bias 15).
    ///
    /// - Exponent 0: zero (signed) or a subnormal `mantissa · 2⁻²⁴`.
    /// - Exponent 31: infinity (mantissa 0) or NaN (the payload is kept in the top mantissa bits).
    /// - Otherwise: `(1 + mantissa / 2¹⁰) · 2^(exponent − 15)`.
    public static func float(fromHalfBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 127 - 15) << 23) | (mantissa << 13))
        }
    }

    /// The `Float` value of a bfloat16 bit pattern, which is the top 16 bits of a binary32.
    public static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
