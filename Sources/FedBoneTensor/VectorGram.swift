import FedBoneKernels

/// The Gram matrix G_ij = v_i · v_j of R flat `Float` vectors of one length D, and the one
/// pass Σ_k c_k v_k that turns coefficients over them back into a vector: the two places where
/// the aggregators touch D-length data (DESIGN §6, "aggregators work on the K×K Gram matrix").
///
/// Both run over blocks of ``blockLength`` scalars, split across ``ComputeThreads/current``
/// threads, and compute in `Double`: each product of two floats is exact in `Double`
/// (`fb_gram_f64`, 4×4 tiles of row pairs on AVX-512; `fb_axpy_f64` for the sum), so G is as
/// accurate as `Double` dot products of the vectors. A float GEMM is not: it rounds every
/// product and partial sum to `Float` (relative errors near 10⁻⁷ in G, so about 10⁻⁷·|s| in a
/// rescale weight exp(s), and no cancellation to zero where updates oppose exactly).
/// Memory: the vectors themselves, plus an R×R sum and one block of R `Double` rows per thread.
public enum VectorGram {
    /// Scalars per block: a block of every vector stays in L2 while its pairs are summed.
    static let blockLength = 2048

    /// G (R×R, symmetric) of `vectors` (all of one length).
    public static func gram(_ vectors: [[Float]]) -> [[Double]] {
        withBuffers(vectors) { gram($0) }
    }

    /// Scalars after which a pass calls its `release` callback (2 MiB of each vector).
    static let releaseLength = 256 * blockLength

    /// G (R×R, symmetric) of the vectors `vectors` point at (all of one length; heap or
    /// memory-mapped, ``UpdateVector``). `release`, when given, is called (from the pass's
    /// threads) with each range of scalars the pass is done with, so that memory-mapped vectors
    /// can drop those pages at once (``UpdateVector/releaseResidentPages(scalars:)``).
    public static func gram(_ vectors: [UnsafeBufferPointer<Float>], release: (@Sendable (Range<Int>) -> Void)? = nil) -> [[Double]] {
        let r = vectors.count
        let d = vectors.first?.count ?? 0
        precondition(vectors.allSatisfy { $0.count == d }, "VectorGram: vectors have different lengths \(vectors.map(\.count))")
        guard r > 0, d > 0 else { return [[Double]](repeating: [Double](repeating: 0, count: r), count: r) }
        let blocks = (d + blockLength - 1) / blockLength
        let parts = max(1, min(ComputeThreads.current, blocks))
        var partials = [Double](repeating: 0, count: parts * r * r)
        let rows: [UnsafePointer<Float>?] = vectors.map(\.baseAddress)
        partials.withUnsafeMutableBufferPointer { partials in
            let base = partials.baseAddress!
            parallelChunks(parts) { chunk in
                for part in chunk {
                    let first = blocks * part / parts * blockLength
                    let last = min(d, blocks * (part + 1) / parts * blockLength)
                    let scratch = UnsafeMutablePointer<Double>.allocate(capacity: r * blockLength)
                    defer { scratch.deallocate() }
                    rows.withUnsafeBufferPointer { pointers in
                        var start = first, window = ReleaseWindow(release: release, start: first)
                        while start < last {
                            let n = min(blockLength, last - start)
                            fb_gram_f64(pointers.baseAddress, r, start, n, scratch, base + part * r * r)
                            start += n
                            window.passed(start, last: start == last)
                        }
                    }
                }
            }
        }
        var g = [[Double]](repeating: [Double](repeating: 0, count: r), count: r)
        for i in 0..<r {
            for j in i..<r {
                let value = (0..<parts).reduce(0.0) { $0 + partials[$1 * r * r + i * r + j] }
                g[i][j] = value
                g[j][i] = value
            }
        }
        return g
    }

    /// Σ_k c_k v_k in one pass over the vectors, summed in `Double` per element and rounded once
    /// to `Float`; zero coefficients skip their vector.
    public static func combination(_ coefficients: [Double], of vectors: [[Float]]) -> [Float] {
        withBuffers(vectors) { combination(coefficients, of: $0) }
    }

    /// Σ_k c_k v_k of the vectors `vectors` point at (heap or memory-mapped), as for arrays.
    /// `release` as for ``gram(_:release:)``.
    public static func combination(_ coefficients: [Double], of vectors: [UnsafeBufferPointer<Float>],
                                   release: (@Sendable (Range<Int>) -> Void)? = nil) -> [Float] {
        precondition(coefficients.count == vectors.count && !vectors.isEmpty, "VectorGram: one coefficient per vector, at least one vector")
        let d = vectors[0].count
        precondition(vectors.allSatisfy { $0.count == d }, "VectorGram: vectors have different lengths \(vectors.map(\.count))")
        guard d > 0 else { return [] }
        let terms = coefficients.indices.filter { coefficients[$0] != 0 }
        let blocks = (d + blockLength - 1) / blockLength
        var out = [Float](repeating: 0, count: d)
        let rows: [UnsafePointer<Float>?] = terms.map { vectors[$0].baseAddress }
        out.withUnsafeMutableBufferPointer { out in
            let target = out.baseAddress!
            parallelChunks(blocks, minimumPerChunk: 16) { chunk in
                let sum = UnsafeMutablePointer<Double>.allocate(capacity: blockLength)
                defer { sum.deallocate() }
                var window = ReleaseWindow(release: release, start: chunk.lowerBound * blockLength)
                for block in chunk {
                    let start = block * blockLength
                    let n = min(blockLength, d - start)
                    sum.update(repeating: 0, count: n)
                    for (row, k) in zip(rows, terms) {
                        guard let row else { continue }
                        fb_axpy_f64(n, coefficients[k], row + start, sum)
                    }
                    for j in 0..<n { target[start + j] = Float(sum[j]) }
                    window.passed(start + n, last: block + 1 == chunk.upperBound)
                }
            }
        }
        return out
    }

    /// Hands a pass's scalars to its `release` callback as the pass moves past them: every
    /// ``releaseLength`` scalars, and the rest when the pass ends.
    private struct ReleaseWindow {
        let release: (@Sendable (Range<Int>) -> Void)?
        /// The first scalar not yet handed over.
        var start: Int

        /// The pass is done with everything below `end` (`last`: and with its whole range).
        mutating func passed(_ end: Int, last: Bool) {
            guard let release, end - start >= VectorGram.releaseLength || last else { return }
            release(start..<end)
            start = end
        }
    }

    /// Calls `body` with a buffer over every vector, valid for the call.
    public static func withBuffers<Result>(_ vectors: [[Float]], _ body: ([UnsafeBufferPointer<Float>]) throws -> Result) rethrows -> Result {
        func nest(_ index: Int, _ buffers: inout [UnsafeBufferPointer<Float>]) throws -> Result {
            guard index < vectors.count else { return try body(buffers) }
            return try vectors[index].withUnsafeBufferPointer { buffer in
                buffers.append(buffer)
                return try nest(index + 1, &buffers)
            }
        }
        var buffers: [UnsafeBufferPointer<Float>] = []
        buffers.reserveCapacity(vectors.count)
        return try nest(0, &buffers)
    }
}
