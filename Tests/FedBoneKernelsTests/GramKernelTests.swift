import FedBoneKernels
import Testing

/// `fb_gram_f64`, both paths, against double dot products: row counts around its 4×4 tiles,
/// lengths around its 8-lane steps, and a column offset.
@Suite struct GramKernelTests {
    @Test(arguments: [(1, 1), (3, 7), (4, 8), (5, 17), (9, 100)])
    func addsTheUpperTriangleOfDoubleDotProducts(count: Int, n: Int) {
        let start = 3
        var seed: UInt32 = 12345
        let rows = (0..<count).map { _ in
            (0..<(start + n)).map { _ -> Float in
                seed = seed &* 1_103_515_245 &+ 12_345
                return Float(Int(seed >> 8) % 2001 - 1000) / 997
            }
        }
        var expected = [Double](repeating: 0.5, count: count * count)
        for i in 0..<count {
            for j in i..<count {
                expected[i * count + j] += (start..<(start + n)).reduce(0.0) { $0 + Double(rows[i][$1]) * Double(rows[j][$1]) }
            }
        }
        func run(_ kernel: (UnsafePointer<UnsafePointer<Float>?>?, Int, Int, Int, UnsafeMutablePointer<Double>?) -> Void) -> [Double] {
            var sum = [Double](repeating: 0.5, count: count * count)
            func nest(_ index: Int, _ pointers: [UnsafePointer<Float>?]) {
                guard index < count else {
                    pointers.withUnsafeBufferPointer { p in sum.withUnsafeMutableBufferPointer { kernel(p.baseAddress, count, start, n, $0.baseAddress) } }
                    return
                }
                rows[index].withUnsafeBufferPointer { nest(index + 1, pointers + [$0.baseAddress]) }
            }
            nest(0, [])
            return sum
        }
        for (name, result) in [("dispatched", run(fb_gram_f64)), ("portable", run(fb_gram_f64_portable))] {
            #expect(zip(result, expected).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }, "\(name) \(count)×\(n)")
        }
    }
}
