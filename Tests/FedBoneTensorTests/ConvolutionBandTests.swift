import Testing
@testable import FedBoneTensor

/// Convolutions large enough that im2col runs in several bands of output rows (a column matrix
/// over 512 KiB), forward and backward, against direct sums in `Double`; with a batch that
/// spreads images over threads and with a single image whose ops split across threads.
@Suite struct ConvolutionBandTests {
    @Test(arguments: [1, 2])
    func bandedConvolutionMatchesDirectSums(batch: Int) {
        let (c, h, w, o, k) = (64, 11, 40, 8, 3)
        var rng = SeededGenerator(seed: UInt64(batch))
        let x = Tensor.randn([batch, c, h, w], generator: &rng).requiringGrad()
        let weight = Tensor.randn([o, c, k, k], generator: &rng).requiringGrad()
        let bias = Tensor.randn([o], generator: &rng).requiringGrad()
        let geometry = WindowGeometry(channels: c, height: h, width: w, kernelH: k, kernelW: k, strideH: 1, strideW: 1,
                                      padH: 1, padW: 1, dilationH: 1, dilationW: 1, outH: h, outW: w)
        #expect(geometry.bandRows < h, "the case must take more than one band")
        let y = x.conv2d(weight: weight, bias: bias, padding: (1, 1))
        let seed = Tensor.randn(y.shape, generator: &rng)
        y.backward(seed)

        let xs = x.scalars, ws = weight.scalars, gy = seed.scalars
        func xAt(_ n: Int, _ ch: Int, _ r: Int, _ col: Int) -> Double {
            r < 0 || r >= h || col < 0 || col >= w ? 0 : Double(xs[((n * c + ch) * h + r) * w + col])
        }
        var worstY = 0.0
        var gw = [Double](repeating: 0, count: weight.count), gx = [Double](repeating: 0, count: x.count)
        for n in 0..<batch {
            for out in 0..<o {
                for r in 0..<h {
                    for col in 0..<w {
                        var sum = Double(bias.scalars[out])
                        let g = Double(gy[((n * o + out) * h + r) * w + col])
                        for ch in 0..<c {
                            for i in 0..<k {
                                for j in 0..<k {
                                    let wi = ((out * c + ch) * k + i) * k + j
                                    let (sr, sc) = (r + i - 1, col + j - 1)
                                    sum += Double(ws[wi]) * xAt(n, ch, sr, sc)
                                    gw[wi] += g * xAt(n, ch, sr, sc)
                                    if sr >= 0 && sr < h && sc >= 0 && sc < w { gx[((n * c + ch) * h + sr) * w + sc] += g * Double(ws[wi]) }
                                }
                            }
                        }
                        worstY = max(worstY, abs(Double(y.scalars[((n * o + out) * h + r) * w + col]) - sum))
                    }
                }
            }
        }
        let worstW = zip(weight.grad!.scalars, gw).map { abs(Double($0) - $1) }.max() ?? 0
        let worstX = zip(x.grad!.scalars, gx).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worstY < 1e-3, "forward: max error \(worstY)")
        #expect(worstW < 1e-2, "weight gradient: max error \(worstW)")
        #expect(worstX < 1e-3, "input gradient: max error \(worstX)")
    }
}
