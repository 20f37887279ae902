import FedBoneKernels

/// The geometry of a 2-D sliding window over one `[channels, height, width]` image, and the
/// im2col / col2im kernels that convolutions are built on (the loops are `FedBoneKernels`'
/// `fb_im2col` and `fb_col2im`).
///
/// The column matrix is `[channels · kernelH · kernelW, outH · outW]`: row `(c·kH + i)·kW + j`
/// holds, for every output position `(oh, ow)`, the input pixel
/// `(oh·strideH − padH + i·dilationH, ow·strideW − padW + j·dilationW)` of channel `c`, or 0 when
/// that pixel lies in the padding. This is PyTorch's layout, so a weight `[out, in, kH, kW]`
/// multiplies it directly.
struct WindowGeometry {
    var channels: Int
    var height: Int, width: Int
    var kernelH: Int, kernelW: Int
    var strideH: Int, strideW: Int
    var padH: Int, padW: Int
    var dilationH: Int, dilationW: Int
    /// The output grid; stored rather than derived so transposed convolutions (whose output
    /// padding makes the image larger than the window arithmetic needs) can use it too.
    var outH: Int, outW: Int

    var kernelArea: Int { kernelH * kernelW }
    var imageArea: Int { height * width }
    var outArea: Int { outH * outW }
    var columnRows: Int { channels * kernelArea }

    /// `⌊(input + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1`, PyTorch's output size;
    /// `nil` when the dilated kernel does not fit in the padded input.
    static func outputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int? {
        let span = input + 2 * padding - dilation * (kernel - 1) - 1
        return span < 0 ? nil : span / stride + 1
    }

    /// Channels per parallel chunk so each chunk moves at least ~32k values.
    private var channelsPerChunk: Int { Swift.max(1, 32_768 / Swift.max(kernelArea * outArea, 1)) }

    /// The geometry as the C kernels take it.
    private var window: fb_window {
        fb_window(height: height, width: width, kernelH: kernelH, kernelW: kernelW, strideH: strideH, strideW: strideW,
                  padH: padH, padW: padW, dilationH: dilationH, dilationW: dilationW, outH: outH, outW: outW)
    }

    /// Writes the column matrix of `image` (`[channels, height, width]`) for the output rows
    /// `outputRows` (default: all) into `columns` (`[channels · kH · kW, outputRows.count · outW]`),
    /// channels split across threads (`fb_im2col`).
    func im2col(_ image: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, outputRows: Range<Int>? = nil) {
        let band = outputRows ?? 0..<outH
        var window = self.window
        parallelChunks(channels, minimumPerChunk: channelsPerChunk) { range in
            fb_im2col(image, columns, &window, range.lowerBound, range.upperBound, band.lowerBound, band.upperBound)
        }
    }

    /// The adjoint of ``im2col(_:_:outputRows:)``: adds every entry of `columns` (the band of
    /// `outputRows`, default all) into the image pixel it was read from (padding entries are
    /// dropped). `image` is accumulated into, not cleared.
    func col2im(_ columns: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>, outputRows: Range<Int>? = nil) {
        let band = outputRows ?? 0..<outH
        var window = self.window
        parallelChunks(channels, minimumPerChunk: channelsPerChunk) { range in
            fb_col2im(columns, image, &window, range.lowerBound, range.upperBound, band.lowerBound, band.upperBound)
        }
    }

    /// Output rows per im2col band, so that a band's column matrix (`columnRows × rows · outW`
    /// floats) stays near 512 KiB and is still in cache when the GEMM reads it.
    var bandRows: Int { Swift.max(1, Swift.min(outH, (1 << 17) / Swift.max(columnRows * outW, 1))) }
}

/// Runs `body` with scratch storage for `count` floats (uninitialised).
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(count, 1)) { buffer in
        body(buffer.baseAddress!)
    }
}

/// Validates the window hyper-parameters shared by the convolution family.
@inline(__always)
func checkWindow(_ op: String, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)) {
    precondition(stride.0 > 0 && stride.1 > 0, "\(op): stride must be positive, got \(stride)")
    precondition(padding.0 >= 0 && padding.1 >= 0, "\(op): padding must be non-negative, got \(padding)")
    precondition(dilation.0 > 0 && dilation.1 > 0, "\(op): dilation must be positive, got \(dilation)")
}

extension Tensor {
    /// Sums a `[N, C, spatial]` gradient over batch and positions into `[C]` (bias gradients),
    /// channels across threads, each plane with the vectorised `fb_sum`, batch in order.
    func sumOverBatchAndSpace(channels: Int) -> Tensor {
        let n = shape[0], spatial = count / Swift.max(n * channels, 1)
        return Tensor(shape: [channels]) { out in
            scalars.withUnsafeBufferPointer { g in
                parallelChunks(channels, minimumPerChunk: Swift.max(1, Tensor.pointwiseChunk / Swift.max(n * spatial, 1))) { range in
                    for c in range {
                        var s: Float = 0
                        for b in 0..<n { s += fb_sum(g.baseAddress! + (b * channels + c) * spatial, spatial) }
                        out[c] = s
                    }
                }
            }
        }
    }

    /// Fills each `[spatial]` plane of a `[N, C, spatial]` output with its channel's bias.
    static func fillBias(_ bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, batch: Int, channels: Int, spatial: Int) {
        for b in 0..<batch {
            for c in 0..<channels {
                (out + (b * channels + c) * spatial).update(repeating: bias[c], count: spatial)
            }
        }
    }
}
