import Testing
@testable import FedBoneTensor

/// Small forward cases with known answers for the convolution family. Values marked "PyTorch"
/// were computed once with torch 2.13 (CPU) and hard-coded here.
@Suite struct ConvolutionForwardTests {
    /// 1...25 as a [1, 1, 5, 5] image.
    private let ramp = try! Tensor(shape: [1, 1, 5, 5], scalars: (1...25).map(Float.init))
    /// A horizontal Sobel kernel, [1, 1, 3, 3].
    private let sobel = try! Tensor(shape: [1, 1, 3, 3], scalars: [1, 0, -1, 2, 0, -2, 1, 0, -1])

    private func expectClose(_ actual: Tensor, _ expected: [Float], tolerance: Float = 1e-5,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        let worst = zip(actual.scalars, expected).map { Swift.abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance, "got \(actual.scalars), expected \(expected)", sourceLocation: sourceLocation)
    }

    @Test func sobelOnARampMatchesPyTorch() {
        // PyTorch: F.conv2d(ramp, sobel, torch.tensor([0.5]), padding=1)
        let y = ramp.conv2d(weight: sobel, bias: Tensor(repeating: 0.5, shape: [1]), padding: (1, 1))
        #expect(y.shape == [1, 1, 5, 5])
        expectClose(y, [-10.5, -5.5, -5.5, -5.5, 17.5, -27.5, -7.5, -7.5, -7.5, 36.5, -47.5, -7.5, -7.5, -7.5, 56.5,
                        -67.5, -7.5, -7.5, -7.5, 76.5, -60.5, -5.5, -5.5, -5.5, 67.5])
        // PyTorch: F.conv2d(ramp, sobel, stride=2, padding=1)
        expectClose(ramp.conv2d(weight: sobel, stride: (2, 2), padding: (1, 1)), [-11, -6, 17, -48, -8, 56, -61, -6, 67])
    }

    @Test func pointwiseConvolutionIsAMatrixProductOverChannels() throws {
        var rng = SeededGenerator(seed: 1)
        let x = Tensor.randn([2, 3, 4, 5], generator: &rng)
        let w = Tensor.randn([6, 3, 1, 1], generator: &rng)
        let viaConv = x.conv2d(weight: w)
        let viaMatmul = w.reshaped([6, 3]).matmul(x.reshaped([2, 3, 20])).reshaped([2, 6, 4, 5])
        expectClose(viaConv, viaMatmul.scalars)
    }

    @Test func transposedConvolutionMatchesPyTorch() throws {
        let x = try Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        // PyTorch: F.conv_transpose2d(x, torch.ones(1, 1, 2, 2))
        expectClose(x.convTranspose2d(weight: .ones([1, 1, 2, 2])), [1, 3, 2, 4, 10, 6, 3, 7, 4])
        // PyTorch: F.conv_transpose2d(x, [[1, 2], [3, 4]], stride=2, padding=1, output_padding=1)
        let y = x.convTranspose2d(weight: try Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]),
                                  stride: (2, 2), padding: (1, 1), outputPadding: (1, 1))
        #expect(y.shape == [1, 1, 3, 3])
        expectClose(y, [4, 6, 8, 6, 4, 8, 12, 12, 16])
    }

    @Test func transposedConvolutionIsTheAdjointOfConvolution() {
        var rng = SeededGenerator(seed: 2)
        let x = Tensor.randn([2, 4, 7, 6], generator: &rng)
        let w = Tensor.randn([6, 2, 3, 2], generator: &rng)
        let (stride, padding, dilation) = ((2, 1), (1, 1), (1, 2))
        let y = x.conv2d(weight: w, stride: stride, padding: padding, dilation: dilation, groups: 2)
        let v = Tensor.randn(y.shape, generator: &rng)
        // ⟨conv(x), v⟩ = ⟨x, convᵀ(v)⟩; (7 + 2 − 3) mod 2 = 0 and (6 + 2 − 2) mod 1 = 0, so no output padding.
        let back = v.convTranspose2d(weight: w, stride: stride, padding: padding, dilation: dilation, groups: 2)
        #expect(back.shape == x.shape)
        let lhs = zip(y.scalars, v.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x.scalars, back.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(Swift.abs(lhs - rhs) < 1e-3 * Swift.max(1, Swift.abs(lhs)))
    }

    @Test func deformableConvolutionWithZeroOffsetsIsConvolution() {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.randn([2, 4, 6, 5], generator: &rng)
        let w = Tensor.randn([3, 4, 3, 2], generator: &rng)
        let b = Tensor.randn([3], generator: &rng)
        let plain = x.conv2d(weight: w, bias: b, stride: (2, 1), padding: (1, 1), dilation: (1, 2))
        let offset = Tensor.zeros([2, 2 * 2 * 6, plain.shape[2], plain.shape[3]])
        let deformed = x.deformableConv2d(offset: offset, weight: w, bias: b, stride: (2, 1), padding: (1, 1), dilation: (1, 2))
        expectClose(deformed, plain.scalars)
    }

    @Test func deformableConvolutionSamplesBilinearlyWithZerosOutside() throws {
        // A 1×1 kernel of weight 1 reading the ramp f(r, c) = 5r + c + 1 at (r + 0.5, c + 0.25).
        // Inside, bilinear sampling of a linear function is exact: f + 2.75. On the last row and
        // column the corners beyond the image read 0 (hand-computed below).
        let offset = try Tensor(shape: [1, 2, 5, 5], scalars: [Float](repeating: 0.5, count: 25) + [Float](repeating: 0.25, count: 25))
        let y = ramp.deformableConv2d(offset: offset, weight: .ones([1, 1, 1, 1]))
        func f(_ r: Int, _ c: Int) -> Float { Float(5 * r + c + 1) }
        var expected: [Float] = []
        for r in 0..<5 {
            for c in 0..<5 {
                switch (r == 4, c == 4) {
                case (false, false): expected.append(f(r, c) + 2.75)
                case (false, true): expected.append(0.5 * 0.75 * (f(r, c) + f(r + 1, c)))
                case (true, false): expected.append(0.5 * (0.75 * f(r, c) + 0.25 * f(r, c + 1)))
                case (true, true): expected.append(0.5 * 0.75 * f(r, c))
                }
            }
        }
        expectClose(y, expected)
        // Points at or beyond −1 read 0 (torchvision's bilinear_interpolate).
        let far = try Tensor(shape: [1, 2, 5, 5], scalars: [Float](repeating: -5, count: 25) + [Float](repeating: 0, count: 25))
        expectClose(ramp.deformableConv2d(offset: far, weight: .ones([1, 1, 1, 1])), [Float](repeating: 0, count: 25))
    }

    @Test func poolingMatchesPyTorch() throws {
        let x = try Tensor(shape: [1, 1, 5, 6], scalars: (1...30).map(Float.init))
        // PyTorch: F.max_pool2d(x, 3, 2, 1) and F.avg_pool2d(x, 3, 2, 1)
        expectClose(x.maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)), [8, 10, 12, 20, 22, 24, 26, 28, 30])
        expectClose(x.avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
                    [2, 4, 5.333333492279053, 9, 15, 17, 10, 16, 17.33333396911621])
        #expect(x.maxPool2d(kernel: (2, 2)).shape == [1, 1, 2, 3])
        expectClose(x.globalAveragePool(), [15.5])
    }

    @Test func maxPoolRoutesTheGradientToTheFirstMaximum() throws {
        let x = try Tensor(shape: [1, 1, 2, 2], scalars: [3, 7, 7, 1]).requiringGrad()
        x.maxPool2d(kernel: (2, 2)).sum().backward()
        #expect(x.grad?.scalars == [0, 1, 0, 0])
    }

    @Test func bilinearUpsamplingMatchesPyTorch() throws {
        let x = try Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        // PyTorch: F.interpolate(x, size=(4, 4), mode="bilinear", align_corners=False)
        expectClose(x.upsampleBilinear(size: (4, 4)),
                    [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4])
        // PyTorch: F.interpolate(x, size=(3, 5), mode="bilinear", align_corners=False)
        expectClose(x.upsampleBilinear(size: (3, 5)),
                    [1, 1.100000023841858, 1.5, 1.9000000953674316, 2, 2, 2.0999999046325684, 2.5, 2.9000000953674316, 3,
                     3, 3.0999999046325684, 3.5, 3.9000000953674316, 4])
    }

    @Test func convolutionCountsItsMultiplyAdds() {
        let x = Tensor.zeros([2, 4, 6, 6])
        let (macs, y) = FlopCounter.count { x.conv2d(weight: .zeros([8, 2, 3, 3]), padding: (1, 1), groups: 2) }
        #expect(y.shape == [2, 8, 6, 6])
        #expect(macs == 2 * 8 * 36 * 2 * 9)
    }
}
