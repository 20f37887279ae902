/// PCGrad's projection (Yu et al., "Gradient Surgery for Multi-Task Learning", NeurIPS 2020),
/// step 2 of ``GPAggregate``, on coefficients: P_t ← g_t; for each other i in `orders[t]`, if
/// P_t · g_i < 0 then P_t ← P_t − (P_t · g_i / (‖g_i‖² + ε)) g_i, against the unprojected g_i.
/// The update to P_t touches one coefficient (the i-th), and P_t · g_i = c_tᵀ G e_i.
enum ProjectedConflicts {
    /// Each target's projected coefficients (row t is P_t over the g_m) and how many
    /// projections happened.
    static func project(_ span: UpdateSpan, orders: [[Int]], epsilon: Double) -> (rows: [[Double]], projections: Int) {
        var projections = 0
        let rows = (0..<span.count).map { target -> [Double] in
            var p = span.unit(target)
            for other in orders[target] {
                let overlap = span.dot(p, update: other)
                guard overlap < 0 else { continue }
                p[other] -= overlap / (span.gram[other][other] + epsilon)
                projections += 1
            }
            return p
        }
        return (rows, projections)
    }
}
