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

extension Tensor {
    // x: [R, ...] → y: [indices.count, ...];  y[r] = x[indices[r]], or 0 where indices[r] == −1
    /// Rows of this tensor placed by an injective index map: output row `r` is input row
    /// `indices[r]`, or zeros where `indices[r]` is −1; no input row may be used twice. This is
    /// one copy for any composition of cyclic shifts, zero padding, cropping and window
    /// partitioning of a token grid (Swin), each of which would otherwise copy the tensor.
    /// The backward pass places each output row's gradient back into its input row (rows no
    /// output uses get 0). Copies run in parallel over rows.
    public func placedRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "placedRows: needs rank ≥ 1, got shape \(shape)")
        let rows = shape[0]
        let width = count / Swift.max(rows, 1)
        var used = [Bool](repeating: false, count: rows)
        for i in indices where i != -1 {
            precondition(i >= 0 && i < rows, "placedRows: index \(i) is outside 0..<\(rows) (or −1)")
            precondition(!used[i], "placedRows: input row \(i) is used twice")
            used[i] = true
        }
        let out = Tensor.copyRows(self, into: [indices.count] + shape.dropFirst(), width: width) { r in indices[r] }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            var source = [Int](repeating: -1, count: rows)
            for (r, i) in indices.enumerated() where i != -1 { source[i] = r }
            return [Tensor.copyRows(g, into: inputShape, width: width) { source[$0] }]
        }
    }

    /// A tensor of `shape` whose row `r` (of `width` scalars) is `source`'s row `from(r)`, or
    /// zeros when that is −1.
    static func copyRows(_ source: Tensor, into shape: [Int], width: Int, from: (Int) -> Int) -> Tensor {
        let rows = shape.first ?? 0
        return Tensor(shape: shape) { dst in
            source.scalars.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                parallelChunks(rows, minimumPerChunk: Swift.max(1, Tensor.pointwiseChunk / Swift.max(width, 1))) { range in
                    for r in range {
                        let i = from(r)
                        if i < 0 {
                            (d + r * width).update(repeating: 0, count: width)
                        } else {
                            (d + r * width).update(from: s + i * width, count: width)
                        }
                    }
                }
            }
        }
    }
}
