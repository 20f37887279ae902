/// Sums and means over axes, with their backward passes (broadcast the gradient back).
extension Tensor {
    /// Sums over `axes` keeping them as size-1 dimensions, without autograd. Each axis is one
    /// pass over a `[outer, n, inner]` view; sums accumulate in `Float`.
    func sumKernel(axes: [Int]) -> Tensor {
        var result = self.detached()
        for axis in Set(axes.map { normalizeAxis($0, rank: rank) }).sorted(by: >) {
            let n = result.shape[axis]
            if n == 1 { continue }
            let outer = result.shape[..<axis].reduce(1, *)
            let inner = result.shape[(axis + 1)...].reduce(1, *)
            var newShape = result.shape
            newShape[axis] = 1
            let source = result
            result = Tensor(shape: newShape) { out in
                source.scalars.withUnsafeBufferPointer { src in
                    guard let sp = src.baseAddress, let dp = out.baseAddress else { return }
                    // Parallel over the outer blocks, or over the inner columns when there is one
                    // block: every sum keeps its serial order, so results do not depend on threads.
                    let work = Swift.max(1, Tensor.pointwiseChunk / Swift.max(n, 1))
                    if outer > 1 || inner == 1 {
                        parallelChunks(outer, minimumPerChunk: Swift.max(1, work / Swift.max(inner, 1))) { blocks in
                            for o in blocks { sumBlock(sp + o * n * inner, dp + o * inner, n: n, inner: inner, columns: 0..<inner) }
                        }
                    } else {
                        parallelChunks(inner, minimumPerChunk: work) { columns in
                            sumBlock(sp, dp, n: n, inner: inner, columns: columns)
                        }
                    }
                }
            }
        }
        return result
    }

    /// Sums the `n` rows (stride `inner`) of one `[n, inner]` block into `dst`, for `columns`.
    @inline(__always)
    private func sumBlock(_ base: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, n: Int, inner: Int,
                          columns: Range<Int>) {
        if inner == 1 {
            var s: Float = 0
            for j in 0..<n { s += base[j] }
            dst.pointee = s
            return
        }
        (dst + columns.lowerBound).update(from: base + columns.lowerBound, count: columns.count)
        for j in 1..<n {
            let row = base + j * inner
            for i in columns { dst[i] += row[i] }
        }
    }

    /// Repeats this tensor along its size-1 dimensions to `target` (broadcast), without autograd.
    func broadcastKernel(to target: [Int]) -> Tensor {
        if shape == target { return detached() }
        return stridedCopy(outShape: target, sourceStrides: ShapeMath.broadcastStrides(shape, to: target))
    }

    /// Sum over `axes` (negative axes count from the end). Removes the axes unless `keepDims`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let norm = Set(axes.map { normalizeAxis($0, rank: rank) })
        let kept = sumKernel(axes: Array(norm))
        let outShape = keepDims ? kept.shape : shape.enumerated().filter { !norm.contains($0.offset) }.map(\.element)
        let out = kept.reshapedUnchecked(outShape)
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            [g.reshapedUnchecked(kept.shape).broadcastKernel(to: inputShape)]
        }
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Sum of every element, as a rank-0 tensor.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map { normalizeAxis($0, rank: rank) }).map { shape[$0] }.reduce(1, *)
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(n))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Mean of every element, as a rank-0 tensor.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Index of the largest element along the last axis (no gradient), e.g. predicted classes.
    public func argmaxLastAxis() -> [Int] {
        let n = shape.last ?? 1
        precondition(n > 0, "argmax: last axis is empty")
        return scalars.withUnsafeBufferPointer { p in
            (0..<(count / n)).map { r in
                var best = 0
                for j in 1..<n where p[r * n + j] > p[r * n + best] { best = j }
                return best
            }
        }
    }
}
