import FedBoneKernels
import Testing

/// `fb_sum`, every supported path, on lengths around its 16- and 32-lane blocks.
@Suite struct SumKernelTests {
    @Test(arguments: [0, 1, 7, 8, 9, 15, 16, 17, 32, 33, 100, 1001])
    func sumsSmallIntegersExactly(count: Int) {
        // Integers whose partial sums stay below 2^24 add exactly in any order.
        let values = (0..<count).map { Float($0 % 7) - 2 }
        let expected = values.reduce(0, +)
        values.withUnsafeBufferPointer { p in
            let base = p.baseAddress ?? UnsafePointer(bitPattern: 64)!
            #expect(fb_sum(base, count) == expected, "dispatched, \(count) values")
            for path in supportedISAs {
                #expect(fb_sum_isa(path.isa, base, count) == expected, "\(path.name), \(count) values")
            }
        }
    }
}
