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
/// instead (``ConflictAverseCombination``, its mean weighted as step 3 says).
/// With `rescale` and `project` both off it is the plain (or sample-weighted) mean.
/// Dot products and sums are accumulated in `Double`.
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

    /// How conflicting updates are reconciled.
    public enum Conflict: String, Sendable, Codable, CaseIterable {
        /// PCGrad projection (the paper).
        case pcgrad
        /// CAGrad's conflict-averse combination.
        case cagrad
    }

    public init(rescale: Bool = true, project: Bool = true, shuffle: Bool = true, weighting: Weighting = .uniform,
                epsilon: Double = 1e-12, conflict: Conflict = .pcgrad, cagrad: ConflictAverseCombination = .init()) {
        self.rescale = rescale
        self.project = project
        self.shuffle = shuffle
        self.weighting = weighting
        self.epsilon = epsilon
        self.conflict = conflict
        self.cagrad = cagrad
    }

    /// Aggregates `updates` (K vectors of one length D).
    /// - Parameters:
    ///   - updates: Δ_k, one per client, in a fixed client order.
    ///   - previous: Δ^{t−1} (length D), or `nil` in the first round.
    ///   - sampleCounts: n_k, used by `samples` weighting (one per update).
    ///   - generator: the round's generator; client k's visiting order uses `generator.fork(k)`.
    /// - Returns: Δ and what happened (cosines, projections, rescale weights).
    public func aggregate(_ updates: [[Float]], previous: [Float]?, sampleCounts: [Int],
                          generator: SeededGenerator) -> GPAggregateResult {
        let k = updates.count
        precondition(k > 0, "GPAggregate: no updates")
        let d = updates[0].count
        precondition(updates.allSatisfy { $0.count == d }, "GPAggregate: updates have different lengths \(updates.map(\.count))")
        precondition(previous.map { $0.count == d } ?? true, "GPAggregate: previous aggregate has length \(previous?.count ?? 0), updates \(d)")
        precondition(sampleCounts.count == k, "GPAggregate: \(sampleCounts.count) sample counts for \(k) updates")

        let norms = updates.map { dot($0, $0).squareRoot() }
        var cosine = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k {
            for j in i..<k {
                let c = i == j ? 1 : dot(updates[i], updates[j]) / max(norms[i] * norms[j], 1e-30)
                cosine[i][j] = c
                cosine[j][i] = c
            }
        }

        var scores = [Double](repeating: 0, count: k)
        var weights = [Double](repeating: 1, count: k)
        if rescale, let previous {
            let root = Double(d).squareRoot()
            scores = updates.map { dot($0, previous) / root }
            weights = Self.scaledSoftmax(scores)
        }
        let scaled: [[Double]] = zip(updates, weights).map { u, a in u.map { Double($0) * a } }
        let mix = mixWeights(sampleCounts)
        if project && k > 1 && conflict == .cagrad {
            let combined = cagrad.combine(scaled, mean: mix)
            return GPAggregateResult(aggregate: combined.update.map { Float($0) }, cosine: cosine, projections: 0,
                                     rescaleScores: scores, rescaleWeights: weights, updateNorms: norms)
        }

        var projections = 0
        var projected = scaled
        if project && k > 1 {
            let squaredNorms = scaled.map { dot($0, $0) }
            for target in 0..<k {
                var order = Array(0..<k).filter { $0 != target }
                if shuffle {
                    var g = generator.fork(UInt64(target))
                    for i in stride(from: order.count - 1, to: 0, by: -1) {
                        order.swapAt(i, g.int(below: i + 1))
                    }
                }
                var p = scaled[target]
                for other in order {
                    let overlap = dot(p, scaled[other])
                    guard overlap < 0 else { continue }
                    let factor = overlap / (squaredNorms[other] + epsilon)
                    let o = scaled[other]
                    for j in 0..<d { p[j] -= factor * o[j] }
                    projections += 1
                }
                projected[target] = p
            }
        }

        var sum = [Double](repeating: 0, count: d)
        for (p, w) in zip(projected, mix) {
            for j in 0..<d { sum[j] += w * p[j] }
        }
        return GPAggregateResult(aggregate: sum.map { Float($0) }, cosine: cosine, projections: projections,
                                 rescaleScores: scores, rescaleWeights: weights, updateNorms: norms)
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

/// What ``GPAggregate/aggregate(_:previous:sampleCounts:generator:)`` produced.
public struct GPAggregateResult: Sendable, Equatable {
    /// Δ, length D.
    public var aggregate: [Float]
    /// K×K cosine similarities between the raw updates Δ_k (1 on the diagonal).
    public var cosine: [[Double]]
    /// How many projections happened (pairs (k, i) with P_k · Δ_i < 0 when visited).
    public var projections: Int
    /// s_k (all 0 when rescaling is off or there is no history).
    public var rescaleScores: [Double]
    /// a_k (all 1 when rescaling is off or there is no history).
    public var rescaleWeights: [Double]
    /// ‖Δ_k‖ of the raw updates.
    public var updateNorms: [Double]
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

/// Σ a_j b_j in double precision.
func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { y in
            for j in 0..<x.count { s += x[j] * y[j] }
        }
    }
    return s
}
