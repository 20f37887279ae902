/// A batch whose samples belong to different owners (the clients of one batched server pass),
/// in consecutive segments along the batch dimension, and the per-segment gradient leaves of
/// the parameters it passes through.
///
/// Inside ``run(_:)``, the layers that own parameters (linear, layer norm, Swin's relative
/// position bias) compute their forward pass once over the whole batch, with the shared
/// parameter values, but record their parameter gradients per segment: segment k's gradient
/// lands in ``leaves(of:)``[k], a leaf that shares the parameter's scalars, and the parameter
/// itself receives none. One backward pass then yields every owner's own parameter gradient
/// (what conflict-aware aggregation needs: Δ_k of each client, not their sum), and the input
/// gradient of every sample, as separate passes over each segment would.
///
/// Every tensor the layers see must keep the batch as its outermost dimension, samples in
/// segment order (Swin's windows `[B·nW, N, C]` and tokens `[B, L, C]` do): a tensor of `rows`
/// rows gives segment k the rows `rows / total · (counts[0] + … + counts[k−1])` onwards.
public final class BatchSegments: @unchecked Sendable {
    /// The samples of each segment, in batch order (each at least 1).
    public let counts: [Int]
    /// The batch size: the sum of ``counts``.
    public let total: Int
    private var segmentLeaves: [ObjectIdentifier: (parameter: Tensor, leaves: [Tensor])] = [:]

    /// The segments in force (innermost ``run(_:)``), or nil outside one.
    @TaskLocal public static var current: BatchSegments?

    /// Segments of `counts` samples each.
    public init(counts: [Int]) {
        precondition(!counts.isEmpty && counts.allSatisfy { $0 >= 1 }, "BatchSegments: every segment needs a sample, got \(counts)")
        self.counts = counts
        total = counts.reduce(0, +)
    }

    /// Runs `body` (a forward pass over the whole batch) with these segments in force.
    public func run<R>(_ body: () throws -> R) rethrows -> R {
        try Self.$current.withValue(self, operation: body)
    }

    /// How many rows of a tensor with `rows` rows (batch outermost) each segment owns.
    public func rowCounts(rows: Int) -> [Int] {
        precondition(rows % total == 0, "BatchSegments: \(rows) rows do not split over a batch of \(total) samples")
        let perSample = rows / total
        return counts.map { $0 * perSample }
    }

    /// One gradient leaf per segment for `parameter` (an autograd leaf), each sharing its
    /// scalars; the same leaves for every use of the parameter within the pass.
    public func leaves(of parameter: Tensor) -> [Tensor] {
        guard let node = parameter.node else {
            preconditionFailure("BatchSegments: leaves of a tensor that does not require gradients (shape \(parameter.shape))")
        }
        let key = ObjectIdentifier(node)
        if let entry = segmentLeaves[key] { return entry.leaves }
        let leaves = counts.map { _ in parameter.detached().requiringGrad() }
        segmentLeaves[key] = (parameter, leaves)
        return leaves
    }

    /// The gradient segment `segment`'s samples gave `parameter` in the backward pass, or nil
    /// when the pass did not reach it (the caller reads a missing gradient as zero).
    public func gradient(of parameter: Tensor, segment: Int) -> Tensor? {
        guard let node = parameter.node else { return nil }
        return segmentLeaves[ObjectIdentifier(node)]?.leaves[segment].grad
    }
}

extension Tensor {
    /// Whether every tensor of `tensors` holds the very same scalar storage (cheap: no values
    /// are compared), so that one pass with the first stands for a pass with each.
    static func shareStorage(_ tensors: [Tensor]) -> Bool {
        guard let first = tensors.first else { return true }
        let base = first.scalars.withUnsafeBufferPointer { $0.baseAddress }
        return tensors.dropFirst().allSatisfy { t in t.scalars.withUnsafeBufferPointer { $0.baseAddress } == base }
    }
}
