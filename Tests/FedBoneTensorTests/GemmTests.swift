import Testing
@testable import FedBoneTensor

/// `sgemm` against a float64 reference, for every transpose combination, odd sizes that cross
/// the AVX-512 kernel's tiles (12×32) and depth blocks (256), padded strides, alpha, beta and a
/// bias per column; the large cases also take the multi-threaded split.
@Suite struct GemmTests {
    /// op(X)[i][j] of a row-major matrix stored with row stride `ld`.
    private func element(_ x: [Float], _ trans: Bool, _ ld: Int, _ i: Int, _ j: Int) -> Double {
        Double(trans ? x[j * ld + i] : x[i * ld + j])
    }

    private func check(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, beta: Float, pad: Int,
                       withBias: Bool = false) {
        var rng = SeededGenerator(seed: UInt64(m * 1_000_003 + n * 1009 + k * 17 + (transA ? 1 : 0) + (transB ? 2 : 0)))
        let lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad
        let a = Tensor.uniform([(transA ? k : m) * lda], low: -1, high: 1, generator: &rng).scalars
        let b = Tensor.uniform([(transB ? n : k) * ldb], low: -1, high: 1, generator: &rng).scalars
        var c = Tensor.uniform([m * ldc], low: -1, high: 1, generator: &rng).scalars
        let bias = Tensor.uniform([n], low: -1, high: 1, generator: &rng).scalars
        let c0 = c
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            bias.withUnsafeBufferPointer { pbias in
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: lda,
                      b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: ldc,
                      bias: withBias ? pbias.baseAddress : nil)
            }
        } } }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<ldc {
                let index = i * ldc + j
                guard j < n else {
                    #expect(c[index] == c0[index], "sgemm wrote outside C at row \(i), column \(j)")
                    continue
                }
                var sum = 0.0
                for p in 0..<k { sum += element(a, transA, lda, i, p) * element(b, transB, ldb, p, j) }
                let expected = Double(alpha) * sum + Double(beta) * Double(c0[index]) + (withBias ? Double(bias[j]) : 0)
                worst = max(worst, abs(Double(c[index]) - expected) / (1 + abs(expected)))
            }
        }
        #expect(worst < 1e-5, "sgemm transA \(transA) transB \(transB) \(m)×\(n)×\(k) alpha \(alpha) beta \(beta): relative error \(worst)")
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func matchesReferenceForEveryTransposeOnOddSizes(transA: Bool, transB: Bool) {
        for (m, n, k) in [(1, 1, 1), (13, 33, 7), (25, 70, 300), (50, 17, 257), (3, 96, 12)] {
            check(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, beta: 0, pad: 0)
            check(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, beta: -1.5, pad: 3)
            check(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, beta: 0, pad: 1, withBias: true)
            check(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2, beta: 0.5, pad: 0, withBias: true)
        }
    }

    @Test func largeProductSplitAcrossThreadsMatchesReference() {
        check(transA: false, transB: true, m: 130, n: 150, k: 300, alpha: 1, beta: 1, pad: 2)
        check(transA: true, transB: false, m: 200, n: 40, k: 520, alpha: 1, beta: 0, pad: 0)
    }

    /// Enough rows that B is packed, and more columns than one packed column block (512).
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func packedProductAcrossColumnBlocksMatchesReference(transA: Bool, transB: Bool) {
        check(transA: transA, transB: transB, m: 250, n: 530, k: 40, alpha: 1, beta: 0.5, pad: 1)
        check(transA: transA, transB: transB, m: 600, n: 70, k: 300, alpha: 1, beta: 0, pad: 0, withBias: true)
    }

    /// `shiftedProductSum` against a float64 sum of its terms, A plain and transposed, with an
    /// odd width (a masked last column panel), depth past one block (256), beta and strides.
    @Test(arguments: [false, true])
    func shiftedProductSumMatchesSumOfTerms(transA: Bool) {
        let (m, n, k, terms, lda, ldb, ldc) = (14, 45, 260, 3, transA ? 15 : 263, 52, 47)
        let aOffsets = [0, 7, k * lda / 2], bOffsets = [5, 0, 3]
        var rng = SeededGenerator(seed: transA ? 11 : 12)
        let a = Tensor.uniform([2 * (k + m) * lda], low: -1, high: 1, generator: &rng).scalars
        let b = Tensor.uniform([k * ldb + 8], low: -1, high: 1, generator: &rng).scalars
        var c = Tensor.uniform([m * ldc], low: -1, high: 1, generator: &rng).scalars
        let c0 = c
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            shiftedProductSum(transA: transA, m: m, n: n, k: k, aOffsets: aOffsets, bOffsets: bOffsets,
                              a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb, beta: -0.5,
                              c: pc.baseAddress!, ldc: ldc)
        } } }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<ldc {
                guard j < n else {
                    #expect(c[i * ldc + j] == c0[i * ldc + j], "wrote outside C at row \(i), column \(j)")
                    continue
                }
                var sum = -0.5 * Double(c0[i * ldc + j])
                for t in 0..<terms {
                    for p in 0..<k {
                        let ai = aOffsets[t] + (transA ? p * lda + i : i * lda + p)
                        sum += Double(a[ai]) * Double(b[bOffsets[t] + p * ldb + j])
                    }
                }
                worst = max(worst, abs(Double(c[i * ldc + j]) - sum) / (1 + abs(sum)))
            }
        }
        #expect(worst < 1e-5, "shiftedProductSum transA \(transA): relative error \(worst)")
    }
}
