/// Selecting rows by index, and cyclic shifts: the data movement of window attention.
extension Tensor {
    /// Rows of this tensor chosen by `indices` along axis 0: `[R, ...] → [indices.count, ...]`,
    /// as `table[indices]` in PyTorch. The backward pass adds each output row's gradient into
    /// the row it came from (indices may repeat).
    public func gatherRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gatherRows: needs rank ≥ 1, got shape \(shape)")
        let rows = shape[0]
        let width = count / Swift.max(rows, 1)
        for i in indices { precondition(i >= 0 && i < rows, "gatherRows: index \(i) is outside 0..<\(rows)") }
        let out = Tensor(shape: [indices.count] + shape.dropFirst()) { dst in
            scalars.withUnsafeBufferPointer { src in
                for (r, i) in indices.enumerated() {
                    (dst.baseAddress! + r * width).update(from: src.baseAddress! + i * width, count: width)
                }
            }
        }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            var full = Tensor.zeros(inputShape)
            full.scalars.withUnsafeMutableBufferPointer { dst in
                g.scalars.withUnsafeBufferPointer { src in
                    for (r, i) in indices.enumerated() {
                        let d = dst.baseAddress! + i * width, s = src.baseAddress! + r * width
                        for j in 0..<width { d[j] += s[j] }
                    }
                }
            }
            return [full]
        }
    }

    /// Cyclic shift along `axis` by `shift` places, as `torch.roll`: element `i` moves to
    /// `(i + shift) mod n`.
    public func rolled(_ shift: Int, axis: Int) -> Tensor {
        let a = normalizeAxis(axis, rank: rank)
        let n = shape[a]
        let s = ((shift % Swift.max(n, 1)) + n) % Swift.max(n, 1)
        if s == 0 { return self }
        return Tensor.concatenate([slice(axis: a, (n - s)..<n), slice(axis: a, 0..<(n - s))], axis: a)
    }
}
