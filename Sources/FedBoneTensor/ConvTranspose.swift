/// Transposed 2-D convolution (PyTorch's `F.conv_transpose2d`) as GEMM + col2im, with its
/// backward pass (im2col + GEMM).
extension Tensor {
    /// 2-D transposed convolution over an NCHW batch, as PyTorch's `F.conv_transpose2d`: the
    /// adjoint of ``conv2d(weight:bias:stride:padding:dilation:groups:)`` with the same
    /// hyper-parameters, plus a bias. Every input pixel scatters its weighted kernel:
    ///
    /// `y[n, g·O/G + o, ih·sH − pH + i·dH, iw·sW − pW + j·dW] += Σ_c x[n, g·C/G + c, ih, iw] · weight[g·C/G + c, o, i, j]`
    ///
    /// (positions that fall outside the output are dropped), then `y[n, o] += bias[o]`.
    ///
    /// - Shapes: `self` `[N, C, H, W]`, `weight` `[C, O/groups, kH, kW]` (PyTorch's layout),
    ///   `bias` `[O]` → `[N, O, Hout, Wout]` with
    ///   `Hout = (H − 1)·sH − 2·pH + dH·(kH − 1) + outputPaddingH + 1` (same for W).
    /// - Precondition: each output padding is smaller than its stride or its dilation, as in
    ///   PyTorch.
    public func convTranspose2d(weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                                outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
        let x = self
        precondition(x.rank == 4, "convTranspose2d: input must be [N, C, H, W], got \(x.shape)")
        precondition(weight.rank == 4, "convTranspose2d: weight must be [in, out/groups, kH, kW], got \(weight.shape)")
        precondition(!x.shape.contains(0) && !weight.shape.contains(0),
                     "convTranspose2d: empty input \(x.shape) or weight \(weight.shape)")
        checkWindow("convTranspose2d", stride: stride, padding: padding, dilation: dilation)
        precondition(outputPadding.0 >= 0 && outputPadding.1 >= 0
                     && (outputPadding.0 < stride.0 || outputPadding.0 < dilation.0)
                     && (outputPadding.1 < stride.1 || outputPadding.1 < dilation.1),
                     "convTranspose2d: output padding \(outputPadding) must be smaller than either stride \(stride) or dilation \(dilation)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ogPerGroup, kh, kw) = (weight.shape[1], weight.shape[2], weight.shape[3])
        precondition(groups > 0 && c % groups == 0,
                     "convTranspose2d: groups \(groups) must divide input channels \(c)")
        precondition(weight.shape[0] == c,
                     "convTranspose2d: weight \(weight.shape) needs \(c) input channels for input \(x.shape)")
        let o = ogPerGroup * groups
        if let bias { precondition(bias.shape == [o], "convTranspose2d: bias must be [\(o)], got \(bias.shape)") }
        let outH = (h - 1) * stride.0 - 2 * padding.0 + dilation.0 * (kh - 1) + outputPadding.0 + 1
        let outW = (w - 1) * stride.1 - 2 * padding.1 + dilation.1 * (kw - 1) + outputPadding.1 + 1
        precondition(outH > 0 && outW > 0,
                     "convTranspose2d: output size [\(outH), \(outW)] for input \(x.shape) and weight \(weight.shape) is not positive")
        // The window geometry of the forward convolution this op is the adjoint of: it runs
        // over the (larger) output and produces the input grid.
        let geometry = WindowGeometry(channels: o, height: outH, width: outW, kernelH: kh, kernelW: kw,
                                      strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                                      dilationH: dilation.0, dilationW: dilation.1, outH: h, outW: w)
        let direct = kh == 1 && kw == 1 && stride == (1, 1) && padding == (0, 0) && outputPadding == (0, 0)
        let spatial = h * w, outSpatial = outH * outW
        let cg = c / groups, kg = ogPerGroup * kh * kw
        let scratchCount = direct ? 0 : geometry.columnRows * spatial

        let out = Tensor(shape: [n, o, outH, outW]) { y in
            if let bias {
                bias.scalars.withUnsafeBufferPointer { Tensor.fillBias($0.baseAddress!, into: y.baseAddress!, batch: n, channels: o, spatial: outSpatial) }
            } else {
                y.update(repeating: 0)
            }
            x.scalars.withUnsafeBufferPointer { px in weight.scalars.withUnsafeBufferPointer { pw in
                withScratch(scratchCount) { scratch in
                    for b in 0..<n {
                        let image = y.baseAddress! + b * o * outSpatial
                        let columns = direct ? image : scratch
                        for g in 0..<groups {
                            sgemm(transA: true, transB: false, m: kg, n: spatial, k: cg,
                                  a: pw.baseAddress! + g * cg * kg, b: px.baseAddress! + (b * c + g * cg) * spatial,
                                  beta: direct ? 1 : 0, c: columns + g * kg * spatial)
                        }
                        if !direct { geometry.col2im(scratch, image) }
                    }
                }
            } }
        }

        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.record(out, inputs: inputs) { gy in
            // gy: [N, O, Hout, Wout]; gx: [N, C, H, W]; gw: [C, O/G, kH, kW]; gb: [O].
            var gx: Tensor?, gw: Tensor?, gb: Tensor?
            if let bias, bias.requiresGrad { gb = gy.sumOverBatchAndSpace(channels: o) }
            guard x.requiresGrad || weight.requiresGrad else { return bias == nil ? [gx, gw] : [gx, gw, gb] }
            var dx = x.requiresGrad ? Tensor.zeros(x.shape) : Tensor.zeros([])
            var dw = weight.requiresGrad ? Tensor.zeros(weight.shape) : Tensor.zeros([])
            gy.scalars.withUnsafeBufferPointer { pg in
                x.scalars.withUnsafeBufferPointer { px in weight.scalars.withUnsafeBufferPointer { pw in
                    dx.scalars.withUnsafeMutableBufferPointer { pdx in dw.scalars.withUnsafeMutableBufferPointer { pdw in
                        withScratch(scratchCount) { scratch in
                            for b in 0..<n {
                                let image = pg.baseAddress! + b * o * outSpatial
                                let columns: UnsafePointer<Float>
                                if direct { columns = image } else { geometry.im2col(image, scratch); columns = UnsafePointer(scratch) }
                                for g in 0..<groups {
                                    let xg = (b * c + g * cg) * spatial
                                    if x.requiresGrad {
                                        sgemm(transA: false, transB: false, m: cg, n: spatial, k: kg,
                                              a: pw.baseAddress! + g * cg * kg, b: columns + g * kg * spatial,
                                              c: pdx.baseAddress! + xg)
                                    }
                                    if weight.requiresGrad {
                                        sgemm(transA: false, transB: true, m: cg, n: kg, k: spatial,
                                              a: px.baseAddress! + xg, b: columns + g * kg * spatial,
                                              beta: 1, c: pdw.baseAddress! + g * cg * kg)
                                    }
                                }
                            }
                        }
                    } }
                } }
            }
            if x.requiresGrad { gx = dx }
            if weight.requiresGrad { gw = dw }
            return bias == nil ? [gx, gw] : [gx, gw, gb]
        }
    }
}
