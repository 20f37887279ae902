import FedBoneKernels
import Foundation
import Testing

/// Row softmax with bias and mask, and its backward, every supported path, against `Double` references.
@Suite struct SoftmaxKernelTests {
    // In place (y = x, dx = g), as attention calls them; `outOfPlaceMatchesInPlace` covers the rest.
    private let forward: KernelPaths<(UnsafeMutablePointer<Float>, UnsafePointer<Float>?, UnsafePointer<Float>?, Int, Int) -> Void> =
        kernelPaths { isa in { fb_softmax_rows_isa(isa, $0, $0, $1, $2, $3, $4) } }
    private let backward: KernelPaths<(UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int, Int) -> Void> =
        kernelPaths { isa in { fb_softmax_backward_rows_isa(isa, $0, $1, $0, $2, $3) } }

    @Test(arguments: [1, 7, 16, 17, 49])
    func rowsMatchTheReferenceAndMaskedEntriesAreExactlyZero(n: Int) {
        let rows = 5
        var random = TestRandom(seed: UInt64(n))
        let scores = random.values(rows * n, -4, 4), bias = random.values(rows * n, -1, 1)
        // Swin's shift mask: 0 or −100; the first entry of each row stays unmasked.
        let mask = (0..<(rows * n)).map { $0 % n != 0 && $0 % 3 == 0 ? Float(-100) : 0 }
        for path in forward {
            var s = scores
            bias.withUnsafeBufferPointer { pb in mask.withUnsafeBufferPointer { pm in s.withUnsafeMutableBufferPointer { ps in
                path.run(ps.baseAddress!, pb.baseAddress!, pm.baseAddress!, rows, n)
            } } }
            for r in 0..<rows {
                let logits = (0..<n).map { Double(scores[r * n + $0]) + Double(bias[r * n + $0]) + Double(mask[r * n + $0]) }
                let top = logits.max()!
                let total = logits.reduce(0) { $0 + exp($1 - top) }
                for j in 0..<n {
                    let expected = exp(logits[j] - top) / total
                    #expect(abs(Double(s[r * n + j]) - expected) < 1e-6, "\(path.name) n \(n) row \(r) column \(j)")
                    if logits[j] - top < -87 { #expect(s[r * n + j] == 0, "\(path.name): masked weight must be 0, not subnormal") }
                }
            }
        }
    }

    @Test(arguments: [1, 17, 49])
    func backwardMatchesTheReference(n: Int) {
        let rows = 3
        var random = TestRandom(seed: UInt64(100 + n))
        let upstream = random.values(rows * n)
        var p = random.values(rows * n, 0, 1)
        for r in 0..<rows {
            let total = p[(r * n)..<((r + 1) * n)].reduce(0, +)
            for j in 0..<n { p[r * n + j] /= total }
        }
        for path in backward {
            var g = upstream
            p.withUnsafeBufferPointer { pp in g.withUnsafeMutableBufferPointer { pg in
                path.run(pg.baseAddress!, pp.baseAddress!, rows, n)
            } }
            for r in 0..<rows {
                let dot = (0..<n).reduce(0.0) { $0 + Double(upstream[r * n + $1]) * Double(p[r * n + $1]) }
                for j in 0..<n {
                    let expected = Double(p[r * n + j]) * (Double(upstream[r * n + j]) - dot)
                    #expect(abs(Double(g[r * n + j]) - expected) < 1e-6, "\(path.name) n \(n) row \(r) column \(j)")
                }
            }
        }
    }

    @Test func biasAndMaskAreOptional() {
        for path in forward {
            var s: [Float] = [1, 2, 3]
            s.withUnsafeMutableBufferPointer { path.run($0.baseAddress!, nil, nil, 1, 3) }
            let total = exp(1.0) + exp(2.0) + exp(3.0)
            #expect(abs(Double(s[2]) - exp(3.0) / total) < 1e-6, "\(path.name)")
        }
    }

    @Test func outOfPlaceMatchesInPlace() {
        var random = TestRandom(seed: 5)
        let x = random.values(3 * 21, -3, 3), g = random.values(3 * 21)
        for (name, isa) in supportedISAs {
            var inPlace = x, outOfPlace = [Float](repeating: .nan, count: x.count)
            var gradInPlace = g, gradOut = [Float](repeating: .nan, count: g.count)
            x.withUnsafeBufferPointer { px in outOfPlace.withUnsafeMutableBufferPointer { po in inPlace.withUnsafeMutableBufferPointer { pi in
                fb_softmax_rows_isa(isa, px.baseAddress!, po.baseAddress!, nil, nil, 3, 21)
                fb_softmax_rows_isa(isa, pi.baseAddress!, pi.baseAddress!, nil, nil, 3, 21)
            } } }
            g.withUnsafeBufferPointer { pg in inPlace.withUnsafeBufferPointer { pp in
                gradOut.withUnsafeMutableBufferPointer { po in gradInPlace.withUnsafeMutableBufferPointer { pi in
                    fb_softmax_backward_rows_isa(isa, pg.baseAddress!, pp.baseAddress!, po.baseAddress!, 3, 21)
                    fb_softmax_backward_rows_isa(isa, pi.baseAddress!, pp.baseAddress!, pi.baseAddress!, 3, 21)
                } }
            } }
            #expect(outOfPlace == inPlace, "\(name): softmax out of place")
            #expect(gradOut == gradInPlace, "\(name): softmax backward out of place")
        }
    }
}
