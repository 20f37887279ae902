import Dispatch
import Foundation

/// Splits `0..<count` into contiguous chunks and runs them on the machine's cores (at most
/// ``ComputeThreads/current`` of them).
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
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            box.value(lo..<hi)
        }
    }
}

/// Carries a value the caller guarantees is used safely across threads (disjoint writes).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
