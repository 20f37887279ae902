import Testing
@testable import FedBoneTensor

/// The convolution paths beyond the small gradient-checked cases, forward and backward, against
/// direct sums in `Double`: im2col in several bands of output rows (a column matrix over
/// 512 KiB), the shifted GEMMs of stride-1 convolutions over many channels, and patch
/// embeddings; with a batch that spreads images over threads and with a single image whose ops
/// split across threads.
@Suite struct LargeConvolutionTests {
    @Test(arguments: [1, 2])
    func bandedConvolutionMatchesDirectSums(batch: Int) {
        let (c, h, w) = (24, 14, 64)
        let geometry = WindowGeometry(channels: c, height: h, width: w, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1,
                                      padH: 1, padW: 1, dilationH: 1, dilationW: 1, outH: h, outW: w)
        #expect(geometry.bandRows < h, "the case must take more than one band")
        #expect(!ShiftedConvolution.applies(channels: c, kernel: (3, 3), stride: (1, 1), dilation: (1, 1), groups: 1))
        checkAgainstDirectSums(batch: batch, channels: c, height: h, width: w, outputs: 8, kernel: (3, 3), padding: (1, 1))
    }

    @Test(arguments: [(1, (3, 3), (1, 1)), (2, (2, 3), (0, 2)), (2, (1, 3), (0, 1))])
    func shiftedConvolutionMatchesDirectSums(batch: Int, kernel: (Int, Int), padding: (Int, Int)) {
        #expect(ShiftedConvolution.applies(channels: 32, kernel: kernel, stride: (1, 1), dilation: (1, 1), groups: 1))
        checkAgainstDirectSums(batch: batch, channels: 32, height: 6, width: 9, outputs: 5, kernel: kernel, padding: padding)
    }

    /// Patch embeddings (kernel = stride = 4) take their own im2col path on AVX-512 machines.
    @Test(arguments: [(2, 3, 16, 20), (1, 2, 9, 81)])
    func patchEmbeddingMatchesDirectSums(batch: Int, channels: Int, height: Int, width: Int) {
        checkAgainstDirectSums(batch: batch, channels: channels, height: height, width: width, outputs: 6,
                               kernel: (4, 4), padding: (0, 0), stride: 4)
    }

    private func checkAgainstDirectSums(batch: Int, channels c: Int, height h: Int, width w: Int, outputs o: Int,
                                        kernel: (Int, Int), padding: (Int, Int), stride: Int = 1) {
        let (kh, kw) = kernel, (ph, pw) = padding
        let (outH, outW) = ((h + 2 * ph - kh) / stride + 1, (w + 2 * pw - kw) / stride + 1)
        var rng = SeededGenerator(seed: UInt64(batch * 100 + kh * 10 + kw))
        let x = Tensor.randn([batch, c, h, w], generator: &rng).requiringGrad()
        let weight = Tensor.randn([o, c, kh, kw], generator: &rng).requiringGrad()
        let bias = Tensor.randn([o], generator: &rng).requiringGrad()
        let y = x.conv2d(weight: weight, bias: bias, stride: (stride, stride), padding: padding)
        #expect(y.shape == [batch, o, outH, outW])
        let seed = Tensor.randn(y.shape, generator: &rng)
        y.backward(seed)

        let xs = x.scalars, ws = weight.scalars, gy = seed.scalars
        func xAt(_ n: Int, _ ch: Int, _ r: Int, _ col: Int) -> Double {
            r < 0 || r >= h || col < 0 || col >= w ? 0 : Double(xs[((n * c + ch) * h + r) * w + col])
        }
        var worstY = 0.0
        var gw = [Double](repeating: 0, count: weight.count), gx = [Double](repeating: 0, count: x.count)
        var worstBias = 0.0
        for out in 0..<o {
            let expected = (0..<batch).reduce(0.0) { total, n in
                total + (0..<(outH * outW)).reduce(0.0) { $0 + Double(gy[(n * o + out) * outH * outW + $1]) }
            }
            worstBias = max(worstBias, abs(Double(bias.grad!.scalars[out]) - expected))
        }
        for n in 0..<batch {
            for out in 0..<o {
                for r in 0..<outH {
                    for col in 0..<outW {
                        var sum = Double(bias.scalars[out])
                        let g = Double(gy[((n * o + out) * outH + r) * outW + col])
                        for ch in 0..<c {
                            for i in 0..<kh {
                                for j in 0..<kw {
                                    let wi = ((out * c + ch) * kh + i) * kw + j
                                    let (sr, sc) = (r * stride + i - ph, col * stride + j - pw)
                                    sum += Double(ws[wi]) * xAt(n, ch, sr, sc)
                                    gw[wi] += g * xAt(n, ch, sr, sc)
                                    if sr >= 0 && sr < h && sc >= 0 && sc < w { gx[((n * c + ch) * h + sr) * w + sc] += g * Double(ws[wi]) }
                                }
                            }
                        }
                        worstY = max(worstY, abs(Double(y.scalars[((n * o + out) * outH + r) * outW + col]) - sum))
                    }
                }
            }
        }
        let worstW = zip(weight.grad!.scalars, gw).map { abs(Double($0) - $1) }.max() ?? 0
        let worstX = zip(x.grad!.scalars, gx).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worstY < 1e-3, "forward: max error \(worstY)")
        #expect(worstW < 1e-2, "weight gradient: max error \(worstW)")
        #expect(worstX < 1e-3, "input gradient: max error \(worstX)")
        #expect(worstBias < 1e-3, "bias gradient: max error \(worstBias)")
    }
}
