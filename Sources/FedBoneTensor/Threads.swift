#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif
import Foundation
import Synchronization

/// The cap on `parallelChunks` workers; 0 means all active cores.
private let threadCap = Atomic<Int>(0)

/// How many threads the engine computes with: OpenBLAS's thread pool and the chunks of
/// ``parallelChunks(_:minimumPerChunk:_:)``. Both default to every active core.
public enum ComputeThreads {
    /// Limits BLAS and the engine's own parallel loops to `count` threads (at least 1).
    /// On Apple platforms only the engine's loops are capped; Accelerate manages its own threads.
    /// When the engine threads the products (``GemmBackend/engineThreads``), OpenBLAS stays on one thread.
    public static func limit(to count: Int) {
        precondition(count >= 1, "ComputeThreads.limit: need at least 1 thread, got \(count)")
        threadCap.store(count, ordering: .relaxed)
        #if !canImport(Accelerate)
        if !GemmBackend.engineThreads { openblas_set_num_threads(Int32(count)) }
        #endif
    }

    /// The machine's active cores, read once (Foundation's query is costly at the rate of one
    /// per parallel loop).
    private static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// The number of workers `parallelChunks` may use now.
    public static var current: Int {
        let cap = threadCap.load(ordering: .relaxed)
        return cap > 0 ? Swift.min(cap, cores) : cores
    }
}
