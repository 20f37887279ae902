#if canImport(Glibc) && !canImport(Accelerate)
import CBLAS
#endif

/// Tuning of the C allocator that holds every tensor's storage.
///
/// Each op allocates its output, and a training step frees and reallocates the same sizes again
/// and again. glibc serves blocks above its mmap threshold (at first 128 KiB, rising as big
/// blocks are freed) with fresh `mmap`s whose pages fault in on first touch, and trims freed
/// memory at the top of the heap; both make a step pay for page faults every time. On Linux
/// the engine turns `mmap` allocations off (glibc caps the mmap threshold at 32 MiB, and a
/// Swin-T stage-1 activation at batch 2 is 38 MiB) and turns trimming off, so freed
/// activations are reused from the heap: 5–10% of a Swin step, and a quarter of a batched
/// server pass over 16 clients (whose 5 GB of activations a 512 MiB trim threshold handed
/// back to the kernel after every step, to be faulted in again). The process keeps the memory
/// of its largest step resident, as PyTorch's caching allocator does. Every thread allocates
/// from the one main heap (`M_ARENA_MAX` 1): glibc's per-thread arenas are built from 64 MiB
/// mappings that cannot hold a large activation and give their memory back on their own, so a
/// networked server, whose model runs on the concurrency pool's threads, faulted in fresh
/// pages on every pass (a quarter of a batched Swin-T pass at 64², `fedbone loadcheck`).
///
/// The tuning applies at the first tensor made; executables call ``tuneMemoryAllocator()``
/// first thing instead, before any other thread has allocated (and been given an arena).
enum Allocator {
    /// Applies the tuning once; reading it is cheap afterwards.
    static let tuned: Bool = {
        #if canImport(Glibc) && !canImport(Accelerate)
        mallopt(M_ARENA_MAX, 1)
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_MMAP_MAX, 0)
        mallopt(M_TRIM_THRESHOLD, -1)
        return true
        #else
        return false
        #endif
    }()
}

/// Tunes the C allocator for tensor work now (Linux with glibc; nothing elsewhere): one heap for
/// every thread, no `mmap` blocks, no trimming. Call it at the start of an executable, before
/// other threads allocate; tensors otherwise apply it when the first one is made.
public func tuneMemoryAllocator() {
    _ = Allocator.tuned
}
