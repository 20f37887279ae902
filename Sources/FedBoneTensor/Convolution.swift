/// 2-D convolution (PyTorch's `F.conv2d`) as im2col + GEMM, with its backward pass.
extension Tensor {
    /// 2-D cross-correlation over an NCHW batch, as PyTorch's `F.conv2d`:
    ///
    /// `y[n, o, oh, ow] = bias[o] + Σ_{c, i, j} weight[o, c, i, j] · x[n, g·C/G + c, oh·sH − pH + i·dH, ow·sW − pW + j·dW]`
    ///
    /// where `g = o / (O/G)` is the group of output channel `o` and pixels in the padding are 0.
    ///
    /// - Shapes: `self` `[N, C, H, W]`, `weight` `[O, C/groups, kH, kW]`, `bias` `[O]` →
    ///   `[N, O, Hout, Wout]` with `Hout = ⌊(H + 2·pH − dH·(kH − 1) − 1) / sH⌋ + 1` (same for W).
    /// - Cost: one GEMM `[O/G, C/G·kH·kW] × [C/G·kH·kW, Hout·Wout]` per image and group. A 1×1
    ///   kernel with stride 1 and no padding skips im2col and multiplies the image directly.
    ///   Batches of at least as many images as threads run one image per thread at a time
    ///   (``forEachImage(_:scratch:_:)``); smaller ones split each image's work across threads.
    ///   Stride-1 convolutions over 32 or more channels skip im2col (``ShiftedConvolution``).
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                       dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
        let x = self
        precondition(x.rank == 4, "conv2d: input must be [N, C, H, W], got \(x.shape)")
        precondition(weight.rank == 4, "conv2d: weight must be [out, in/groups, kH, kW], got \(weight.shape)")
        precondition(!x.shape.contains(0) && !weight.shape.contains(0),
                     "conv2d: empty input \(x.shape) or weight \(weight.shape)")
        checkWindow("conv2d", stride: stride, padding: padding, dilation: dilation)
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        precondition(groups > 0 && c % groups == 0 && o % groups == 0,
                     "conv2d: groups \(groups) must divide input channels \(c) and output channels \(o)")
        precondition(weight.shape[1] == c / groups,
                     "conv2d: weight \(weight.shape) needs \(c / groups) input channels per group for input \(x.shape) with groups \(groups)")
        if let bias { precondition(bias.shape == [o], "conv2d: bias must be [\(o)], got \(bias.shape)") }
        guard let outH = WindowGeometry.outputSize(input: h, kernel: kh, stride: stride.0, padding: padding.0, dilation: dilation.0),
              let outW = WindowGeometry.outputSize(input: w, kernel: kw, stride: stride.1, padding: padding.1, dilation: dilation.1)
        else {
            preconditionFailure("conv2d: kernel \([kh, kw]) with dilation \(dilation) does not fit input \(x.shape) padded by \(padding)")
        }
        let geometry = WindowGeometry(channels: c, height: h, width: w, kernelH: kh, kernelW: kw,
                                      strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                                      dilationH: dilation.0, dilationW: dilation.1, outH: outH, outW: outW)
        if ShiftedConvolution.applies(channels: c, kernel: (kh, kw), stride: stride, dilation: dilation, groups: groups) {
            return x.shiftedConv2d(weight: weight, bias: bias, padding: padding)
        }
        let direct = kh == 1 && kw == 1 && stride == (1, 1) && padding == (0, 0)
        let spatial = outH * outW, imageSize = c * h * w
        let og = o / groups, kg = (c / groups) * kh * kw
        // im2col runs in bands of output rows whose column matrix stays in cache for the GEMM.
        let bandRows = direct ? outH : geometry.bandRows
        let scratchCount = direct ? 0 : geometry.columnRows * bandRows * outW
        let bands = Swift.stride(from: 0, to: outH, by: bandRows).map { $0..<Swift.min($0 + bandRows, outH) }

        let out = Tensor(shape: [n, o, outH, outW]) { y in
            x.scalars.withUnsafeBufferPointer { px in weight.scalars.withUnsafeBufferPointer { pw in withOptionalPointer(bias) { pb in
                FlopCounter.add(multiplyAdds: n * o * spatial * kg)
                forEachImage(n, scratch: scratchCount) { b, scratch in
                    if let pb { Tensor.fillBias(pb, into: y.baseAddress! + b * o * spatial, batch: 1, channels: o, spatial: spatial) }
                    let image = px.baseAddress! + b * imageSize
                    for band in bands {
                        let first = band.lowerBound * outW, width = band.count * outW
                        let columns: UnsafePointer<Float>
                        if direct { columns = image } else { geometry.im2col(image, scratch, outputRows: band); columns = UnsafePointer(scratch) }
                        for g in 0..<groups {
                            uncountedSgemm(transA: false, transB: false, m: og, n: width, k: kg,
                                           a: pw.baseAddress! + g * og * kg, b: columns + g * kg * width, ldb: direct ? spatial : width,
                                           beta: bias == nil ? 0 : 1, c: y.baseAddress! + (b * o + g * og) * spatial + first, ldc: spatial)
                        }
                    }
                }
            } } }
        }

        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.record(out, inputs: inputs) { gy in
            // gy: [N, O, Hout, Wout]; gx: [N, C, H, W]; gw: [O, C/G, kH, kW]; gb: [O].
            var gx: Tensor?, gw: Tensor?, gb: Tensor?
            if let bias, bias.requiresGrad { gb = gy.sumOverBatchAndSpace(channels: o) }
            gy.scalars.withUnsafeBufferPointer { pg in
                if weight.requiresGrad {
                    // One partial gradient per image, summed in image order: the result does not
                    // depend on how images are spread over threads.
                    var partials = [Float](repeating: 0, count: n * weight.count)
                    partials.withUnsafeMutableBufferPointer { pp in
                        x.scalars.withUnsafeBufferPointer { px in
                            forEachImage(n, scratch: scratchCount) { b, scratch in
                                let image = px.baseAddress! + b * imageSize
                                for (index, band) in bands.enumerated() {
                                    let first = band.lowerBound * outW, width = band.count * outW
                                    let columns: UnsafePointer<Float>
                                    if direct { columns = image } else { geometry.im2col(image, scratch, outputRows: band); columns = UnsafePointer(scratch) }
                                    for g in 0..<groups {
                                        uncountedSgemm(transA: false, transB: true, m: og, n: kg, k: width,
                                                       a: pg.baseAddress! + (b * o + g * og) * spatial + first, lda: spatial,
                                                       b: columns + g * kg * width, ldb: direct ? spatial : width,
                                                       beta: index == 0 ? 0 : 1, c: pp.baseAddress! + b * weight.count + g * og * kg)
                                    }
                                }
                            }
                        }
                    }
                    gw = Tensor.sumOfBlocks(partials, blocks: n, shape: weight.shape)
                }
                if x.requiresGrad {
                    gx = Tensor(shape: x.shape) { dx in
                        dx.update(repeating: 0)
                        weight.scalars.withUnsafeBufferPointer { pw in
                            forEachImage(n, scratch: scratchCount) { b, scratch in
                                let image = dx.baseAddress! + b * imageSize
                                for band in bands {
                                    let first = band.lowerBound * outW, width = band.count * outW
                                    let columns = direct ? image : scratch
                                    for g in 0..<groups {
                                        uncountedSgemm(transA: true, transB: false, m: kg, n: width, k: og,
                                                       a: pw.baseAddress! + g * og * kg,
                                                       b: pg.baseAddress! + (b * o + g * og) * spatial + first, ldb: spatial,
                                                       c: columns + g * kg * width, ldc: direct ? spatial : width)
                                    }
                                    if !direct { geometry.col2im(scratch, image, outputRows: band) }
                                }
                            }
                        }
                    }
                }
            }
            return bias == nil ? [gx, gw] : [gx, gw, gb]
        }
    }
}

/// Runs `body(image, scratch)` for every image index in `0..<count`, with `scratch` room for
/// `scratchCount` floats private to the call. With at least as many images as threads (and the
/// engine's own GEMM, which threads nothing by itself inside a loop) the images are spread over
/// the threads and everything inside runs single-threaded (nested parallel loops run serially);
/// otherwise images run in order and their ops use every thread.
func forEachImage(_ count: Int, scratch scratchCount: Int, _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
    if GemmBackend.engineThreads && count >= ComputeThreads.current {
        parallelChunks(count) { range in
            withScratch(scratchCount) { scratch in
                for image in range { body(image, scratch) }
            }
        }
    } else {
        withScratch(scratchCount) { scratch in
            for image in 0..<count { body(image, scratch) }
        }
    }
}
