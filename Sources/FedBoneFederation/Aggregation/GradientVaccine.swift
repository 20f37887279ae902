import Foundation

/// GradVac's alignment (Wang et al., "Gradient Vaccine: Investigating and Improving Multi-task
/// Optimization in Massively Multilingual Models", ICLR 2021), the third way ``GPAggregate``'s
/// step 2 can resolve conflicts (`conflict: gradvac`). Where PCGrad only removes negative
/// cosines, GradVac raises each pair's cosine to an adaptive target φ̂_ij, an exponential moving
/// average of the cosines seen in earlier rounds:
///
/// P_i ← g_i; for each other j in the visiting order of i, with φ_ij = cos(P_i, g_j):
///   if φ_ij < φ̂_ij:  P_i ← P_i + ‖P_i‖ (φ̂_ij √(1−φ_ij²) − φ_ij √(1−φ̂_ij²)) / (‖g_j‖ √(1−φ̂_ij²) + ε) · g_j
///   then φ̂_ij ← (1−β) φ̂_ij + β φ_ij.
///
/// The g_j are the unprojected updates (as in PCGrad), ε is ``GPAggregate/epsilon`` and the
/// targets start at 0, where the adjustment is PCGrad's projection. A pair where P_i or g_j is
/// zero has no cosine: it changes neither P_i nor φ̂_ij. Runs on coefficients over the updates
/// and their Gram matrix, like ``ProjectedConflicts``.
public struct GradientVaccine: Sendable, Equatable {
    /// β, the moving average's weight of the newest cosine (the paper's 0.01), in [0, 1].
    public var beta: Double

    public init(beta: Double = 0.01) {
        self.beta = beta
    }

    /// Each target's aligned coefficients (row i is P_i over the g_m), how many adjustments
    /// happened, and the targets φ̂ after this round (K×K; `targets[i][j]` is φ̂_ij).
    func align(_ span: UpdateSpan, orders: [[Int]], targets: [[Double]], epsilon: Double)
        -> (rows: [[Double]], adjustments: Int, targets: [[Double]]) {
        var targets = targets
        var adjustments = 0
        let norms = (0..<span.count).map { span.gram[$0][$0].squareRoot() }
        let rows = (0..<span.count).map { i -> [Double] in
            var p = span.unit(i)
            for j in orders[i] {
                let pNorm = span.squaredNorm(p).squareRoot()
                guard pNorm > 0, norms[j] > 0 else { continue }
                let phi = min(max(span.dot(p, update: j) / (pNorm * norms[j]), -1), 1)
                let target = targets[i][j]
                if phi < target {
                    let targetSine = max(1 - target * target, 0).squareRoot()
                    let sine = max(1 - phi * phi, 0).squareRoot()
                    p[j] += pNorm * (target * sine - phi * targetSine) / (norms[j] * targetSine + epsilon)
                    adjustments += 1
                }
                targets[i][j] = (1 - beta) * target + beta * phi
            }
            return p
        }
        return (rows, adjustments, targets)
    }
}
