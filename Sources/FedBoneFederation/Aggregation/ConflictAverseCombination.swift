import Foundation

/// CAGrad's combination of K updates (Liu et al., "Conflict-Averse Gradient Descent for
/// Multi-task Learning", NeurIPS 2021), the alternative to PCGrad projection in step 2 of
/// ``GPAggregate``. With g_0 = Σ_k b_k g_k (the weighted mean), it finds the simplex weights
///
///   w* = argmin_{w ∈ Δ_K}  g_wᵀ g_0 + c‖g_0‖ · ‖g_w‖,   g_w = Σ_k w_k g_k,
///
/// and returns d = (g_0 + (c‖g_0‖ / ‖g_w*‖) g_w*) / (1 + c²), the reference implementation's
/// `rescale=1` form, as coefficients over the g_k. Everything depends only on the K×K Gram
/// matrix (the caller makes the one pass over the updates), so the solve is cheap: projected
/// gradient descent on the simplex with backtracking, in `Double`, from the uniform point, for
/// a fixed number of steps (deterministic). c = 0 gives g_0.
public struct ConflictAverseCombination: Sendable, Equatable {
    /// c: how far the update may move from the mean to serve the worst-off client (≥ 0).
    public var c: Double
    /// Gradient steps of the weight solve.
    public var iterations: Int

    public init(c: Double = 0.5, iterations: Int = 500) {
        self.c = c
        self.iterations = iterations
    }

    /// The simplex weights w* for Gram matrix `gram` (G_ij = g_i · g_j) and mean weights `b`.
    public func weights(gram: [[Double]], mean b: [Double]) -> [Double] {
        let k = gram.count
        precondition(k > 0 && b.count == k && gram.allSatisfy { $0.count == k }, "CAGrad: a K×K Gram matrix and K mean weights")
        let gb = (0..<k).map { i in (0..<k).reduce(0.0) { $0 + gram[i][$1] * b[$1] } }
        let g0Norm = (0..<k).reduce(0.0) { $0 + b[$1] * gb[$1] }.squareRoot()
        let scale = c * g0Norm
        func quadratic(_ w: [Double]) -> [Double] { (0..<k).map { i in (0..<k).reduce(0.0) { $0 + gram[i][$1] * w[$1] } } }
        func objective(_ w: [Double]) -> Double {
            let gw = quadratic(w)
            let linear = (0..<k).reduce(0.0) { $0 + w[$1] * gb[$1] }
            let norm = ((0..<k).reduce(0.0) { $0 + w[$1] * gw[$1] } + 1e-16).squareRoot()
            return linear + scale * norm
        }
        var w = [Double](repeating: 1 / Double(k), count: k)
        guard k > 1, scale > 0 else { return w }
        var value = objective(w)
        var step = 1 / max((0..<k).map { gram[$0][$0] }.max() ?? 1, 1e-30)
        for _ in 0..<iterations {
            let gw = quadratic(w)
            let norm = ((0..<k).reduce(0.0) { $0 + w[$1] * gw[$1] } + 1e-16).squareRoot()
            let gradient = (0..<k).map { gb[$0] + scale * gw[$0] / norm }
            // Backtracking: halve the step until the projected point does not increase f.
            var accepted = false
            for _ in 0..<40 {
                let candidate = Self.projectOntoSimplex(zip(w, gradient).map { $0 - step * $1 })
                let candidateValue = objective(candidate)
                if candidateValue <= value {
                    w = candidate
                    value = candidateValue
                    accepted = true
                    step *= 1.5
                    break
                }
                step /= 2
            }
            if !accepted { break }
        }
        return w
    }

    /// d as coefficients over the updates whose Gram matrix is `gram`, with mean weights `b`:
    /// d = Σ_k coefficients_k g_k, coefficients_k = (b_k + λ w*_k) / (1 + c²), λ = c‖g_0‖ / ‖g_w*‖
    /// (0 when g_w* = 0). Also returns w*.
    public func coefficients(gram: [[Double]], mean b: [Double]) -> (coefficients: [Double], weights: [Double]) {
        let k = gram.count
        let w = weights(gram: gram, mean: b)
        let g0Norm = (0..<k).reduce(0.0) { acc, i in acc + (0..<k).reduce(0.0) { $0 + b[i] * gram[i][$1] * b[$1] } }.squareRoot()
        let gwNorm = (0..<k).reduce(0.0) { acc, i in acc + (0..<k).reduce(0.0) { $0 + w[i] * gram[i][$1] * w[$1] } }.squareRoot()
        let lambda = gwNorm > 0 ? c * g0Norm / gwNorm : 0
        return ((0..<k).map { (b[$0] + lambda * w[$0]) / (1 + c * c) }, w)
    }

    /// The Euclidean projection of `v` onto the probability simplex (sort-based).
    static func projectOntoSimplex(_ v: [Double]) -> [Double] {
        let sorted = v.sorted(by: >)
        var cumulative = 0.0, theta = 0.0
        for (i, value) in sorted.enumerated() {
            cumulative += value
            let t = (cumulative - 1) / Double(i + 1)
            if value - t > 0 { theta = t }
        }
        return v.map { max($0 - theta, 0) }
    }
}
