import Testing
import FedBoneTensor

@Suite("Half-precision encoding")
struct HalfPrecisionEncodingTests {
    @Test("every finite half value survives Float and back bit for bit")
    func halfRoundTripIsExact() {
        for bits in 0...UInt16.max {
            let value = HalfPrecision.float(fromHalfBits: bits)
            if value.isNaN { continue }
            #expect(HalfPrecision.halfBits(from: value) == bits, "half bits \(bits)")
        }
    }

    @Test("midpoints between neighbouring halves round to the even one")
    func halfTiesRoundToEven() {
        // Positive finite halves 0x0000 ... 0x7BFE and their upper neighbours.
        for bits in UInt16(0)..<0x7BFF {
            let low = HalfPrecision.float(fromHalfBits: bits)
            let high = HalfPrecision.float(fromHalfBits: bits + 1)
            let midpoint = (low + high) / 2  // exact in Float: halves have 11-bit significands
            let even = bits % 2 == 0 ? bits : bits + 1
            #expect(HalfPrecision.halfBits(from: midpoint) == even, "between \(bits) and \(bits + 1)")
            #expect(HalfPrecision.halfBits(from: midpoint.nextUp) == bits + 1)
            #expect(HalfPrecision.halfBits(from: midpoint.nextDown) == bits)
        }
    }

    @Test("known half patterns, overflow and underflow")
    func halfKnownValues() {
        #expect(HalfPrecision.halfBits(from: 1) == 0x3C00)
        #expect(HalfPrecision.halfBits(from: -2) == 0xC000)
        #expect(HalfPrecision.halfBits(from: 0.1) == 0x2E66)
        #expect(HalfPrecision.halfBits(from: 65504) == 0x7BFF)
        #expect(HalfPrecision.halfBits(from: 65519.99) == 0x7BFF)
        #expect(HalfPrecision.halfBits(from: 65520) == 0x7C00)
        #expect(HalfPrecision.halfBits(from: -1e10) == 0xFC00)
        #expect(HalfPrecision.halfBits(from: .infinity) == 0x7C00)
        #expect(HalfPrecision.halfBits(from: 0x1p-24) == 0x0001)
        #expect(HalfPrecision.halfBits(from: 0x1p-25) == 0x0000)
        #expect(HalfPrecision.halfBits(from: 0x1.8p-25) == 0x0001)
        #expect(HalfPrecision.halfBits(from: -0x1p-30) == 0x8000)
        #expect(HalfPrecision.halfBits(from: .leastNonzeroMagnitude) == 0x0000)
        #expect(HalfPrecision.float(fromHalfBits: HalfPrecision.halfBits(from: .nan)).isNaN)
    }

    @Test("bfloat16 rounds to nearest even and keeps specials")
    func bfloat16Rounding() {
        #expect(HalfPrecision.bfloat16Bits(from: 1) == 0x3F80)
        // 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷: ties to even (1).
        #expect(HalfPrecision.bfloat16Bits(from: 1 + 0x1p-8) == 0x3F80)
        // 1 + 3·2⁻⁸ lies halfway between 1 + 2⁻⁷ (odd) and 1 + 2⁻⁶: rounds up to even.
        #expect(HalfPrecision.bfloat16Bits(from: 1 + 3 * 0x1p-8) == 0x3F82)
        #expect(HalfPrecision.bfloat16Bits(from: (1 + 0x1p-8).nextUp) == 0x3F81)
        #expect(HalfPrecision.bfloat16Bits(from: .greatestFiniteMagnitude) == 0x7F80)
        #expect(HalfPrecision.bfloat16Bits(from: -.infinity) == 0xFF80)
        #expect(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: .nan)).isNaN)
        for bits in stride(from: 0, through: Int(UInt16.max), by: 7) {
            let value = HalfPrecision.float(fromBFloat16Bits: UInt16(bits))
            if value.isNaN { continue }
            #expect(HalfPrecision.bfloat16Bits(from: value) == UInt16(bits))
        }
    }
}
