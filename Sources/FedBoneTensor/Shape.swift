/// Shape arithmetic shared by the kernels: strides, broadcasting and dimension coalescing.
enum ShapeMath {
    /// Row-major strides of a contiguous tensor.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// The NumPy/PyTorch broadcast of two shapes, or `nil` when they are incompatible.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Strides that read a contiguous tensor of `shape` as if it had the broadcast shape `out`
    /// (stride 0 along broadcast dimensions).
    static func broadcastStrides(_ shape: [Int], to out: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = out.count - shape.count
        return (0..<out.count).map { i in
            i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
        }
    }

    /// Merges adjacent dimensions that every operand walks contiguously, so loops run long.
    /// Returns the merged shape and one merged stride list per operand.
    static func coalesce(_ shape: [Int], _ strideLists: [[Int]]) -> ([Int], [[Int]]) {
        guard !shape.isEmpty else { return ([1], strideLists.map { _ in [0] }) }
        var outShape = [shape[0]]
        var outStrides = strideLists.map { [$0[0]] }
        for i in 1..<shape.count {
            let last = outShape.count - 1
            let mergeable = strideLists.indices.allSatisfy { k in
                outStrides[k][last] == strideLists[k][i] * shape[i]
            }
            if mergeable {
                outShape[last] *= shape[i]
                for k in strideLists.indices { outStrides[k][last] = strideLists[k][i] }
            } else {
                outShape.append(shape[i])
                for k in strideLists.indices { outStrides[k].append(strideLists[k][i]) }
            }
        }
        return (outShape, outStrides)
    }
}

/// Walks every index of `shape` except the last, calling `body` with one base offset per
/// operand; the caller loops over the last dimension itself.
@inline(__always)
func forEachRow(shape: [Int], strides: [[Int]], _ body: (_ offsets: [Int]) -> Void) {
    let outer = shape.dropLast().reduce(1, *)
    let rank = shape.count
    var index = [Int](repeating: 0, count: max(rank - 1, 0))
    var offsets = [Int](repeating: 0, count: strides.count)
    for _ in 0..<outer {
        body(offsets)
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            for k in strides.indices { offsets[k] += strides[k][d] }
            if index[d] < shape[d] { break }
            for k in strides.indices { offsets[k] -= strides[k][d] * shape[d] }
            index[d] = 0
            d -= 1
        }
    }
}

extension Tensor {
    /// Copies `self` read through `sourceStrides` into a new contiguous tensor of `outShape`.
    func stridedCopy(outShape: [Int], sourceStrides: [Int]) -> Tensor {
        let (cShape, cStrides) = ShapeMath.coalesce(outShape, [sourceStrides])
        let inner = cShape.last ?? 1
        let s = cStrides[0].last ?? 0
        return Tensor(shape: outShape) { out in
            scalars.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress, let dst = out.baseAddress else { return }
                var o = 0
                forEachRow(shape: cShape, strides: cStrides) { offsets in
                    let p = base + offsets[0]
                    if s == 1 {
                        (dst + o).update(from: p, count: inner)
                    } else if s == 0 {
                        (dst + o).update(repeating: p.pointee, count: inner)
                    } else {
                        for j in 0..<inner { dst[o + j] = p[j * s] }
                    }
                    o += inner
                }
            }
        }
    }
}
