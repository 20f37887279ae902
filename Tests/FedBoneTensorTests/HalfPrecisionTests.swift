import Testing
@testable import FedBoneTensor

@Suite struct HalfPrecisionTests {
    @Test func specialHalfValuesConvert() {
        #expect(HalfPrecision.float(fromHalfBits: 0x0000) == 0)
        #expect(HalfPrecision.float(fromHalfBits: 0x8000).sign == .minus)
        #expect(HalfPrecision.float(fromHalfBits: 0x0001) == 0x1p-24)
        #expect(HalfPrecision.float(fromHalfBits: 0x8200) == -0x1p-15)
        #expect(HalfPrecision.float(fromHalfBits: 0x0400) == 0x1p-14)
        #expect(HalfPrecision.float(fromHalfBits: 0x7BFF) == 65504)
        #expect(HalfPrecision.float(fromHalfBits: 0x7C00) == .infinity)
        #expect(HalfPrecision.float(fromHalfBits: 0xFC00) == -.infinity)
        #expect(HalfPrecision.float(fromHalfBits: 0x7E00).isNaN)
        #expect(HalfPrecision.float(fromHalfBits: 0x7C01).isNaN)
    }

    #if !(os(macOS) && arch(x86_64))
    @Test func everyHalfBitPatternMatchesFloat16() {
        for bits in UInt16.min...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = HalfPrecision.float(fromHalfBits: bits)
            if expected.isNaN {
                #expect(actual.isNaN, "bits \(bits)")
            } else {
                #expect(actual.bitPattern == expected.bitPattern, "bits \(bits)")
            }
        }
    }
    #endif

    @Test func bfloat16IsTheTopHalfOfAFloat() {
        #expect(HalfPrecision.float(fromBFloat16Bits: 0x3F80) == 1)
        #expect(HalfPrecision.float(fromBFloat16Bits: 0xC049) == -3.140625)
        #expect(HalfPrecision.float(fromBFloat16Bits: 0xFF80) == -.infinity)
        #expect(HalfPrecision.float(fromBFloat16Bits: 0x7FC0).isNaN)
    }
}
