import Foundation

/// ``GPAggregate`` as it was before it moved to Gram space: every rescaled and projected update
/// is a D-length `Double` vector and every dot product a loop over D, O(K²·D) time and 2·K·D
/// `Double`s of memory. The oracle the Gram-space aggregation is tested against, and the old
/// path of `fedbone-bench aggregate --reference`; PCGrad and CAGrad only (GradVac is tested
/// against its own D-space form).
public struct ReferenceGPAggregate: Sendable {
    /// The settings (`conflict` must not be `gradvac`).
    public var gp: GPAggregate

    public init(_ gp: GPAggregate) {
        precondition(gp.conflict != .gradvac, "ReferenceGPAggregate: PCGrad and CAGrad only")
        self.gp = gp
    }

    /// What ``GPAggregate/aggregate(_:previous:sampleCounts:generator:alignmentTargets:)``
    /// returns for the same inputs, computed in D space (`alignmentTargets` all 0).
    public func aggregate(_ updates: [[Float]], previous: [Float]?, sampleCounts: [Int],
                          generator: SeededGenerator) -> GPAggregateResult {
        let k = updates.count
        precondition(k > 0 && sampleCounts.count == k, "ReferenceGPAggregate: one sample count per update, at least one update")
        let d = updates[0].count
        let zeroTargets = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
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
        if gp.rescale, let previous {
            let root = Double(d).squareRoot()
            scores = updates.map { dot($0, previous) / root }
            let top = scores.max() ?? 0
            let e = scores.map { Foundation.exp($0 - top) }
            let total = e.reduce(0, +)
            weights = e.map { Double(k) * $0 / total }
        }
        let scaled: [[Double]] = zip(updates, weights).map { u, a in u.map { Double($0) * a } }
        let mix = mixWeights(sampleCounts)
        if gp.project && k > 1 && gp.conflict == .cagrad {
            let combined = gp.cagrad.referenceCombine(scaled, mean: mix)
            return GPAggregateResult(aggregate: combined.update.map { Float($0) }, cosine: cosine, projections: 0,
                                     rescaleScores: scores, rescaleWeights: weights, updateNorms: norms,
                                     alignmentTargets: zeroTargets)
        }

        var projections = 0
        var projected = scaled
        if gp.project && k > 1 {
            let squaredNorms = scaled.map { referenceDot($0, $0) }
            for target in 0..<k {
                var order = Array(0..<k).filter { $0 != target }
                if gp.shuffle {
                    var g = generator.fork(UInt64(target))
                    for i in stride(from: order.count - 1, to: 0, by: -1) {
                        order.swapAt(i, g.int(below: i + 1))
                    }
                }
                var p = scaled[target]
                for other in order {
                    let overlap = referenceDot(p, scaled[other])
                    guard overlap < 0 else { continue }
                    let factor = overlap / (squaredNorms[other] + gp.epsilon)
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
                                 rescaleScores: scores, rescaleWeights: weights, updateNorms: norms,
                                 alignmentTargets: zeroTargets)
    }

    private func mixWeights(_ sampleCounts: [Int]) -> [Double] {
        switch gp.weighting {
        case .uniform:
            return [Double](repeating: 1 / Double(sampleCounts.count), count: sampleCounts.count)
        case .samples:
            let total = Double(sampleCounts.reduce(0, +))
            return sampleCounts.map { Double($0) / total }
        }
    }
}

extension ConflictAverseCombination {
    /// d for the updates `updates` (rescaled, K of length D) with mean weights `b`, summed in
    /// D space: the combination as it was before ``coefficients(gram:mean:)``.
    public func referenceCombine(_ updates: [[Double]], mean b: [Double]) -> (update: [Double], weights: [Double]) {
        let k = updates.count
        var gram = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k {
            for j in i..<k {
                gram[i][j] = referenceDot(updates[i], updates[j])
                gram[j][i] = gram[i][j]
            }
        }
        let w = weights(gram: gram, mean: b)
        let g0Norm = (0..<k).reduce(0.0) { acc, i in acc + (0..<k).reduce(0.0) { $0 + b[i] * gram[i][$1] * b[$1] } }.squareRoot()
        let gwNorm = (0..<k).reduce(0.0) { acc, i in acc + (0..<k).reduce(0.0) { $0 + w[i] * gram[i][$1] * w[$1] } }.squareRoot()
        let lambda = gwNorm > 0 ? c * g0Norm / gwNorm : 0
        let d = updates[0].count
        var out = [Double](repeating: 0, count: d)
        for i in 0..<k {
            let coefficient = (b[i] + lambda * w[i]) / (1 + c * c)
            let u = updates[i]
            for j in 0..<d { out[j] += coefficient * u[j] }
        }
        return (out, w)
    }
}

/// Σ a_j b_j in double precision.
private func referenceDot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for j in a.indices { s += a[j] * b[j] }
    return s
}
