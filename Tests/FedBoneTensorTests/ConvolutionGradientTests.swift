import Testing
@testable import FedBoneTensor

/// Gradient checks (autograd against central differences) for the convolution family, on odd,
/// non-square shapes with strides, padding, dilation and groups.
@Suite struct ConvolutionGradientTests {
    private func randn(_ shape: [Int], _ rng: inout SeededGenerator) -> Tensor {
        Tensor.randn(shape, generator: &rng).requiringGrad()
    }

    /// (input, weight, stride, padding, dilation, groups) cases for conv2d.
    private static let convCases: [(x: [Int], w: [Int], stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int)] = [
        ([2, 3, 7, 5], [4, 3, 3, 2], (2, 1), (1, 2), (1, 2), 1),
        ([1, 4, 6, 7], [6, 2, 3, 3], (1, 2), (2, 1), (2, 1), 2),
        ([2, 6, 5, 4], [3, 2, 1, 1], (1, 1), (0, 0), (1, 1), 3),
        ([1, 2, 5, 6], [3, 2, 1, 1], (2, 3), (1, 0), (1, 1), 1),
        ([1, 3, 9, 8], [2, 3, 2, 4], (3, 2), (0, 1), (2, 1), 1),
    ]

    @Test(arguments: 0..<convCases.count)
    func conv2dGradientsMatchFiniteDifferences(_ index: Int) {
        let c = Self.convCases[index]
        var rng = SeededGenerator(seed: UInt64(10 + index))
        let inputs = [randn(c.x, &rng), randn(c.w, &rng), randn([c.w[0]], &rng)]
        let result = checkGradients(inputs) { t in
            t[0].conv2d(weight: t[1], bias: t[2], stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        }
        #expect(result.passed, "\(result)")
    }

    @Test func conv2dWithoutBiasGradientsMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 3)
        let inputs = [randn([2, 2, 5, 3], &rng), randn([3, 2, 2, 2], &rng)]
        let result = checkGradients(inputs) { t in t[0].conv2d(weight: t[1], padding: (1, 0)) }
        #expect(result.passed, "\(result)")
    }

    /// (input, weight, stride, padding, outputPadding, dilation, groups) cases for convTranspose2d.
    private static let transposeCases: [(x: [Int], w: [Int], stride: (Int, Int), padding: (Int, Int), outputPadding: (Int, Int),
                                         dilation: (Int, Int), groups: Int)] = [
        ([2, 4, 3, 4], [4, 3, 3, 2], (2, 1), (1, 0), (1, 0), (1, 2), 2),
        ([1, 3, 5, 4], [3, 2, 3, 3], (1, 1), (1, 1), (0, 0), (1, 1), 1),
        ([2, 6, 4, 3], [6, 1, 1, 1], (1, 1), (0, 0), (0, 0), (1, 1), 3),
        ([1, 2, 3, 5], [2, 4, 2, 3], (3, 2), (1, 1), (2, 1), (1, 2), 1),
        ([1, 2, 3, 3], [2, 1, 3, 3], (1, 1), (0, 0), (1, 0), (2, 1), 2),
    ]

    @Test(arguments: 0..<transposeCases.count)
    func convTranspose2dGradientsMatchFiniteDifferences(_ index: Int) {
        let c = Self.transposeCases[index]
        var rng = SeededGenerator(seed: UInt64(20 + index))
        let inputs = [randn(c.x, &rng), randn(c.w, &rng), randn([c.w[1] * c.groups], &rng)]
        let result = checkGradients(inputs) { t in
            t[0].convTranspose2d(weight: t[1], bias: t[2], stride: c.stride, padding: c.padding,
                                 outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups)
        }
        #expect(result.passed, "\(result)")
    }

    /// Offsets whose sampling points never lie within 0.1 of an integer row or column (where
    /// bilinear sampling has kinks): an integer in −2...2 plus a fraction in [0.1, 0.9).
    private func smoothOffsets(_ shape: [Int], _ rng: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = Float(rng.int(below: 5) - 2) + rng.uniform(0.1, 0.9) }
        }.requiringGrad()
    }

    /// (input, weight, offset groups, stride, padding, dilation) cases for deformableConv2d.
    private static let deformableCases: [(x: [Int], w: [Int], offsetGroups: Int, stride: (Int, Int), padding: (Int, Int),
                                          dilation: (Int, Int))] = [
        ([2, 2, 5, 6], [3, 2, 3, 3], 1, (1, 1), (1, 1), (1, 1)),
        ([1, 4, 6, 5], [2, 4, 3, 2], 2, (2, 1), (1, 0), (1, 2)),
        ([1, 3, 7, 4], [2, 3, 2, 2], 3, (2, 2), (0, 1), (2, 1)),
    ]

    @Test(arguments: 0..<deformableCases.count)
    func deformableConv2dGradientsMatchFiniteDifferences(_ index: Int) {
        let c = Self.deformableCases[index]
        var rng = SeededGenerator(seed: UInt64(30 + index))
        let (kh, kw) = (c.w[2], c.w[3])
        let outH = (c.x[2] + 2 * c.padding.0 - c.dilation.0 * (kh - 1) - 1) / c.stride.0 + 1
        let outW = (c.x[3] + 2 * c.padding.1 - c.dilation.1 * (kw - 1) - 1) / c.stride.1 + 1
        let offset = smoothOffsets([c.x[0], 2 * c.offsetGroups * kh * kw, outH, outW], &rng)
        let inputs = [randn(c.x, &rng), offset, randn(c.w, &rng), randn([c.w[0]], &rng)]
        let result = checkGradients(inputs, epsilon: 1e-2, maxElementsPerInput: 96) { t in
            t[0].deformableConv2d(offset: t[1], weight: t[2], bias: t[3], stride: c.stride, padding: c.padding, dilation: c.dilation)
        }
        #expect(result.passed, "\(result)")
    }

    /// A permutation of well-separated values, so every window has a unique maximum that a
    /// finite-difference step cannot change.
    private func distinct(_ shape: [Int], _ rng: inout SeededGenerator) -> Tensor {
        var values = (0..<shape.reduce(1, *)).map { Float($0) * 0.1 - 1 }
        values.shuffle(using: &rng)
        return Tensor(uncheckedShape: shape, scalars: values).requiringGrad()
    }

    @Test func maxPool2dGradientsMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 40)
        for (shape, kernel, stride, padding) in [([2, 3, 7, 6], (3, 2), (2, 1), (1, 1)), ([1, 2, 5, 7], (2, 3), (2, 3), (0, 1))] as
            [([Int], (Int, Int), (Int, Int), (Int, Int))] {
            let result = checkGradients([distinct(shape, &rng)]) { t in t[0].maxPool2d(kernel: kernel, stride: stride, padding: padding) }
            #expect(result.passed, "\(result)")
        }
    }

    @Test func avgPool2dGradientsMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 41)
        for (shape, kernel, stride, padding) in [([2, 3, 7, 6], (3, 2), (2, 1), (1, 1)), ([1, 2, 5, 7], (2, 3), (1, 3), (1, 0))] as
            [([Int], (Int, Int), (Int, Int), (Int, Int))] {
            let result = checkGradients([randn(shape, &rng)]) { t in t[0].avgPool2d(kernel: kernel, stride: stride, padding: padding) }
            #expect(result.passed, "\(result)")
        }
    }

    @Test func globalAveragePoolGradientsMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 42)
        let result = checkGradients([randn([2, 3, 5, 3], &rng)]) { t in t[0].globalAveragePool() }
        #expect(result.passed, "\(result)")
    }

    @Test(arguments: [(3, 5, 7, 4), (5, 4, 2, 9), (2, 2, 4, 4), (4, 3, 4, 3)])
    func upsampleBilinearGradientsMatchFiniteDifferences(_ sizes: (Int, Int, Int, Int)) {
        var rng = SeededGenerator(seed: 43)
        let result = checkGradients([randn([2, 2, sizes.0, sizes.1], &rng)]) { t in
            t[0].upsampleBilinear(size: (sizes.2, sizes.3))
        }
        #expect(result.passed, "\(result)")
    }
}
