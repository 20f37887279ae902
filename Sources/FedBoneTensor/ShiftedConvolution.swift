import FedBoneKernels

/// Stride-1, dilation-1, single-group convolutions computed as shifted GEMMs, without im2col.
///
/// The image is copied once into a zero-padded plane per channel, `[C, Hp, Wp]`. An output is
/// computed on the padded width, a grid of `outH × Wp` positions of which the first `outW` of
/// each row are real (the other `kW − 1` read across a row end and are dropped). For kernel tap
/// `(i, j)`, the input positions under the grid are the padded planes read from offset
/// `i·Wp + j` with the grid's own stride, so each tap is one GEMM straight on the padded image:
///
/// `grid[O, outH·Wp] = Σ_(i,j) W_ij[O, C] × Xp[C, (i·Wp + j) + (0 ..< outH·Wp)]`
///
/// The sum over taps is one ``shiftedProductSum(transA:m:n:k:aOffsets:bOffsets:a:lda:b:ldb:beta:c:ldc:)``,
/// which keeps it in registers (the grid is written once, not once per tap). The backward passes
/// are the same shifted products transposed: `∂W_ijᵀ = Xp_shifted × ∂gridᵀ` (with the dropped
/// grid columns' gradient zero; `∂gridᵀ` is transposed once and read in place by every tap,
/// where `∂grid × Xp_shiftedᵀ` would pack a transposed image per tap), and `∂Xp[·, q] = Σ_(i,j) W_ijᵀ × ∂grid[·, q − shift]`, again one
/// sum, read from a gradient grid with zero margins wide enough for every shift. This writes each
/// input once instead of `kH·kW` times and runs the same multiply-adds as im2col + GEMM; it is
/// used when the channels are many enough for the products to run well.
struct ShiftedConvolution {
    let channels: Int, height: Int, width: Int
    let outputs: Int, kernelH: Int, kernelW: Int, padH: Int, padW: Int

    /// Whether a convolution with these settings takes this path.
    static func applies(channels: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int), groups: Int) -> Bool {
        groups == 1 && stride == (1, 1) && dilation == (1, 1) && kernel.0 * kernel.1 > 1 && channels >= 32
    }

    var paddedH: Int { height + 2 * padH }
    var paddedW: Int { width + 2 * padW }
    var outH: Int { paddedH - kernelH + 1 }
    var outW: Int { paddedW - kernelW + 1 }
    var taps: Int { kernelH * kernelW }
    /// One channel's padded plane.
    var plane: Int { paddedH * paddedW }
    /// Floats of a padded image: the planes plus the `kW` floats that the last grid row's dropped
    /// columns read past the end.
    var paddedCount: Int { channels * plane + kernelW }
    /// Positions of the output grid (`outH × Wp`).
    var grid: Int { outH * paddedW }
    /// The zeros before and after each row of a gradient grid: the largest shift.
    var margin: Int { shift(taps - 1) }
    /// The row stride of a gradient grid, `[O, margin + grid + margin]`.
    var gradientStride: Int { grid + 2 * margin }
    /// Floats of scratch per image: a padded image, a gradient grid (which is larger than a
    /// forward grid) and its transpose.
    var scratchCount: Int { paddedCount + outputs * (gradientStride + grid) }
    /// Offsets of the tap-major weights `[taps, O, C]`, one per tap.
    var weightOffsets: [Int] { (0..<taps).map { $0 * outputs * channels } }

    /// The offset of tap `t` (`i·kW + j`) in a padded plane.
    func shift(_ t: Int) -> Int { (t / kernelW) * paddedW + t % kernelW }

    /// `[taps, O, C]` from a `[O, C, kH, kW]` weight.
    func tapMajor(_ weight: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        for o in 0..<outputs {
            for c in 0..<channels {
                for t in 0..<taps { out[(t * outputs + o) * channels + c] = weight[(o * channels + c) * taps + t] }
            }
        }
    }

    /// Copies one `[C, H, W]` image into its zero-padded planes.
    func pad(_ image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        padded.update(repeating: 0, count: paddedCount)
        for c in 0..<channels {
            for r in 0..<height {
                (padded + c * plane + (r + padH) * paddedW + padW).update(from: image + (c * height + r) * width, count: width)
            }
        }
    }

    /// `grid = Σ_t W_t × Xp_shifted(t)` for one image, on the calling thread.
    func forward(weights: UnsafePointer<Float>, padded: UnsafePointer<Float>, grid out: UnsafeMutablePointer<Float>) {
        shiftedProductSum(transA: false, m: outputs, n: grid, k: channels,
                          aOffsets: weightOffsets, bOffsets: (0..<taps).map(shift),
                          a: weights, lda: channels, b: padded, ldb: plane, c: out, ldc: grid)
    }

    /// Copies the real columns of a grid `[O, outH·Wp]` into `[O, outH, outW]`, adding `bias`.
    func crop(_ grid: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?) {
        for o in 0..<outputs {
            let b = bias?[o] ?? 0
            for r in 0..<outH {
                let src = grid + o * self.grid + r * paddedW, dst = out + (o * outH + r) * outW
                for q in 0..<outW { dst[q] = src[q] + b }
            }
        }
    }

    /// Spreads `[O, outH, outW]` onto a gradient grid (row stride ``gradientStride``, each row
    /// starting ``margin`` floats in), the margins and dropped columns zero.
    func spread(_ gradient: UnsafePointer<Float>, into grid: UnsafeMutablePointer<Float>) {
        grid.update(repeating: 0, count: outputs * gradientStride)
        for o in 0..<outputs {
            for r in 0..<outH {
                (grid + o * gradientStride + margin + r * paddedW).update(from: gradient + (o * outH + r) * outW, count: outW)
            }
        }
    }

    /// `∂W_tᵀ = Xp_shifted(t) × ∂gridᵀ` into `[taps, C, O]` (overwritten), from a gradient grid;
    /// `transposed` is scratch for `∂gridᵀ` (`grid × O` floats).
    func weightGradient(grid gradient: UnsafePointer<Float>, padded: UnsafePointer<Float>,
                        transposed: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        fb_transpose(gradient + margin, outputs, grid, gradientStride, transposed, outputs)
        for t in 0..<taps {
            uncountedSgemm(transA: false, transB: false, m: channels, n: outputs, k: grid,
                           a: padded + shift(t), lda: plane, b: transposed, ldb: outputs,
                           c: out + t * outputs * channels)
        }
    }

    /// The rows of the padded planes that hold the image, `∂Xp[·, q] = Σ_t W_tᵀ × ∂grid[·, q −
    /// shift(t)]`, from a gradient grid (whose margins supply the zeros past either end).
    func inputGradient(weights: UnsafePointer<Float>, grid gradient: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let firstRow = padH * paddedW
        shiftedProductSum(transA: true, m: channels, n: height * paddedW, k: outputs,
                          aOffsets: weightOffsets, bOffsets: (0..<taps).map { margin + firstRow - shift($0) },
                          a: weights, lda: channels, b: gradient, ldb: gradientStride,
                          c: padded + firstRow, ldc: plane)
    }

    /// The interior of padded planes, `[C, H, W]` (only the image's rows are read).
    func unpad(_ padded: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        for c in 0..<channels {
            for r in 0..<height {
                (image + (c * height + r) * width).update(from: padded + c * plane + (r + padH) * paddedW + padW, count: width)
            }
        }
    }
}

extension Tensor {
    /// ``conv2d(weight:bias:stride:padding:dilation:groups:)`` through ``ShiftedConvolution``
    /// (the caller checked ``ShiftedConvolution/applies(channels:kernel:stride:dilation:groups:)``).
    func shiftedConv2d(weight: Tensor, bias: Tensor?, padding: (Int, Int)) -> Tensor {
        let x = self
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let plan = ShiftedConvolution(channels: c, height: h, width: w, outputs: weight.shape[0],
                                      kernelH: weight.shape[2], kernelW: weight.shape[3], padH: padding.0, padW: padding.1)
        let o = plan.outputs, imageSize = c * h * w, outImage = o * plan.outH * plan.outW
        let scratchCount = plan.scratchCount
        var tapWeights = [Float](repeating: 0, count: weight.count)
        weight.scalars.withUnsafeBufferPointer { pw in tapWeights.withUnsafeMutableBufferPointer { plan.tapMajor(pw.baseAddress!, into: $0.baseAddress!) } }
        FlopCounter.add(multiplyAdds: n * outImage * c * plan.taps)

        let out = Tensor(shape: [n, o, plan.outH, plan.outW]) { y in
            x.scalars.withUnsafeBufferPointer { px in tapWeights.withUnsafeBufferPointer { pt in withOptionalPointer(bias) { pb in
                forEachImage(n, scratch: scratchCount) { b, scratch in
                    plan.pad(px.baseAddress! + b * imageSize, into: scratch)
                    plan.forward(weights: pt.baseAddress!, padded: scratch, grid: scratch + plan.paddedCount)
                    plan.crop(scratch + plan.paddedCount, into: y.baseAddress! + b * outImage, bias: pb)
                }
            } } }
        }

        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.record(out, inputs: inputs) { gy in
            var gx: Tensor?, gw: Tensor?, gb: Tensor?
            if let bias, bias.requiresGrad { gb = gy.sumOverBatchAndSpace(channels: o) }
            let needX = x.requiresGrad, needW = weight.requiresGrad
            // One partial weight gradient per image ([taps, C, O]), summed in image order.
            var partials = [Float](repeating: 0, count: needW ? n * weight.count : 0)
            var dx = [Float](repeating: 0, count: needX ? x.count : 0)
            gy.scalars.withUnsafeBufferPointer { pg in x.scalars.withUnsafeBufferPointer { px in
                tapWeights.withUnsafeBufferPointer { pt in partials.withUnsafeMutableBufferPointer { pp in
                    dx.withUnsafeMutableBufferPointer { pdx in
                        forEachImage(n, scratch: scratchCount) { b, scratch in
                            let grid = scratch + plan.paddedCount, transposed = grid + o * plan.gradientStride
                            plan.spread(pg.baseAddress! + b * outImage, into: grid)
                            if needW {
                                plan.pad(px.baseAddress! + b * imageSize, into: scratch)
                                plan.weightGradient(grid: grid, padded: scratch, transposed: transposed,
                                                    into: pp.baseAddress! + b * weight.count)
                            }
                            if needX {
                                plan.inputGradient(weights: pt.baseAddress!, grid: grid, into: scratch)
                                plan.unpad(scratch, into: pdx.baseAddress! + b * imageSize)
                            }
                        }
                    }
                } }
            } }
            if needX { gx = Tensor(uncheckedShape: x.shape, scalars: dx) }
            if needW {
                let tapMajor = Tensor.sumOfBlocks(partials, blocks: n, shape: [plan.taps, c, o])
                gw = Tensor(shape: weight.shape) { dw in
                    tapMajor.scalars.withUnsafeBufferPointer { sums in
                        for t in 0..<plan.taps {
                            for ci in 0..<c {
                                for oi in 0..<o { dw[(oi * c + ci) * plan.taps + t] = sums[(t * c + ci) * o + oi] }
                            }
                        }
                    }
                }
            }
            return bias == nil ? [gx, gw] : [gx, gw, gb]
        }
    }
}
