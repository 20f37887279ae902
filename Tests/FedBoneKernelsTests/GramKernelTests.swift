import FedBoneKernels
import Testing

/// `fb_gram_f64` and `fb_axpy_f64`, every supported path, against double arithmetic: row counts around
/// the 4×4 tiles, lengths around the 8-lane steps, and a column offset.
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
        typealias Kernel = (UnsafePointer<UnsafePointer<Float>?>?, Int, Int, Int, UnsafeMutablePointer<Double>?,
                            UnsafeMutablePointer<Double>?) -> Void
        func run(_ kernel: Kernel) -> [Double] {
            var sum = [Double](repeating: 0.5, count: count * count)
            var scratch = [Double](repeating: 0, count: count * n)
            func nest(_ index: Int, _ pointers: [UnsafePointer<Float>?]) {
                guard index < count else {
                    pointers.withUnsafeBufferPointer { p in
                        scratch.withUnsafeMutableBufferPointer { s in
                            sum.withUnsafeMutableBufferPointer { kernel(p.baseAddress, count, start, n, s.baseAddress, $0.baseAddress) }
                        }
                    }
                    return
                }
                rows[index].withUnsafeBufferPointer { nest(index + 1, pointers + [$0.baseAddress]) }
            }
            nest(0, [])
            return sum
        }
        let paths = [("dispatched", run(fb_gram_f64))] + supportedISAs.map { path in
            (path.name, run { fb_gram_f64_isa(path.isa, $0, $1, $2, $3, $4, $5) })
        }
        for (name, result) in paths {
            #expect(zip(result, expected).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }, "\(name) \(count)×\(n)")
        }
    }

    @Test(arguments: [0, 1, 7, 8, 9, 100])
    func axpyAddsTheScaledFloatsInDouble(n: Int) {
        let x = (0..<n).map { Float($0) / 3 - 5 }
        let expected = x.enumerated().map { 0.25 * Double($0.offset) + 1.5 * Double($0.element) }
        let paths: [(String, (Int, Double, UnsafePointer<Float>?, UnsafeMutablePointer<Double>?) -> Void)] =
            [("dispatched", fb_axpy_f64)] + supportedISAs.map { path in (path.name, { fb_axpy_f64_isa(path.isa, $0, $1, $2, $3) }) }
        for (name, kernel) in paths {
            var sum = (0..<n).map { 0.25 * Double($0) }
            x.withUnsafeBufferPointer { p in sum.withUnsafeMutableBufferPointer { kernel(n, 1.5, p.baseAddress, $0.baseAddress) } }
            #expect(sum == expected, "\(name) \(n)")
        }
    }
}
