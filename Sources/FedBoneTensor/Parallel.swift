import FedBoneKernels
import Foundation

/// Splits `0..<count` into contiguous chunks and runs them on the machine's cores (at most
/// ``ComputeThreads/current`` of them), on the engine's spinning thread pool
/// (`fb_parallel_for`).
///
/// Small loops (fewer than `minimumPerChunk` iterations in all) run on the calling thread. The
/// body receives a range and must only write memory that no other range writes.
public func parallelChunks(_ count: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let cores = ComputeThreads.current
    let chunks = Swift.min(cores, count / Swift.max(minimumPerChunk, 1))
    if chunks <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    runOnPool(chunks) { c in body((count * c / chunks)..<(count * (c + 1) / chunks)) }
}

/// Runs `body(i)` for every `i` in `0..<count` on the thread pool, the calling thread included,
/// and returns when all have run: on `threads` threads (default: one per index), each claiming
/// the next index when it finishes one. Nested calls run serially.
func runOnPool(_ count: Int, threads: Int? = nil, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        var task = body
        withUnsafeMutablePointer(to: &task) { pointer in
            fb_parallel_for(count, threads ?? count, { context, index in
                context?.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
            }, pointer)
        }
    }
}

/// How `parallelChunks` would split `count` iterations, with each chunk's index known to its
/// body (for per-chunk partial results that are reduced afterwards).
struct ChunkPlan {
    let count: Int
    /// The number of chunks (at least 1).
    let chunks: Int

    /// A plan over at most ``ComputeThreads/current`` chunks of at least `minimumPerChunk`
    /// iterations; `parallel: false` keeps one chunk on the calling thread.
    init(count: Int, minimumPerChunk: Int, parallel: Bool = true) {
        self.count = count
        let cores = parallel ? ComputeThreads.current : 1
        chunks = Swift.max(1, Swift.min(cores, count / Swift.max(minimumPerChunk, 1)))
    }

    /// Runs `body(chunkIndex, range)` for every chunk, concurrently when there are several.
    func run(_ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        if chunks == 1 {
            body(0, 0..<count)
            return
        }
        let (count, chunks) = (count, chunks)
        runOnPool(chunks) { c in body(c, (count * c / chunks)..<(count * (c + 1) / chunks)) }
    }
}

/// Runs a loop of independent small GEMMs (`sgemmOnThisThread` in the body): split across cores
/// when the engine threads the products (``GemmBackend/engineThreads``), on the calling thread
/// when the BLAS threads each product itself (Accelerate, `FEDBONE_GEMM=openblas-threads`).
func batchedGemmLoop(_ count: Int, _ body: (Range<Int>) -> Void) {
    if GemmBackend.engineThreads {
        parallelChunks(count, minimumPerChunk: 1, body)
    } else if count > 0 {
        body(0..<count)
    }
}
