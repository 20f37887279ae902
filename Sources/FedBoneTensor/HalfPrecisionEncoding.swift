/// Conversions from `Float` to the 16-bit formats, rounding to nearest with ties to even, beside
/// their inverses ``HalfPrecision/float(fromHalfBits:)`` and
/// ``HalfPrecision/float(fromBFloat16Bits:)``: a value that is exactly representable in the
/// 16-bit format survives the round trip unchanged.
extension HalfPrecision {
    /// The IEEE 754 binary16 bit pattern nearest to `value` (ties to even).
    ///
    /// Magnitudes at or above 65520 (halfway between the largest half, 65504, and 2¹⁶) become
    /// infinity; magnitudes below 2⁻²⁵ become a signed zero; NaN stays NaN (quiet).
    public static func halfBits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x007F_FFFF
        if exponent == 0xFF {
            // Infinity keeps mantissa 0; NaN gets the quiet bit so it cannot turn into infinity.
            return mantissa == 0 ? sign | 0x7C00 : sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        // Unbiased exponent; half normals cover −14...15.
        let unbiased = exponent - 127
        if unbiased > 15 { return sign | 0x7C00 }
        if unbiased >= -14 {
            // Normal half: keep 10 of the 23 mantissa bits, round the 13 dropped ones.
            let halfExponent = UInt32(unbiased + 15)
            let combined = (halfExponent << 10) | (mantissa >> 13)
            let rounded = combined + roundingIncrement(dropped: mantissa & 0x1FFF, width: 13, keptLSB: combined & 1)
            // A carry out of the mantissa correctly bumps the exponent, up to infinity (0x7C00).
            return sign | UInt16(rounded)
        }
        // Subnormal half (or zero): value = m · 2⁻²⁴ with m < 2¹⁰. The full significand with its
        // implicit bit is shifted right by 13 + (−14 − unbiased) bits.
        if exponent == 0 || unbiased < -25 { return sign }
        let significand = mantissa | 0x0080_0000
        let shift = UInt32(13 + (-14 - unbiased))
        let kept = significand >> shift
        let dropped = significand & ((1 << shift) - 1)
        let rounded = kept + roundingIncrement(dropped: dropped, width: shift, keptLSB: kept & 1)
        // Rounding up from the largest subnormal yields 0x0400, the smallest normal: correct.
        return sign | UInt16(rounded)
    }

    /// The bfloat16 bit pattern nearest to `value` (ties to even): the top 16 bits of the
    /// binary32 after rounding the low 16. Overflow becomes infinity; NaN stays NaN (quiet).
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let kept = bits >> 16
        let rounded = kept + roundingIncrement(dropped: bits & 0xFFFF, width: 16, keptLSB: kept & 1)
        return UInt16(truncatingIfNeeded: rounded)
    }

    /// 1 when the `width` dropped bits round the kept part up under ties-to-even, else 0.
    private static func roundingIncrement(dropped: UInt32, width: UInt32, keptLSB: UInt32) -> UInt32 {
        let half: UInt32 = 1 << (width - 1)
        if dropped > half { return 1 }
        if dropped == half { return keptLSB }
        return 0
    }
}
