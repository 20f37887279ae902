/// Ops that move or select elements: reshape, permute, transpose, slice, concatenate.
extension Tensor {
    /// Same scalars, new shape (no autograd; internal).
    func reshapedUnchecked(_ newShape: [Int]) -> Tensor {
        var t = self.detached()
        t.shape = newShape
        return t
    }

    /// The same scalars read with a new shape of equal element count. One dimension may be -1
    /// and is inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot infer -1 in \(newShape) for \(count) elements")
            target[inferred] = count / known
        }
        precondition(target.reduce(1, *) == count && !target.contains(where: { $0 < 0 }),
                     "reshape: cannot view shape \(shape) (\(count) elements) as \(newShape)")
        let inputShape = shape
        return Tensor.record(reshapedUnchecked(target), inputs: [self]) { g in [g.reshapedUnchecked(inputShape)] }
    }

    /// Flattens dimensions `from...` into one.
    public func flattened(from axis: Int = 0) -> Tensor {
        let a = normalizeAxis(axis, rank: rank)
        return reshaped(Array(shape[..<a]) + [shape[a...].reduce(1, *)])
    }

    /// Reorders the dimensions: output dimension i is input dimension `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order) == Set(0..<rank),
                     "permute: \(order) is not a permutation of the \(rank) axes of shape \(shape)")
        let src = ShapeMath.strides(shape)
        let outShape = order.map { shape[$0] }
        let out = stridedCopy(outShape: outShape, sourceStrides: order.map { src[$0] })
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.record(out, inputs: [self]) { g in
            let gs = ShapeMath.strides(g.shape)
            return [g.stridedCopy(outShape: inverse.map { g.shape[$0] }, sourceStrides: inverse.map { gs[$0] })]
        }
    }

    /// Swaps two dimensions.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalizeAxis(a, rank: rank), normalizeAxis(b, rank: rank))
        return permuted(order)
    }

    /// The elements with index in `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = normalizeAxis(axis, rank: rank)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice: range \(range) is outside 0..<\(shape[a]) on axis \(axis) of shape \(shape)")
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape
        outShape[a] = range.count
        let n = shape[a]
        let out = Tensor(shape: outShape) { dst in
            scalars.withUnsafeBufferPointer { src in
                for o in 0..<outer {
                    (dst.baseAddress! + o * range.count * inner)
                        .update(from: src.baseAddress! + (o * n + range.lowerBound) * inner, count: range.count * inner)
                }
            }
        }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g in
            var full = Tensor.zeros(inputShape)
            full.scalars.withUnsafeMutableBufferPointer { dst in
                g.scalars.withUnsafeBufferPointer { src in
                    for o in 0..<outer {
                        (dst.baseAddress! + (o * n + range.lowerBound) * inner)
                            .update(from: src.baseAddress! + o * range.count * inner, count: range.count * inner)
                    }
                }
            }
            return [full]
        }
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors given")
        let first = tensors[0]
        let a = normalizeAxis(axis, rank: first.rank)
        for t in tensors {
            precondition(t.rank == first.rank && t.shape[..<a] == first.shape[..<a] && t.shape[(a + 1)...] == first.shape[(a + 1)...],
                         "concatenate: shape \(t.shape) does not match \(first.shape) outside axis \(axis)")
        }
        let outer = first.shape[..<a].reduce(1, *)
        let inner = first.shape[(a + 1)...].reduce(1, *)
        let sizes = tensors.map { $0.shape[a] }
        let total = sizes.reduce(0, +)
        var outShape = first.shape
        outShape[a] = total
        let out = Tensor(shape: outShape) { dst in
            var offset = 0
            for (t, n) in zip(tensors, sizes) {
                t.scalars.withUnsafeBufferPointer { src in
                    for o in 0..<outer {
                        (dst.baseAddress! + (o * total + offset) * inner)
                            .update(from: src.baseAddress! + o * n * inner, count: n * inner)
                    }
                }
                offset += n
            }
        }
        return record(out, inputs: tensors) { g in
            var offset = 0
            return zip(tensors, sizes).map { t, n in
                defer { offset += n }
                return t.requiresGrad ? g.slice(axis: a, offset..<(offset + n)) : nil
            }
        }
    }
}
