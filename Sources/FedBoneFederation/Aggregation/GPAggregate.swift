import Foundation

/// Conflict-aware aggregation of the clients' general-model updates (FedBone's GPAggregate,
/// the paper's Algorithm 2, as DESIGN §2 reads it). A pure value: give it the K flat updates
/// Δ_k (each of length D, all of θ) and last round's aggregate Δ^{t−1}; it returns Δ.
///
/// 1. Rescale (`rescale`): s_k = (Δ_k · Δ^{t−1}) / √D, a_k = K · softmax_k(s), Δ_k ← a_k Δ_k.
///    The weights average 1; with no history (round 0, or a zero Δ^{t−1}) every a_k = 1.
/// 2. Project (`project`, PCGrad): P_k ← Δ_k; for each i ≠ k, in an order shuffled per k by a
///    generator forked from the one given (`shuffle`; otherwise i = 0, 1, …, K−1), if
///    P_k · Δ_i < 0 then P_k ← P_k − (P_k · Δ_i / (‖Δ_i‖² + ε)) Δ_i. Δ_i are the rescaled,
///    unprojected updates.
/// 3. Average: Δ = (1/K) Σ_k P_k (`uniform`) or Σ_k n_k P_k / Σ_k n_k (`samples`).
///
/// With `conflict: cagrad`, steps 2 and 3 are CAGrad's combination of the rescaled updates
/// instead (``ConflictAverseCombination``, its mean weighted as step 3 says); with
/// `conflict: gradvac`, step 2 is GradVac's alignment (``GradientVaccine``), whose targets the
/// caller carries from round to round.
/// With `rescale` and `project` both off it is the plain (or sample-weighted) mean.
///
/// Everything but the final sum depends only on the Gram matrix of the updates and Δ^{t−1}
/// (``VectorGram``: exact float products summed in `Double`), so every rescaled, projected or
/// aligned update is held as K coefficients over the Δ_k, and Δ is one pass Σ_k c_k Δ_k over
/// the updates (summed in `Double`). Memory beyond the updates: Δ itself, O(K²) and a block per thread.
public struct GPAggregate: Sendable, Equatable {
    /// How the projected updates are averaged.
    public enum Weighting: String, Sendable, Codable, CaseIterable {
        /// Every client counts the same (the paper).
        case uniform
        /// Clients count in proportion to their training samples.
        case samples
    }

    /// Apply step 1 (rescale by agreement with the previous aggregate).
    public var rescale: Bool
    /// Apply step 2 (PCGrad projection).
    public var project: Bool
    /// Visit the other clients in a seeded random order per client (else in index order).
    public var shuffle: Bool
    /// Step 3's weights.
    public var weighting: Weighting
    /// ε in the projection's denominator.
    public var epsilon: Double
    /// How step 2 resolves conflicts when `project` is on.
    public var conflict: Conflict
    /// CAGrad's settings (`conflict: cagrad`).
    public var cagrad: ConflictAverseCombination
    /// GradVac's settings (`conflict: gradvac`).
    public var gradvac: GradientVaccine

    /// How conflicting updates are reconciled.
    public enum Conflict: String, Sendable, Codable, CaseIterable {
        /// PCGrad projection (the paper).
        case pcgrad
        /// CAGrad's conflict-averse combination.
        case cagrad
        /// GradVac's alignment to adaptive cosine targets.
        case gradvac
    }

    public init(rescale: Bool = true, project: Bool = true, shuffle: Bool = true, weighting: Weighting = .uniform,
                epsilon: Double = 1e-12, conflict: Conflict = .pcgrad, cagrad: ConflictAverseCombination = .init(),
                gradvac: GradientVaccine = .init()) {
        self.rescale = rescale
        self.project = project
        self.shuffle = shuffle
        self.weighting = weighting
        self.epsilon = epsilon
        self.conflict = conflict
        self.cagrad = cagrad
        self.gradvac = gradvac
    }

    /// Aggregates `updates` (K vectors of one length D).
    /// - Parameters:
    ///   - updates: Δ_k, one per client, in a fixed client order.
    ///   - previous: Δ^{t−1} (length D), or `nil` in the first round.
    ///   - sampleCounts: n_k, used by `samples` weighting (one per update).
    ///   - generator: the round's generator; client k's visiting order uses `generator.fork(k)`.
    ///   - alignmentTargets: GradVac's φ̂ from the rounds before (K×K, in the order of
    ///     `updates`); `nil` starts every target at 0. Only `conflict: gradvac` reads it.
    /// - Returns: Δ and what happened (cosines, projections, rescale weights, GradVac's targets).
    public func aggregate(_ updates: [[Float]], previous: [Float]?, sampleCounts: [Int],
                          generator: SeededGenerator, alignmentTargets: [[Double]]? = nil) -> GPAggregateResult {
        VectorGram.withBuffers(updates + (previous.map { [$0] } ?? [])) { buffers in
            aggregate(buffers: Array(buffers.prefix(updates.count)), previous: previous == nil ? nil : buffers.last,
                      sampleCounts: sampleCounts, generator: generator, alignmentTargets: alignmentTargets)
        }
    }

    /// Aggregates `updates` held in ``UpdateVector``s (on the heap or spilled to memory-mapped
    /// files), exactly as the array version does: the updates are read twice (the Gram pass and
    /// the combination) and never copied.
    public func aggregate(_ updates: [UpdateVector], previous: [Float]?, sampleCounts: [Int],
                          generator: SeededGenerator, alignmentTargets: [[Double]]? = nil) -> GPAggregateResult {
        let spilled = updates.filter(\.isSpilled)
        var release: (@Sendable (Range<Int>) -> Void)?
        if !spilled.isEmpty {
            release = { @Sendable range in
                for update in spilled { update.releaseResidentPages(scalars: range) }
            }
        }
        return VectorGram.withBuffers(previous.map { [$0] } ?? []) { history in
            aggregate(buffers: updates.map(\.readable), previous: history.first, sampleCounts: sampleCounts,
                      generator: generator, alignmentTargets: alignmentTargets, release: release)
        }
    }

    /// The aggregation over buffers; `release` as for ``VectorGram/gram(_:release:)``.
    private func aggregate(buffers updates: [UnsafeBufferPointer<Float>], previous: UnsafeBufferPointer<Float>?, sampleCounts: [Int],
                           generator: SeededGenerator, alignmentTargets: [[Double]]?,
                           release: (@Sendable (Range<Int>) -> Void)? = nil) -> GPAggregateResult {
        let k = updates.count
        precondition(k > 0, "GPAggregate: no updates")
        let d = updates[0].count
        precondition(updates.allSatisfy { $0.count == d }, "GPAggregate: updates have different lengths \(updates.map(\.count))")
        precondition(previous.map { $0.count == d } ?? true, "GPAggregate: previous aggregate has length \(previous?.count ?? 0), updates \(d)")
        precondition(sampleCounts.count == k, "GPAggregate: \(sampleCounts.count) sample counts for \(k) updates")
        let zeroTargets = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        let targets = alignmentTargets ?? zeroTargets
        precondition(targets.count == k && targets.allSatisfy { $0.count == k }, "GPAggregate: alignment targets must be \(k)×\(k)")

        let history = rescale ? previous : nil
        // `release` touches only the spilled updates (Δ^{t−1} is on the heap).
        let gram = VectorGram.gram(history.map { updates + [$0] } ?? updates, release: release)
        let norms = (0..<k).map { gram[$0][$0].squareRoot() }
        let cosine: [[Double]] = (0..<k).map { i in
            (0..<k).map { j -> Double in i == j ? 1 : gram[i][j] / max(norms[i] * norms[j], 1e-30) }
        }

        var scores = [Double](repeating: 0, count: k)
        var weights = [Double](repeating: 1, count: k)
        if history != nil {
            let root = Double(d).squareRoot()
            scores = (0..<k).map { gram[$0][k] / root }
            weights = Self.scaledSoftmax(scores)
        }
        // The rescaled updates a_k Δ_k: their Gram matrix, and coefficients over them.
        let scaledGram: [[Double]] = (0..<k).map { i in (0..<k).map { j -> Double in weights[i] * weights[j] * gram[i][j] } }
        let span = UpdateSpan(gram: scaledGram)
        let mix = mixWeights(sampleCounts)
        var combination = mix
        var projections = 0
        var newTargets = targets
        if project && k > 1 {
            let orders = (0..<k).map { UpdateSpan.visitingOrder(target: $0, count: k, shuffled: shuffle, generator: generator) }
            switch conflict {
            case .cagrad:
                combination = cagrad.coefficients(gram: span.gram, mean: mix).coefficients
            case .pcgrad:
                let projected = ProjectedConflicts.project(span, orders: orders, epsilon: epsilon)
                combination = Self.mixed(projected.rows, by: mix)
                projections = projected.projections
            case .gradvac:
                let aligned = gradvac.align(span, orders: orders, targets: targets, epsilon: epsilon)
                combination = Self.mixed(aligned.rows, by: mix)
                projections = aligned.adjustments
                newTargets = aligned.targets
            }
        }
        let coefficients = (0..<k).map { weights[$0] * combination[$0] }
        return GPAggregateResult(aggregate: VectorGram.combination(coefficients, of: updates, release: release), cosine: cosine,
                                 projections: projections, rescaleScores: scores, rescaleWeights: weights,
                                 updateNorms: norms, alignmentTargets: newTargets)
    }

    /// Σ_t mix_t rows_t: the coefficients of the weighted mean of the vectors the rows describe.
    private static func mixed(_ rows: [[Double]], by mix: [Double]) -> [Double] {
        (0..<mix.count).map { m in zip(rows, mix).reduce(0.0) { $0 + $1.1 * $1.0[m] } }
    }

    /// Step 3's weights of the K updates.
    private func mixWeights(_ sampleCounts: [Int]) -> [Double] {
        switch weighting {
        case .uniform:
            return [Double](repeating: 1 / Double(sampleCounts.count), count: sampleCounts.count)
        case .samples:
            let total = Double(sampleCounts.reduce(0, +))
            precondition(total > 0, "GPAggregate: samples weighting needs positive sample counts, got \(sampleCounts)")
            return sampleCounts.map { Double($0) / total }
        }
    }

    /// K · softmax(s), computed stably.
    static func scaledSoftmax(_ s: [Double]) -> [Double] {
        let top = s.max() ?? 0
        let e = s.map { Foundation.exp($0 - top) }
        let total = e.reduce(0, +)
        return e.map { Double(s.count) * $0 / total }
    }
}

/// What ``GPAggregate/aggregate(_:previous:sampleCounts:generator:alignmentTargets:)`` produced.
public struct GPAggregateResult: Sendable, Equatable {
    /// Δ, length D.
    public var aggregate: [Float]
    /// K×K cosine similarities between the raw updates Δ_k (1 on the diagonal).
    public var cosine: [[Double]]
    /// How many projections happened (pairs (k, i) with P_k · Δ_i < 0 when visited; with
    /// GradVac, pairs whose cosine was below its target).
    public var projections: Int
    /// s_k (all 0 when rescaling is off or there is no history).
    public var rescaleScores: [Double]
    /// a_k (all 1 when rescaling is off or there is no history).
    public var rescaleWeights: [Double]
    /// ‖Δ_k‖ of the raw updates.
    public var updateNorms: [Double]
    /// GradVac's targets φ̂ after this round (K×K); the ones given (or zeros) for other resolvers.
    public var alignmentTargets: [[Double]]
}

/// Σ a_j b_j in double precision.
func dot(_ a: [Float], _ b: [Float]) -> Double {
    var s = 0.0
    a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { y in
            for j in 0..<x.count { s += Double(x[j]) * Double(y[j]) }
        }
    }
    return s
}
