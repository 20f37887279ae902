/// Dropout and stochastic depth with seeded masks. Both multiply by a constant mask, so the
/// backward pass (through the broadcasting product) applies the same mask to the gradient.
extension Tensor {
    // x: [...] → y: [...], yᵢ = xᵢ · mᵢ / (1 − p), mᵢ ~ Bernoulli(1 − p)
    /// Inverted dropout, as `F.dropout(x, p, training=True)`: each element is kept with
    /// probability `1 − p` and scaled by `1 / (1 − p)`, otherwise zeroed. `p = 0` returns `self`
    /// unchanged; `p = 1` zeroes everything. The mask comes from `generator`, one draw per element
    /// in row-major order.
    public func dropout(probability p: Float, generator: inout SeededGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout: probability must be in [0, 1], got \(p)")
        if p == 0 { return self }
        let keep = 1 - Double(p)
        let scale: Float = p == 1 ? 0 : 1 / (1 - p)
        let mask = Tensor(shape: shape) { m in
            for i in 0..<m.count { m[i] = generator.nextUnitDouble() < keep ? scale : 0 }
        }
        return self * mask
    }

    // x: [B, ...] → y: [B, ...], y[b] = x[b] · m_b / (1 − p), m_b ~ Bernoulli(1 − p)
    /// Stochastic depth, as timm's `drop_path(x, p, training=True)`: each sample along
    /// dimension 0 is kept whole with probability `1 − p` and scaled by `1 / (1 − p)`, otherwise
    /// zeroed. `p = 0` returns `self`; `p = 1` zeroes everything (timm does not scale then).
    public func dropPath(probability p: Float, generator: inout SeededGenerator) -> Tensor {
        precondition(rank >= 1, "dropPath: input needs a batch dimension, got shape \(shape)")
        var generators = [generator]
        defer { generator = generators[0] }
        return dropPath(probability: p, generators: &generators, counts: [shape[0]])
    }

    /// ``dropPath(probability:generator:)`` over consecutive segments of dimension 0: the
    /// `counts[k]` samples of segment k draw, in order, from `generators[k]` (a batched server
    /// pass draws each client's samples from that client's stream, as its pass alone would).
    public func dropPath(probability p: Float, generators: inout [SeededGenerator], counts: [Int]) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropPath: probability must be in [0, 1], got \(p)")
        precondition(rank >= 1, "dropPath: input needs a batch dimension, got shape \(shape)")
        precondition(generators.count == counts.count && counts.reduce(0, +) == shape[0],
                     "dropPath: \(generators.count) generators for segments \(counts) of \(shape[0]) samples")
        if p == 0 { return self }
        let keep = 1 - Double(p)
        let scale: Float = p == 1 ? 0 : 1 / (1 - p)
        let maskShape = [shape[0]] + [Int](repeating: 1, count: rank - 1)
        let mask = Tensor(shape: maskShape) { m in
            var i = 0
            for k in counts.indices {
                for _ in 0..<counts[k] {
                    m[i] = generators[k].nextUnitDouble() < keep ? scale : 0
                    i += 1
                }
            }
        }
        return self * mask
    }
}
