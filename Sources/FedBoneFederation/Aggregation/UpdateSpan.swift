/// Vectors in the span of K updates g_0…g_{K−1}, each held as its coefficients c over them
/// (v = Σ_m c_m g_m), with the updates' Gram matrix G: every dot product is cᵀ G c', so
/// PCGrad's and GradVac's pairwise steps cost O(K) or O(K²) instead of O(D).
struct UpdateSpan {
    /// G_ij = g_i · g_j (K×K, symmetric).
    let gram: [[Double]]

    /// K.
    var count: Int { gram.count }

    /// The coefficients of g_m itself.
    func unit(_ m: Int) -> [Double] {
        var c = [Double](repeating: 0, count: count)
        c[m] = 1
        return c
    }

    /// v · g_j for v with coefficients `c`.
    func dot(_ c: [Double], update j: Int) -> Double {
        var s = 0.0
        for m in 0..<count where c[m] != 0 { s += c[m] * gram[m][j] }
        return s
    }

    /// ‖v‖² for v with coefficients `c` (rounding below 0 reads as 0).
    func squaredNorm(_ c: [Double]) -> Double {
        var s = 0.0
        for m in 0..<count where c[m] != 0 { s += c[m] * dot(c, update: m) }
        return max(s, 0)
    }

    /// The order in which target `target` visits the other updates: 0, 1, …, K−1 without
    /// `target`, then (with `shuffled`) a Fisher–Yates shuffle from `generator.fork(target)`.
    static func visitingOrder(target: Int, count: Int, shuffled: Bool, generator: SeededGenerator) -> [Int] {
        var order = Array(0..<count).filter { $0 != target }
        if shuffled {
            var g = generator.fork(UInt64(target))
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, g.int(below: i + 1))
            }
        }
        return order
    }
}
