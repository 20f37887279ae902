/// Spatial pooling over NCHW batches (PyTorch's `F.max_pool2d`, `F.avg_pool2d`,
/// `F.adaptive_avg_pool2d(x, 1)`), with their backward passes.
extension Tensor {
    /// Checks a pooling window and returns the `[N·C, H, W]` plane layout and output size.
    private func poolGeometry(_ op: String, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int))
        -> (planes: Int, h: Int, w: Int, outH: Int, outW: Int) {
        precondition(rank == 4, "\(op): input must be [N, C, H, W], got \(shape)")
        precondition(!shape.contains(0), "\(op): empty input \(shape)")
        precondition(kernel.0 > 0 && kernel.1 > 0, "\(op): kernel must be positive, got \(kernel)")
        checkWindow(op, stride: stride, padding: padding, dilation: (1, 1))
        precondition(padding.0 <= kernel.0 / 2 && padding.1 <= kernel.1 / 2,
                     "\(op): padding \(padding) must be at most half the kernel \(kernel)")
        let h = shape[2], w = shape[3]
        guard let outH = WindowGeometry.outputSize(input: h, kernel: kernel.0, stride: stride.0, padding: padding.0, dilation: 1),
              let outW = WindowGeometry.outputSize(input: w, kernel: kernel.1, stride: stride.1, padding: padding.1, dilation: 1)
        else { preconditionFailure("\(op): kernel \(kernel) does not fit input \(shape) padded by \(padding)") }
        return (shape[0] * shape[1], h, w, outH, outW)
    }

    /// Planes per parallel chunk so each chunk reads at least ~32k values.
    private static func planesPerChunk(_ planeWork: Int) -> Int { Swift.max(1, 32_768 / Swift.max(planeWork, 1)) }

    /// Max pooling as PyTorch's `F.max_pool2d` (no dilation, `ceil_mode=False`): the maximum of
    /// each `kH × kW` window, with padding acting as −∞. The first maximum in row-major window
    /// order wins (a NaN always wins), and the backward pass routes each gradient to it.
    ///
    /// - Shapes: `[N, C, H, W]` → `[N, C, Hout, Wout]`, `Hout = ⌊(H + 2·pH − kH) / sH⌋ + 1`.
    /// - Parameters:
    ///   - stride: defaults to the kernel size.
    ///   - padding: at most half the kernel, as PyTorch requires.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        let x = self, stride = stride ?? kernel
        let (planes, h, w, outH, outW) = poolGeometry("maxPool2d", kernel: kernel, stride: stride, padding: padding)
        let outSpatial = outH * outW
        var argmax = [Int32](repeating: 0, count: planes * outSpatial)
        let out = Tensor(shape: [shape[0], shape[1], outH, outW]) { y in
            x.scalars.withUnsafeBufferPointer { px in argmax.withUnsafeMutableBufferPointer { pa in
                let indices = pa.baseAddress!
                parallelChunks(planes, minimumPerChunk: Tensor.planesPerChunk(outSpatial * kernel.0 * kernel.1)) { range in
                    for plane in range {
                        let src = px.baseAddress! + plane * h * w
                        for oh in 0..<outH {
                            let h0 = oh * stride.0 - padding.0
                            let rows = Swift.max(h0, 0)..<Swift.min(h0 + kernel.0, h)
                            for ow in 0..<outW {
                                let w0 = ow * stride.1 - padding.1
                                let cols = Swift.max(w0, 0)..<Swift.min(w0 + kernel.1, w)
                                var best = -Float.infinity
                                var bestIndex = rows.lowerBound * w + cols.lowerBound
                                for ih in rows {
                                    for iw in cols {
                                        let v = src[ih * w + iw]
                                        if v > best || v.isNaN { best = v; bestIndex = ih * w + iw }
                                    }
                                }
                                let o = plane * outSpatial + oh * outW + ow
                                y[o] = best
                                indices[o] = Int32(bestIndex)
                            }
                        }
                    }
                }
            } }
        }
        let winners = argmax
        return Tensor.record(out, inputs: [x]) { gy in
            // gy: [N, C, Hout, Wout] → gx: [N, C, H, W], each gradient added at its argmax.
            [Tensor(shape: x.shape) { dx in
                dx.update(repeating: 0)
                gy.scalars.withUnsafeBufferPointer { pg in winners.withUnsafeBufferPointer { pa in
                    parallelChunks(planes, minimumPerChunk: Tensor.planesPerChunk(outSpatial)) { range in
                        for plane in range {
                            let dst = dx.baseAddress! + plane * h * w
                            for o in plane * outSpatial..<(plane + 1) * outSpatial { dst[Int(pa[o])] += pg[o] }
                        }
                    }
                } }
            }]
        }
    }

    /// Average pooling as PyTorch's `F.avg_pool2d` with `count_include_pad=True` and
    /// `ceil_mode=False`: each output is the sum of its window's in-image values divided by the
    /// full window size `kH·kW` (padding counts as zeros).
    ///
    /// - Shapes: `[N, C, H, W]` → `[N, C, Hout, Wout]`, `Hout = ⌊(H + 2·pH − kH) / sH⌋ + 1`.
    /// - Parameters:
    ///   - stride: defaults to the kernel size.
    ///   - padding: at most half the kernel, as PyTorch requires.
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        let x = self, stride = stride ?? kernel
        let (planes, h, w, outH, outW) = poolGeometry("avgPool2d", kernel: kernel, stride: stride, padding: padding)
        let outSpatial = outH * outW
        // PyTorch's window: clipped to the padded image for the divisor, to the image for the sum.
        func window(_ o: Int, _ k: Int, _ s: Int, _ p: Int, _ size: Int) -> (range: Range<Int>, padded: Int) {
            let start = o * s - p, end = Swift.min(start + k, size + p)
            return (Swift.max(start, 0)..<Swift.min(end, size), end - start)
        }
        FlopCounter.add(multiplyAdds: planes * outSpatial * kernel.0 * kernel.1)
        let out = Tensor(shape: [shape[0], shape[1], outH, outW]) { y in
            x.scalars.withUnsafeBufferPointer { px in
                parallelChunks(planes, minimumPerChunk: Tensor.planesPerChunk(outSpatial * kernel.0 * kernel.1)) { range in
                    for plane in range {
                        let src = px.baseAddress! + plane * h * w
                        for oh in 0..<outH {
                            let (rows, padRows) = window(oh, kernel.0, stride.0, padding.0, h)
                            for ow in 0..<outW {
                                let (cols, padCols) = window(ow, kernel.1, stride.1, padding.1, w)
                                var sum: Float = 0
                                for ih in rows { for iw in cols { sum += src[ih * w + iw] } }
                                y[plane * outSpatial + oh * outW + ow] = rows.isEmpty || cols.isEmpty ? 0 : sum / Float(padRows * padCols)
                            }
                        }
                    }
                }
            }
        }
        return Tensor.record(out, inputs: [x]) { gy in
            // gy: [N, C, Hout, Wout] → gx: [N, C, H, W], each gradient spread over its window.
            [Tensor(shape: x.shape) { dx in
                dx.update(repeating: 0)
                gy.scalars.withUnsafeBufferPointer { pg in
                    parallelChunks(planes, minimumPerChunk: Tensor.planesPerChunk(outSpatial * kernel.0 * kernel.1)) { range in
                        for plane in range {
                            let dst = dx.baseAddress! + plane * h * w
                            for oh in 0..<outH {
                                let (rows, padRows) = window(oh, kernel.0, stride.0, padding.0, h)
                                for ow in 0..<outW {
                                    let (cols, padCols) = window(ow, kernel.1, stride.1, padding.1, w)
                                    let g = pg[plane * outSpatial + oh * outW + ow] / Float(padRows * padCols)
                                    for ih in rows { for iw in cols { dst[ih * w + iw] += g } }
                                }
                            }
                        }
                    }
                }
            }]
        }
    }

    /// The mean of every channel plane, as PyTorch's `F.adaptive_avg_pool2d(x, 1).flatten(1)`.
    ///
    /// - Shapes: `[N, C, H, W]` → `[N, C]`.
    public func globalAveragePool() -> Tensor {
        let x = self
        precondition(x.rank == 4, "globalAveragePool: input must be [N, C, H, W], got \(x.shape)")
        precondition(!x.shape.contains(0), "globalAveragePool: empty input \(x.shape)")
        let planes = shape[0] * shape[1], area = shape[2] * shape[3]
        FlopCounter.add(multiplyAdds: x.count)
        let out = Tensor(shape: [shape[0], shape[1]]) { y in
            x.scalars.withUnsafeBufferPointer { px in
                for plane in 0..<planes {
                    let src = px.baseAddress! + plane * area
                    var sum: Float = 0
                    for i in 0..<area { sum += src[i] }
                    y[plane] = sum / Float(area)
                }
            }
        }
        return Tensor.record(out, inputs: [x]) { gy in
            // gy: [N, C] → gx: [N, C, H, W] = gy / (H·W) broadcast over each plane.
            [Tensor(shape: x.shape) { dx in
                for plane in 0..<planes {
                    (dx.baseAddress! + plane * area).update(repeating: gy.scalars[plane] / Float(area), count: area)
                }
            }]
        }
    }
}
