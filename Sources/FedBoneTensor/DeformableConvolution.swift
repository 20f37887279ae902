/// Deformable convolution v1 (torchvision's `ops.deform_conv2d` without mask): bilinear
/// sampling at learned offsets into a column matrix, then one GEMM per image.
extension Tensor {
    /// Deformable 2-D convolution, as `torchvision.ops.deform_conv2d(x, offset, weight, bias,
    /// stride, padding, dilation)` without a mask. Each kernel tap `k = i·kW + j` of output
    /// position `(oh, ow)` samples channel `c` at
    ///
    /// `py = oh·sH − pH + i·dH + offset[n, 2·(g·kH·kW + k), oh, ow]`,
    /// `px = ow·sW − pW + j·dW + offset[n, 2·(g·kH·kW + k) + 1, oh, ow]`
    ///
    /// where `g = c / (C / offsetGroups)` is the channel's offset group, by bilinear interpolation
    /// with zeros outside the image (a point with `py ≤ −1`, `py ≥ H`, `px ≤ −1` or `px ≥ W` reads
    /// 0; corners outside read 0), then `y[n, o, oh, ow] = bias[o] + Σ_{c,k} weight[o, c, k] · sample`.
    ///
    /// The gradient w.r.t. the offsets is the derivative of the bilinear weights; like any
    /// bilinear sampler it is discontinuous where a sampling point crosses an integer row or column.
    ///
    /// - Shapes: `self` `[N, C, H, W]`, `offset` `[N, 2·offsetGroups·kH·kW, Hout, Wout]`,
    ///   `weight` `[O, C, kH, kW]`, `bias` `[O]` → `[N, O, Hout, Wout]`, with `Hout`, `Wout` as in
    ///   ``conv2d(weight:bias:stride:padding:dilation:groups:)``. `offsetGroups` is read from the
    ///   offset's channel count and must divide `C`.
    public func deformableConv2d(offset: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                                 padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) -> Tensor {
        let x = self
        precondition(x.rank == 4, "deformableConv2d: input must be [N, C, H, W], got \(x.shape)")
        precondition(weight.rank == 4, "deformableConv2d: weight must be [out, in, kH, kW], got \(weight.shape)")
        precondition(!x.shape.contains(0) && !weight.shape.contains(0),
                     "deformableConv2d: empty input \(x.shape) or weight \(weight.shape)")
        checkWindow("deformableConv2d", stride: stride, padding: padding, dilation: dilation)
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        precondition(weight.shape[1] == c,
                     "deformableConv2d: weight \(weight.shape) needs \(c) input channels for input \(x.shape) (only groups = 1)")
        if let bias { precondition(bias.shape == [o], "deformableConv2d: bias must be [\(o)], got \(bias.shape)") }
        guard let outH = WindowGeometry.outputSize(input: h, kernel: kh, stride: stride.0, padding: padding.0, dilation: dilation.0),
              let outW = WindowGeometry.outputSize(input: w, kernel: kw, stride: stride.1, padding: padding.1, dilation: dilation.1)
        else {
            preconditionFailure("deformableConv2d: kernel \([kh, kw]) with dilation \(dilation) does not fit input \(x.shape) padded by \(padding)")
        }
        let taps = kh * kw
        precondition(offset.rank == 4 && offset.shape[0] == n && offset.shape[2] == outH && offset.shape[3] == outW
                     && offset.shape[1] > 0 && offset.shape[1] % (2 * taps) == 0,
                     "deformableConv2d: offset must be [\(n), 2·offsetGroups·\(taps), \(outH), \(outW)], got \(offset.shape)")
        let offsetGroups = offset.shape[1] / (2 * taps)
        precondition(c % offsetGroups == 0,
                     "deformableConv2d: \(offsetGroups) offset groups (offset \(offset.shape)) must divide input channels \(c)")
        let sampler = DeformableSampler(channels: c, height: h, width: w, kernelH: kh, kernelW: kw,
                                        strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                                        dilationH: dilation.0, dilationW: dilation.1, outH: outH, outW: outW,
                                        offsetGroups: offsetGroups)
        let spatial = outH * outW, imageSize = c * h * w, offsetSize = offset.count / n
        let rows = c * taps

        FlopCounter.add(multiplyAdds: 4 * n * rows * spatial)
        let out = Tensor(shape: [n, o, outH, outW]) { y in
            x.scalars.withUnsafeBufferPointer { px in offset.scalars.withUnsafeBufferPointer { poff in
                weight.scalars.withUnsafeBufferPointer { pw in
                    if let bias {
                        bias.scalars.withUnsafeBufferPointer { Tensor.fillBias($0.baseAddress!, into: y.baseAddress!, batch: n, channels: o, spatial: spatial) }
                    }
                    withScratch(rows * spatial) { columns in
                        for b in 0..<n {
                            let points = sampler.samplePoints(poff.baseAddress! + b * offsetSize)
                            sampler.columns(px.baseAddress! + b * imageSize, points, columns)
                            sgemm(transA: false, transB: false, m: o, n: spatial, k: rows,
                                  a: pw.baseAddress!, b: columns, beta: bias == nil ? 0 : 1,
                                  c: y.baseAddress! + b * o * spatial)
                        }
                    }
                }
            } }
        }

        let inputs = [x, offset, weight] + (bias.map { [$0] } ?? [])
        return Tensor.record(out, inputs: inputs) { gy in
            // gy: [N, O, Hout, Wout]; gx: [N, C, H, W]; goffset: offset's shape;
            // gw: [O, C, kH, kW]; gb: [O].
            var gb: Tensor?
            if let bias, bias.requiresGrad { gb = gy.sumOverBatchAndSpace(channels: o) }
            let needColumns = x.requiresGrad || offset.requiresGrad
            guard needColumns || weight.requiresGrad else { return [nil, nil, nil] + (bias == nil ? [] : [gb]) }
            var dx = x.requiresGrad ? Tensor.zeros(x.shape) : Tensor.zeros([])
            var doff = offset.requiresGrad ? Tensor.zeros(offset.shape) : Tensor.zeros([])
            var dw = weight.requiresGrad ? Tensor.zeros(weight.shape) : Tensor.zeros([])
            gy.scalars.withUnsafeBufferPointer { pg in
                x.scalars.withUnsafeBufferPointer { px in offset.scalars.withUnsafeBufferPointer { poff in
                    weight.scalars.withUnsafeBufferPointer { pw in
                        dx.scalars.withUnsafeMutableBufferPointer { pdx in doff.scalars.withUnsafeMutableBufferPointer { pdoff in
                            dw.scalars.withUnsafeMutableBufferPointer { pdw in
                                withScratch(rows * spatial) { columns in
                                    for b in 0..<n {
                                        let image = px.baseAddress! + b * imageSize
                                        let points = sampler.samplePoints(poff.baseAddress! + b * offsetSize)
                                        let grad = pg.baseAddress! + b * o * spatial
                                        if weight.requiresGrad {
                                            sampler.columns(image, points, columns)
                                            sgemm(transA: false, transB: true, m: o, n: rows, k: spatial,
                                                  a: grad, b: columns, beta: 1, c: pdw.baseAddress!)
                                        }
                                        guard needColumns else { continue }
                                        sgemm(transA: true, transB: false, m: rows, n: spatial, k: o,
                                              a: pw.baseAddress!, b: grad, c: columns)
                                        if x.requiresGrad {
                                            sampler.scatterColumns(columns, points, pdx.baseAddress! + b * imageSize)
                                        }
                                        if offset.requiresGrad {
                                            sampler.offsetGradient(columns, points, image, pdoff.baseAddress! + b * offsetSize)
                                        }
                                    }
                                }
                            }
                        } }
                    }
                } }
            }
            return [x.requiresGrad ? dx : nil, offset.requiresGrad ? doff : nil, weight.requiresGrad ? dw : nil]
                + (bias == nil ? [] : [gb])
        }
    }
}

/// One bilinear sampling point: its four corners (`-1` where outside the image) and the
/// fractional position between them, as torchvision's `bilinear_interpolate`.
struct BilinearPoint {
    /// Corner indices into the `[H, W]` plane: (low row, low col), (low, high), (high, low),
    /// (high, high); `-1` for a corner outside the image or a point that reads 0.
    var corners: (Int32, Int32, Int32, Int32)
    /// `py − ⌊py⌋` and `px − ⌊px⌋`.
    var fracY: Float, fracX: Float

    /// The interpolation weights of the four corners, in the order of ``corners``.
    @inline(__always)
    var weights: (Float, Float, Float, Float) {
        let hy = 1 - fracY, hx = 1 - fracX
        return (hy * hx, hy * fracX, fracY * hx, fracY * fracX)
    }
}

/// The sampling geometry of a deformable convolution over one image.
struct DeformableSampler {
    var channels: Int
    var height: Int, width: Int
    var kernelH: Int, kernelW: Int
    var strideH: Int, strideW: Int
    var padH: Int, padW: Int
    var dilationH: Int, dilationW: Int
    var outH: Int, outW: Int
    var offsetGroups: Int

    var taps: Int { kernelH * kernelW }
    var spatial: Int { outH * outW }
    var channelsPerGroup: Int { channels / offsetGroups }
    private var channelsPerChunk: Int { Swift.max(1, 8_192 / Swift.max(taps * spatial, 1)) }

    /// The sampling points of one image, `[offsetGroups, kH·kW, Hout·Wout]`, from its offsets
    /// `[2·offsetGroups·kH·kW, Hout, Wout]`.
    func samplePoints(_ offset: UnsafePointer<Float>) -> [BilinearPoint] {
        let count = offsetGroups * taps * spatial
        return [BilinearPoint](unsafeUninitializedCapacity: count) { points, initialized in
            for g in 0..<offsetGroups {
                for i in 0..<kernelH {
                    for j in 0..<kernelW {
                        let k = g * taps + i * kernelW + j
                        let dy = offset + 2 * k * spatial, dx = dy + spatial
                        for oh in 0..<outH {
                            for ow in 0..<outW {
                                let p = oh * outW + ow
                                let y = Float(oh * strideH - padH + i * dilationH) + dy[p]
                                let x = Float(ow * strideW - padW + j * dilationW) + dx[p]
                                (points.baseAddress! + k * spatial + p).initialize(to: point(y: y, x: x))
                            }
                        }
                    }
                }
            }
            initialized = count
        }
    }

    /// The bilinear point at `(y, x)` with torchvision's boundary rules.
    @inline(__always)
    func point(y: Float, x: Float) -> BilinearPoint {
        if y <= -1 || Float(height) <= y || x <= -1 || Float(width) <= x {
            return BilinearPoint(corners: (-1, -1, -1, -1), fracY: 0, fracX: 0)
        }
        let yLow = Int(y.rounded(.down)), xLow = Int(x.rounded(.down))
        let yHigh = yLow + 1, xHigh = xLow + 1
        func index(_ r: Int, _ c: Int) -> Int32 {
            r >= 0 && r < height && c >= 0 && c < width ? Int32(r * width + c) : -1
        }
        return BilinearPoint(corners: (index(yLow, xLow), index(yLow, xHigh), index(yHigh, xLow), index(yHigh, xHigh)),
                             fracY: y - Float(yLow), fracX: x - Float(xLow))
    }

    /// Fills the column matrix `[C·kH·kW, Hout·Wout]` with the sampled values of `image`
    /// (`[C, H, W]`).
    func columns(_ image: UnsafePointer<Float>, _ points: [BilinearPoint], _ columns: UnsafeMutablePointer<Float>) {
        points.withUnsafeBufferPointer { pts in
            parallelChunks(channels, minimumPerChunk: channelsPerChunk) { range in
                for c in range {
                    let plane = image + c * height * width
                    let groupPoints = pts.baseAddress! + (c / channelsPerGroup) * taps * spatial
                    let dst = columns + c * taps * spatial
                    for q in 0..<(taps * spatial) {
                        let pt = groupPoints[q]
                        let (w1, w2, w3, w4) = pt.weights
                        let v1 = pt.corners.0 >= 0 ? plane[Int(pt.corners.0)] : 0
                        let v2 = pt.corners.1 >= 0 ? plane[Int(pt.corners.1)] : 0
                        let v3 = pt.corners.2 >= 0 ? plane[Int(pt.corners.2)] : 0
                        let v4 = pt.corners.3 >= 0 ? plane[Int(pt.corners.3)] : 0
                        dst[q] = w1 * v1 + w2 * v2 + w3 * v3 + w4 * v4
                    }
                }
            }
        }
    }

    /// The adjoint of ``columns(_:_:_:)``: adds each column gradient, times its bilinear
    /// weights, into the image gradient `[C, H, W]`.
    func scatterColumns(_ columns: UnsafePointer<Float>, _ points: [BilinearPoint], _ gradImage: UnsafeMutablePointer<Float>) {
        points.withUnsafeBufferPointer { pts in
            parallelChunks(channels, minimumPerChunk: channelsPerChunk) { range in
                for c in range {
                    let plane = gradImage + c * height * width
                    let groupPoints = pts.baseAddress! + (c / channelsPerGroup) * taps * spatial
                    let src = columns + c * taps * spatial
                    for q in 0..<(taps * spatial) {
                        let pt = groupPoints[q], g = src[q]
                        let (w1, w2, w3, w4) = pt.weights
                        if pt.corners.0 >= 0 { plane[Int(pt.corners.0)] += w1 * g }
                        if pt.corners.1 >= 0 { plane[Int(pt.corners.1)] += w2 * g }
                        if pt.corners.2 >= 0 { plane[Int(pt.corners.2)] += w3 * g }
                        if pt.corners.3 >= 0 { plane[Int(pt.corners.3)] += w4 * g }
                    }
                }
            }
        }
    }

    /// Writes the offset gradient `[2·offsetGroups·kH·kW, Hout, Wout]` from the column
    /// gradient: for each tap, the sum over the group's channels of the column gradient times
    /// the derivative of the sample w.r.t. `py` (even channels) and `px` (odd channels).
    func offsetGradient(_ columns: UnsafePointer<Float>, _ points: [BilinearPoint], _ image: UnsafePointer<Float>,
                        _ gradOffset: UnsafeMutablePointer<Float>) {
        let perGroup = channelsPerGroup
        points.withUnsafeBufferPointer { pts in
            parallelChunks(offsetGroups * taps, minimumPerChunk: Swift.max(1, 8_192 / Swift.max(perGroup * spatial, 1))) { range in
                for k in range {
                    let g = k / taps, tap = k % taps
                    let gy = gradOffset + 2 * k * spatial, gx = gy + spatial
                    let tapPoints = pts.baseAddress! + k * spatial
                    for p in 0..<spatial {
                        let pt = tapPoints[p]
                        var sy: Float = 0, sx: Float = 0
                        if pt.corners != (-1, -1, -1, -1) {
                            for cc in 0..<perGroup {
                                let c = g * perGroup + cc
                                let plane = image + c * height * width
                                let v1 = pt.corners.0 >= 0 ? plane[Int(pt.corners.0)] : 0
                                let v2 = pt.corners.1 >= 0 ? plane[Int(pt.corners.1)] : 0
                                let v3 = pt.corners.2 >= 0 ? plane[Int(pt.corners.2)] : 0
                                let v4 = pt.corners.3 >= 0 ? plane[Int(pt.corners.3)] : 0
                                let grad = columns[(c * taps + tap) * spatial + p]
                                sy += grad * (pt.fracX * (v4 - v2) + (1 - pt.fracX) * (v3 - v1))
                                sx += grad * (pt.fracY * (v4 - v3) + (1 - pt.fracY) * (v2 - v1))
                            }
                        }
                        gy[p] = sy
                        gx[p] = sx
                    }
                }
            }
        }
    }
}
