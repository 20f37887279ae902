#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif
import FedBoneKernels
import Foundation

/// Single-precision matrix product through the platform BLAS (OpenBLAS on Linux, Accelerate on
/// Apple platforms): `C = alpha · op(A) · op(B) + beta · C + bias`, all row-major.
///
/// On x86-64 CPUs with AVX-512 whose model OpenBLAS does not recognise (it then runs its SSE3
/// "Prescott" kernels), the engine's own AVX-512 kernel runs instead, split across
/// ``ComputeThreads/current`` threads (see ``GemmBackend``).
///
/// - Parameters:
///   - transA, transB: whether `A` (stored `[K, M]` when transposed, else `[M, K]`) and `B`
///     (stored `[N, K]` when transposed, else `[K, N]`) are read transposed.
///   - lda, ldb, ldc: row strides; default to the packed widths.
///   - bias: `n` values added to every row of `C` (a linear layer's bias); the engine's kernel
///     adds them as it writes `C`.
@inline(__always)
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                  alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                  b: UnsafePointer<Float>, ldb: Int? = nil,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil,
                  bias: UnsafePointer<Float>? = nil) {
    gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
         a: a, lda: lda ?? (transA ? m : k), b: b, ldb: ldb ?? (transB ? k : n),
         beta: beta, c: c, ldc: ldc ?? n, bias: bias, threads: ComputeThreads.current, count: true)
}

/// ``sgemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` on the calling thread only, for
/// loops of small products (`batchedGemmLoop`, which runs them in parallel only when
/// ``GemmBackend/engineThreads`` is true). It does not count
/// multiply-adds: worker threads do not see the task's ``FlopCounter``, so the caller counts
/// the whole batch.
@inline(__always)
func sgemmOnThisThread(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                       alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                       b: UnsafePointer<Float>, ldb: Int? = nil,
                       beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
    gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
         a: a, lda: lda ?? (transA ? m : k), b: b, ldb: ldb ?? (transB ? k : n),
         beta: beta, c: c, ldc: ldc ?? n, bias: nil, threads: 1, count: false)
}

/// ``sgemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` without counting multiply-adds:
/// split across the threads when called outside a parallel loop, on one thread inside one
/// (nested loops run serially). For callers that count a whole batch themselves because their
/// products may run on pool threads, which do not see the task's ``FlopCounter``.
@inline(__always)
func uncountedSgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                    b: UnsafePointer<Float>, ldb: Int? = nil,
                    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
    gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
         a: a, lda: lda ?? (transA ? m : k), b: b, ldb: ldb ?? (transB ? k : n),
         beta: beta, c: c, ldc: ldc ?? n, bias: nil, threads: ComputeThreads.current, count: false)
}

/// `C = Σ_t op(A_t) · B_t + beta · C` with `A_t = a + aOffsets[t]` and `B_t = b + bOffsets[t]`
/// (B not transposed), on the calling thread and without counting multiply-adds: a stride-1
/// convolution over a padded image, one term per kernel tap (``ShiftedConvolution``). The AVX-512
/// kernel (`fb_sgemm_sum`) keeps the sum in registers; elsewhere it is one BLAS product per term.
func shiftedProductSum(transA: Bool, m: Int, n: Int, k: Int, aOffsets: [Int], bOffsets: [Int],
                       a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                       beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(!aOffsets.isEmpty && aOffsets.count == bOffsets.count, "shiftedProductSum: one A and one B offset per term, at least one term")
    #if !canImport(Accelerate)
    if GemmBackend.native {
        let status = aOffsets.withUnsafeBufferPointer { pa in
            bOffsets.withUnsafeBufferPointer { pb in
                fb_sgemm_sum(transA ? 1 : 0, m, n, k, aOffsets.count, pa.baseAddress, pb.baseAddress,
                             1, a, lda, b, ldb, beta, c, ldc)
            }
        }
        if status == 0 { return }
    }
    #endif
    for t in aOffsets.indices {
        sgemmOnThisThread(transA: transA, transB: false, m: m, n: n, k: k, a: a + aOffsets[t], lda: lda,
                          b: b + bOffsets[t], ldb: ldb, beta: t == 0 ? beta : 1, c: c, ldc: ldc)
    }
}

/// Which kernel runs ``sgemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``, and who threads it.
public enum GemmBackend {
    /// Whether the engine's AVX-512 kernel runs instead of the platform BLAS: on x86-64 Linux
    /// when the kernels' path (`fb_isa`) is AVX-512 and OpenBLAS picked kernels without AVX-512
    /// (its core name is not SkylakeX, Cooperlake or SapphireRapids). `FEDBONE_GEMM=native`
    /// forces it where the path is AVX-512; `openblas` or `openblas-threads` rule it out.
    public static let native: Bool = {
        #if canImport(Accelerate)
        return false
        #else
        guard Int(fb_isa()) == FB_ISA_AVX512 else { return false }
        switch ProcessInfo.processInfo.environment["FEDBONE_GEMM"] {
        case "openblas", "openblas-threads": return false
        case "native": return true
        default: break
        }
        let core = openblas_get_corename().map { String(cString: $0).lowercased() } ?? ""
        return !["skylakex", "cooperlake", "sapphirerapids"].contains(core)
        #endif
    }()

    /// Whether the engine threads the products itself: each product split across
    /// ``ComputeThreads/current`` threads of its pool, loops of small products (attention's
    /// windows, a batch of convolutions) run in parallel, and the kernel underneath (the native
    /// one, or OpenBLAS held to one thread) runs single-threaded. True on Linux unless
    /// `FEDBONE_GEMM=openblas-threads` hands threading to OpenBLAS's own pool. Two pools on the
    /// same cores fight: OpenBLAS's workers poll with `sched_yield`, and loops of small products
    /// ran on one thread.
    public static let engineThreads: Bool = {
        #if canImport(Accelerate)
        return false
        #else
        if !native && ProcessInfo.processInfo.environment["FEDBONE_GEMM"] == "openblas-threads" { return false }
        quietOpenBLASThreads()
        return true
        #endif
    }()

    /// A short name of the kernel in use, for benchmark reports.
    public static var name: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        let core = openblas_get_corename().map { String(cString: $0) } ?? "?"
        if native { return "native AVX-512 (OpenBLAS core \(core) not used)" }
        return engineThreads ? "OpenBLAS \(core), one thread per part" : "OpenBLAS \(core), its own threads"
        #endif
    }
}

#if !canImport(Accelerate)
/// Stops OpenBLAS's worker threads when the engine threads the products itself. OpenBLAS
/// (pthread build) starts one worker per extra core when it loads, and they poll for work with
/// `sched_yield`: on two cores such a worker took CPU time from the engine's two threads and a
/// product at Swin's stage-1 shape ran at half speed in whole processes. Any fallback call to
/// OpenBLAS then runs on the calling thread. The thread server's shutdown function is looked up
/// at run time (OpenMP builds of OpenBLAS have none, and their threads do not start early).
private func quietOpenBLASThreads() {
    openblas_set_num_threads(1)
    if let symbol = dlsym(nil, "blas_thread_shutdown_") {
        let shutdown = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
        _ = shutdown()
    }
}
#endif

/// Multiply-adds below which a product stays on one thread (a split costs a few microseconds).
private let gemmSplitThreshold = 1 << 19

/// The product with explicit strides, on up to `threads` threads.
@inline(__always)
private func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?,
                  threads: Int, count: Bool) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        scaleAddingBias(rows: m, columns: n, beta: beta, c: c, ldc: ldc, bias: bias)
        return
    }
    if count { FlopCounter.add(multiplyAdds: m * n * k) }
    #if !canImport(Accelerate)
    if GemmBackend.engineThreads {
        splitGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, bias: bias, threads: threads)
        return
    }
    #endif
    platformGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, bias: bias)
}

/// `C = beta · C + bias` row by row (`beta` 0 never reads `C`; no bias adds nothing).
private func scaleAddingBias(rows: Int, columns: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                             bias: UnsafePointer<Float>?) {
    for i in 0..<rows {
        let row = c + i * ldc
        if beta == 0 {
            if let bias { row.update(from: bias, count: columns) } else { row.update(repeating: 0, count: columns) }
        } else {
            for j in 0..<columns { row[j] = beta * row[j] + (bias?[j] ?? 0) }
        }
    }
}

/// The platform BLAS's product; a bias is first written into `C` (scaled by `beta`), which the
/// product then accumulates onto.
private func platformGemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?) {
    var beta = beta
    if bias != nil {
        scaleAddingBias(rows: m, columns: n, beta: beta, c: c, ldc: ldc, bias: bias)
        beta = 1
    }
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

#if !canImport(Accelerate)
/// One product split into `threads` contiguous blocks of rows of `C` (the native kernel runs
/// any row count at full speed: it deals rows into balanced panels), or of columns when there
/// are too few rows, each block on one thread: the native kernel (`fb_sgemm`), or OpenBLAS
/// (held to one thread) where it does not run or declines (no scratch memory).
private func splitGemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?,
                        threads: Int) {
    func run(_ rows: Range<Int>, _ columns: Range<Int>) {
        let pa = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
        let pb = transB ? b + columns.lowerBound * ldb : b + columns.lowerBound
        let pc = c + rows.lowerBound * ldc + columns.lowerBound
        let pbias = bias.map { $0 + columns.lowerBound }
        let status = GemmBackend.native
            ? fb_sgemm(transA ? 1 : 0, transB ? 1 : 0, rows.count, columns.count, k, alpha, pa, lda, pb, ldb, beta,
                       pc, ldc, pbias)
            : -1
        if status != 0 {
            platformGemm(transA: transA, transB: transB, m: rows.count, n: columns.count, k: k, alpha: alpha,
                         a: pa, lda: lda, b: pb, ldb: ldb, beta: beta, c: pc, ldc: ldc, bias: pbias)
        }
    }
    let tileM = Int(FB_GEMM_MR), tileN = Int(FB_GEMM_NR)
    let parts = Swift.min(threads, m * n * k / gemmSplitThreshold)
    // Rows when each part gets two or more register panels, else columns in whole 32-wide
    // panels, else one thread.
    let splitRows = m >= 2 * tileM * parts
    guard parts > 1, splitRows || n >= 2 * tileN * parts else {
        run(0..<m, 0..<n)
        return
    }
    if splitRows {
        // Tall products in up to 4 blocks of ≥ 512 rows per thread, claimed as threads come
        // free: a thread slowed by the machine (a shared host) then does fewer blocks instead of
        // holding up the others. Each block packs B again, so short products get one per thread.
        let blocks = parts * Swift.max(1, Swift.min(4, m / (parts * rowsPerBlock)))
        runOnPool(blocks, threads: parts) { block in
            run((m * block / blocks)..<(m * (block + 1) / blocks), 0..<n)
        }
        return
    }
    let columnTiles = (n + tileN - 1) / tileN
    parallelChunks(parts) { chunk in
        for part in chunk {
            let lo = Swift.min(n, columnTiles * part / parts * tileN)
            let hi = Swift.min(n, columnTiles * (part + 1) / parts * tileN)
            if lo < hi { run(0..<m, lo..<hi) }
        }
    }
}

/// The fewest rows of C in one of the blocks a tall product is dealt in.
private let rowsPerBlock = 512
#endif
