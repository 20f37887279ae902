import Testing
@testable import FedBoneTensor

private func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) {
        #expect(Swift.abs(x - y) <= tolerance * Swift.max(1, Swift.abs(y)), "\(a) vs \(b)", sourceLocation: sourceLocation)
    }
}

/// The 2×2×1×3 input of the batch-norm reference values below.
private var batchInput: Tensor {
    try! Tensor(shape: [2, 2, 1, 3], scalars: [0.5, -1, 2, 3, 0.25, -0.75, 1, 1.5, -2, 0, 4, 2.5])
}

@Suite struct NormalizationGradientTests {
    @Test func layerNormMatchesPyTorch() throws {
        // F.layer_norm(x, (3,), weight=[1, 2, -0.5], bias=[0.1, 0, 0.2])
        let x = try Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 3, 0.25, -0.75])
        let w = try Tensor(shape: [3], scalars: [1, 2, -0.5]), b = try Tensor(shape: [3], scalars: [0.1, 0, 0.2])
        expectClose(x.layerNorm(weight: w, bias: b).scalars,
                    [0.10000000149011612, -2.44948148727417, -0.41237038373947144,
                     1.4665271043777466, -0.7358222007751465, 0.699307918548584])
    }

    @Test func layerNormGradientsForInputWeightAndBias() {
        var rng = SeededGenerator(seed: 31)
        let x = Tensor.randn([2, 3, 7], generator: &rng).requiringGrad()
        let w = Tensor.randn([7], generator: &rng).requiringGrad()
        let b = Tensor.randn([7], generator: &rng).requiringGrad()
        let affine = checkGradients([x, w, b]) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
        #expect(affine.passed, "\(affine)")
        let plain = checkGradients([x]) { $0[0].layerNorm(weight: nil, bias: nil, epsilon: 1e-3) }
        #expect(plain.passed, "\(plain)")
    }

    @Test func layerNormOnRandomOddShapes() {
        var rng = SeededGenerator(seed: 32)
        for _ in 0..<3 {
            let shape = [1 + rng.int(below: 5), 2 + rng.int(below: 9)]
            let x = Tensor.randn(shape, generator: &rng).requiringGrad()
            let w = Tensor.randn([shape[1]], generator: &rng).requiringGrad()
            let result = checkGradients([x, w]) { $0[0].layerNorm(weight: $0[1], bias: nil) }
            #expect(result.passed, "\(shape): \(result)")
        }
    }

    @Test func batchNormTrainingMatchesPyTorchIncludingRunningStatistics() {
        // nn.BatchNorm2d(2) in training mode on batchInput, fresh running stats (0 and 1).
        let (y, mean, variance) = batchInput.batchNorm2d(
            weight: .ones([2]), bias: .zeros([2]), runningMean: .zeros([2]), runningVariance: .ones([2]), training: true)
        expectClose(y.scalars, [0.11867785453796387, -0.9494229555130005, 1.1867786645889282,
                                0.8571414351463318, -0.7142845988273621, -1.2857122421264648,
                                0.47471144795417786, 0.8307450413703918, -1.6614900827407837,
                                -0.8571414947509766, 1.4285690784454346, 0.571427583694458])
        expectClose(mean?.scalars ?? [], [0.03333333507180214, 0.15000000596046448])
        expectClose(variance?.scalars ?? [], [1.1366666555404663, 1.2674999237060547])
    }

    @Test func batchNormEvaluationUsesRunningStatistics() throws {
        // The same module after two training steps (on batchInput, then 2 · batchInput), in eval.
        let mean = try Tensor(shape: [2], scalars: [0.09666667133569717, 0.4350000023841858])
        let variance = try Tensor(shape: [2], scalars: [1.969666600227356, 2.6107499599456787])
        let (y, newMean, newVariance) = batchInput.batchNorm2d(
            weight: nil, bias: nil, runningMean: mean, runningVariance: variance, training: false)
        expectClose(y.scalars, [0.2873866856098175, -0.781406819820404, 1.356180191040039,
                                1.5874639749526978, -0.11449545621871948, -0.7333897948265076,
                                0.6436511874198914, 0.9999157190322876, -1.4939358234405518,
                                -0.2692190408706665, 2.2063584327697754, 1.2780168056488037])
        #expect(newMean?.scalars == mean.scalars && newVariance?.scalars == variance.scalars)
    }

    @Test(arguments: [true, false])
    func batchNormGradientsForInputWeightAndBias(training: Bool) {
        var rng = SeededGenerator(seed: 33)
        let x = Tensor.randn([3, 5, 2, 3], generator: &rng).requiringGrad()
        let w = Tensor.randn([5], generator: &rng).requiringGrad()
        let b = Tensor.randn([5], generator: &rng).requiringGrad()
        let mean = Tensor.randn([5], generator: &rng)
        let variance = Tensor.uniform([5], low: 0.5, high: 2, generator: &rng)
        let result = checkGradients([x, w, b]) { xs in
            xs[0].batchNorm2d(weight: xs[1], bias: xs[2], runningMean: mean, runningVariance: variance,
                              training: training).output
        }
        #expect(result.passed, "training \(training): \(result)")
    }

    @Test func batchNormTrainingWithoutAffineOrRunningStatistics() {
        var rng = SeededGenerator(seed: 34)
        let x = Tensor.randn([2, 3, 3, 1], generator: &rng).requiringGrad()
        let out = x.batchNorm2d(weight: nil, bias: nil, runningMean: nil, runningVariance: nil, training: true)
        #expect(out.newRunningMean == nil && out.newRunningVariance == nil)
        let result = checkGradients([x]) {
            $0[0].batchNorm2d(weight: nil, bias: nil, runningMean: nil, runningVariance: nil, training: true).output
        }
        #expect(result.passed, "\(result)")
    }

    @Test func largeBatchNormAndLayerNormAgreeWithComposedOps() {
        var rng = SeededGenerator(seed: 35)
        let x = Tensor.randn([4, 3, 40, 50], generator: &rng)
        let y = x.batchNorm2d(weight: nil, bias: nil, runningMean: nil, runningVariance: nil, training: true).output
        let mean = x.mean(axes: [0, 2, 3], keepDims: true)
        let centered = x - mean
        let reference = centered / (centered.square().mean(axes: [0, 2, 3], keepDims: true) + 1e-5).sqrt()
        expectClose(y.scalars, reference.scalars, tolerance: 1e-4)
        let rows = x.reshaped([-1, 50])
        let ln = rows.layerNorm(weight: nil, bias: nil)
        let rc = rows - rows.mean(axis: 1, keepDims: true)
        let lnReference = rc / (rc.square().mean(axis: 1, keepDims: true) + 1e-5).sqrt()
        expectClose(ln.scalars, lnReference.scalars, tolerance: 1e-4)
    }
}
