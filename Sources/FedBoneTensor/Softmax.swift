import FedBoneKernels
import Foundation

/// Softmax and log-softmax along one axis, numerically stable (the maximum is subtracted).
///
/// The tensor is read as `[outer, n, inner]` around the axis; each of the `outer · inner` lanes
/// of length `n` (stride `inner`) is normalised on its own. The last axis (`inner == 1`) is the
/// contiguous fast path; softmax over it runs the vectorised kernels of `FedBoneKernels`. The
/// backward passes use only the output.
extension Tensor {
    // x: [..., n, ...] → y: [..., n, ...], yⱼ = exp(xⱼ − m) / Σₖ exp(xₖ − m), m = maxₖ xₖ
    /// Softmax along `axis` (default: the last), as `torch.softmax(x, dim=axis)`.
    /// Backward: `∂x = y ⊙ (g − Σ g ⊙ y)` along the axis.
    public func softmax(axis: Int = -1) -> Tensor {
        let (outer, n, inner) = laneLayout(axis: axis, opName: "softmax")
        FlopCounter.add(multiplyAdds: 2 * count)
        if inner == 1 { return contiguousSoftmax(rows: outer, n: n) }
        let out = Tensor.laneKernel(self, outer: outer, n: n, inner: inner) { src, dst, s in
            softmaxLane(src, dst, n: n, stride: s, log: false)
        }
        return Tensor.record(out, inputs: [self]) { g in
            [Tensor.laneBackward(g, out, outer: outer, n: n, inner: inner) { g, y, dx, s in
                var dot: Float = 0
                for j in 0..<n { dot += g[j * s] * y[j * s] }
                for j in 0..<n { dx[j * s] = y[j * s] * (g[j * s] - dot) }
            }]
        }
    }

    /// Softmax over the last axis (`rows` rows of `n`) with the vectorised kernels of
    /// `FedBoneKernels`, in parallel over rows.
    private func contiguousSoftmax(rows: Int, n: Int) -> Tensor {
        let minimumRows = Swift.max(1, 16_384 / Swift.max(n, 1))
        let out = Tensor(shape: shape) { y in
            scalars.withUnsafeBufferPointer { x in
                parallelChunks(rows, minimumPerChunk: minimumRows) { range in
                    let offset = range.lowerBound * n
                    fb_softmax_rows(x.baseAddress! + offset, y.baseAddress! + offset, nil, nil, range.count, n)
                }
            }
        }
        return Tensor.record(out, inputs: [self]) { g in
            [Tensor(shape: out.shape) { dx in
                g.scalars.withUnsafeBufferPointer { pg in out.scalars.withUnsafeBufferPointer { py in
                    parallelChunks(rows, minimumPerChunk: minimumRows) { range in
                        let offset = range.lowerBound * n
                        fb_softmax_backward_rows(pg.baseAddress! + offset, py.baseAddress! + offset, dx.baseAddress! + offset,
                                                 range.count, n)
                    }
                } }
            }]
        }
    }

    // x: [..., n, ...] → y: [..., n, ...], yⱼ = (xⱼ − m) − log Σₖ exp(xₖ − m) (in that order, as PyTorch)
    /// Log-softmax along `axis` (default: the last), as `torch.log_softmax(x, dim=axis)`.
    /// Backward: `∂x = g − softmax(x) · Σ g` along the axis, with `softmax(x) = exp(y)`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let (outer, n, inner) = laneLayout(axis: axis, opName: "logSoftmax")
        FlopCounter.add(multiplyAdds: 2 * count)
        let out = Tensor.laneKernel(self, outer: outer, n: n, inner: inner) { src, dst, s in
            softmaxLane(src, dst, n: n, stride: s, log: true)
        }
        return Tensor.record(out, inputs: [self]) { g in
            [Tensor.laneBackward(g, out, outer: outer, n: n, inner: inner) { g, y, dx, s in
                var total: Float = 0
                for j in 0..<n { total += g[j * s] }
                for j in 0..<n { dx[j * s] = g[j * s] - Foundation.exp(y[j * s]) * total }
            }]
        }
    }

    /// The `[outer, n, inner]` view around `axis`.
    func laneLayout(axis: Int, opName: String) -> (outer: Int, n: Int, inner: Int) {
        precondition(rank >= 1, "\(opName): needs a tensor of rank ≥ 1, got shape \(shape)")
        let a = normalizeAxis(axis, rank: rank)
        return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
    }

    /// Runs `body(source, destination, stride)` on every lane of `x`, in parallel over lanes.
    static func laneKernel(
        _ x: Tensor, outer: Int, n: Int, inner: Int,
        _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> Tensor {
        Tensor(shape: x.shape) { out in
            x.scalars.withUnsafeBufferPointer { src in
                guard let sp = src.baseAddress, let dp = out.baseAddress else { return }
                parallelChunks(outer * inner, minimumPerChunk: Swift.max(1, 16_384 / Swift.max(n, 1))) { lanes in
                    for lane in lanes {
                        let base = (lane / inner) * n * inner + lane % inner
                        body(sp + base, dp + base, inner)
                    }
                }
            }
        }
    }

    /// Runs `body(gradient, output, inputGradient, stride)` on every lane, in parallel over lanes.
    static func laneBackward(
        _ g: Tensor, _ y: Tensor, outer: Int, n: Int, inner: Int,
        _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> Tensor {
        Tensor(shape: y.shape) { dx in
            g.scalars.withUnsafeBufferPointer { pg in
                y.scalars.withUnsafeBufferPointer { py in
                    guard let gp = pg.baseAddress, let yp = py.baseAddress, let dp = dx.baseAddress else { return }
                    parallelChunks(outer * inner, minimumPerChunk: Swift.max(1, 16_384 / Swift.max(n, 1))) { lanes in
                        for lane in lanes {
                            let base = (lane / inner) * n * inner + lane % inner
                            body(gp + base, yp + base, dp + base, inner)
                        }
                    }
                }
            }
        }
    }
}

/// Softmax (or log-softmax) of one lane of `n` values `stride` apart; stride 1 (the last axis)
/// gets its own contiguous copy of the loops.
@inline(__always)
func softmaxLane(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, n: Int, stride s: Int, log: Bool) {
    if s == 1 {
        softmaxLaneBody(src, dst, n: n, stride: 1, log: log)
    } else {
        softmaxLaneBody(src, dst, n: n, stride: s, log: log)
    }
}

@inline(__always)
private func softmaxLaneBody(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, n: Int, stride s: Int, log: Bool) {
    var m = -Float.infinity
    for j in 0..<n { m = Swift.max(m, src[j * s]) }
    var sum: Float = 0
    if log {
        for j in 0..<n { sum += Foundation.exp(src[j * s] - m) }
        let logSum = Foundation.log(sum)
        for j in 0..<n { dst[j * s] = (src[j * s] - m) - logSum }
    } else {
        for j in 0..<n {
            let e = Foundation.exp(src[j * s] - m)
            dst[j * s] = e
            sum += e
        }
        let inv = 1 / sum
        for j in 0..<n { dst[j * s] *= inv }
    }
}
