import Foundation
import Testing
@testable import FedBoneTensor

private func expectClose(_ a: Float, _ b: Float, tolerance: Float = 1e-5,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Swift.abs(a - b) <= tolerance * Swift.max(1, Swift.abs(b)), "\(a) vs \(b)", sourceLocation: sourceLocation)
}

@Suite struct LossTests {
    // MARK: Cross-entropy

    @Test func crossEntropyByHand() throws {
        // logits [0, ln 3], target 1: softmax = [1, 3] / 4, so loss = −ln(3/4) = ln(4/3).
        let logits = try Tensor(shape: [1, 2], scalars: [0, Float(Foundation.log(3.0))])
        expectClose(Loss.crossEntropy(logits: logits, targets: [1]).item, Float(Foundation.log(4.0 / 3.0)))
        // A second row with target 0 on logits [0, 0] adds ln 2: mean = (ln(4/3) + ln 2) / 2 = ln(8/3) / 2.
        let two = try Tensor(shape: [2, 2], scalars: [0, Float(Foundation.log(3.0)), 0, 0])
        expectClose(Loss.crossEntropy(logits: two, targets: [1, 0]).item, Float(Foundation.log(8.0 / 3.0) / 2))
        // Ignoring the second row leaves ln(4/3) (the mean runs over kept targets only).
        expectClose(Loss.crossEntropy(logits: two, targets: [1, 255]).item, Float(Foundation.log(4.0 / 3.0)))
    }

    @Test func crossEntropyOnImagesMatchesPyTorch() throws {
        // F.cross_entropy(l, t, ignore_index=255) with l: [1, 3, 2, 2], t = [[[2, 255], [0, 1]]]
        let logits = try Tensor(shape: [1, 3, 2, 2], scalars: [1, -2, 0.5, 0, 0, 1, 2, -1, -1, 0.5, 0.25, 3])
        expectClose(Loss.crossEntropy(logits: logits, targets: [2, 255, 0, 1]).item, 2.769249677658081)
    }

    @Test func crossEntropyWithEveryTargetIgnoredIsZeroWithZeroGradient() {
        // PyTorch returns NaN here; we deliberately return 0.
        let logits = Tensor.ones([2, 3, 1, 2]).requiringGrad()
        let loss = Loss.crossEntropy(logits: logits, targets: [255, 255, 255, 255])
        #expect(loss.item == 0)
        loss.backward()
        #expect(logits.grad?.scalars == [Float](repeating: 0, count: 12))
    }

    @Test func crossEntropyGradientsWithIgnoredTargets() {
        var rng = SeededGenerator(seed: 41)
        let flat = Tensor.randn([5, 7], generator: &rng).requiringGrad()
        let flatResult = checkGradients([flat]) { Loss.crossEntropy(logits: $0[0], targets: [3, 255, 0, 6, 2]) }
        #expect(flatResult.passed, "\(flatResult)")
        let image = Tensor.randn([2, 3, 3, 5], generator: &rng).requiringGrad()
        let targets = (0..<30).map { $0 % 7 == 3 ? -1 : $0 % 3 }
        let imageResult = checkGradients([image]) { Loss.crossEntropy(logits: $0[0], targets: targets, ignoreIndex: -1) }
        #expect(imageResult.passed, "\(imageResult)")
    }

    @Test func crossEntropyStopsOnATargetOutsideTheClasses() async {
        await #expect(processExitsWith: .failure) {
            _ = Loss.crossEntropy(logits: .zeros([2, 3]), targets: [0, 3])
        }
    }

    @Test func crossEntropyGradientIsSoftmaxMinusOneHotOverCount() throws {
        // Rows: target 1 on [0, ln 3] → (softmax − onehot)/2 = ([1/4, 3/4] − [0, 1]) / 2; ignored row → 0.
        let logits = try Tensor(shape: [2, 2], scalars: [0, Float(Foundation.log(3.0)), 5, 1]).requiringGrad()
        Loss.crossEntropy(logits: logits, targets: [1, 255]).backward()
        let g = logits.grad?.scalars ?? []
        expectClose(g[0], 0.25)
        expectClose(g[1], -0.25)
        #expect(g[2] == 0 && g[3] == 0)
    }

    // MARK: L1 and MSE

    @Test func l1AndMSEByHand() throws {
        let p = try Tensor(shape: [3], scalars: [1, 2, 3]), t = try Tensor(shape: [3], scalars: [0, 0, 5])
        let mask = try Tensor(shape: [3], scalars: [1, 0, 0.5])
        // |p − t| = [1, 2, 2]: mean 5/3; masked (elements 0 and 2) (1 + 2) / 2 = 1.5.
        expectClose(Loss.l1(p, t).item, 5.0 / 3.0)
        expectClose(Loss.l1(p, t, mask: mask).item, 1.5)
        // (p − t)² = [1, 4, 4]: mean 3; masked (1 + 4) / 2 = 2.5.
        expectClose(Loss.mse(p, t).item, 3)
        expectClose(Loss.mse(p, t, mask: mask).item, 2.5)
        #expect(Loss.mse(p, t, mask: .zeros([1])).item == 0)
    }

    @Test func l1AndMSEGradientsWithBroadcastMask() {
        var rng = SeededGenerator(seed: 42)
        let p = Tensor.randn([2, 3, 5], generator: &rng).requiringGrad()
        // Targets at least 0.05 from the predictions, away from the kink of |p − t|.
        let offsets = Tensor.randn([2, 3, 5], generator: &rng).mapKernel { $0 >= 0 ? $0 + 0.05 : $0 - 0.05 }
        let t = (p.detached() + offsets).requiringGrad()
        let mask = try! Tensor(shape: [2, 1, 5], scalars: [1, 0, 1, 1, 0, 0, 1, 1, 0, 1])
        for (name, loss) in [("l1", Loss.l1), ("mse", Loss.mse)] as [(String, (Tensor, Tensor, Tensor?) -> Tensor)] {
            let plain = checkGradients([p, t]) { loss($0[0], $0[1], nil) }
            #expect(plain.passed, "\(name): \(plain)")
            let masked = checkGradients([p, t]) { loss($0[0], $0[1], mask) }
            #expect(masked.passed, "\(name) masked: \(masked)")
        }
    }

    // MARK: Binary cross-entropy with logits

    @Test func binaryCrossEntropyByHand() throws {
        // At x = 0 the loss is ln 2 for either target; pos_weight 3 triples the positive term:
        // mean(3 ln 2, ln 2) = 2 ln 2.
        let x = Tensor.zeros([2]), t = try Tensor(shape: [2], scalars: [1, 0])
        expectClose(Loss.binaryCrossEntropyWithLogits(x, t).item, Float(M_LN2))
        expectClose(Loss.binaryCrossEntropyWithLogits(x, t, positiveWeight: 3).item, 2 * Float(M_LN2))
        expectClose(Loss.binaryCrossEntropyWithLogits(x, t, positiveWeight: 3, mask: try Tensor(shape: [2], scalars: [0, 1])).item,
                    Float(M_LN2))
    }

    @Test func binaryCrossEntropyMatchesPyTorchForExtremeLogits() throws {
        // F.binary_cross_entropy_with_logits([1.5, -0.5, 30, -30], [1, 0, 0, 1], pos_weight=2.5)
        let x = try Tensor(shape: [4], scalars: [1.5, -0.5, 30, -30]), t = try Tensor(shape: [4], scalars: [1, 0, 0, 1])
        expectClose(Loss.binaryCrossEntropyWithLogits(x, t, positiveWeight: 2.5).item, 26.494401931762695)
    }

    @Test(arguments: [nil, Float(2.5)])
    func binaryCrossEntropyGradientsForLogitsAndTargets(positiveWeight: Float?) {
        var rng = SeededGenerator(seed: 43)
        let x = Tensor.randn([3, 7], std: 2, generator: &rng).requiringGrad()
        let t = Tensor.uniform([3, 7], generator: &rng).requiringGrad()
        let mask = try! Tensor(shape: [3, 1], scalars: [1, 0, 1])
        let plain = checkGradients([x, t]) { Loss.binaryCrossEntropyWithLogits($0[0], $0[1], positiveWeight: positiveWeight) }
        #expect(plain.passed, "\(plain)")
        let masked = checkGradients([x, t]) {
            Loss.binaryCrossEntropyWithLogits($0[0], $0[1], positiveWeight: positiveWeight, mask: mask)
        }
        #expect(masked.passed, "\(masked)")
    }

    @Test func binaryCrossEntropyOnALargeTensorMatchesADoubleReference() {
        var rng = SeededGenerator(seed: 45)
        let x = Tensor.randn([70_001], std: 3, generator: &rng), t = Tensor.uniform([70_001], generator: &rng)
        var sum = 0.0
        for (xi, ti) in zip(x.scalars, t.scalars) {
            let (a, b) = (Double(xi), Double(ti))
            sum += (1 - b) * a + (1 + 1.5 * b) * (max(-a, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(a))))
        }
        expectClose(Loss.binaryCrossEntropyWithLogits(x, t, positiveWeight: 2.5).item, Float(sum / 70_001))
    }

    // MARK: Cosine similarity

    @Test func cosineSimilarityByHandAndAgainstPyTorch() throws {
        // [3, 4] · [4, 3] = 24, norms 5 and 5: 24 / 25.
        let a = try Tensor(shape: [1, 2], scalars: [3, 4]), b = try Tensor(shape: [1, 2], scalars: [4, 3])
        expectClose(Loss.cosineSimilarity(a, b).item, 0.96)
        // F.cosine_similarity([[1, 2, 3], [0, 1, 0]], [[-1, 0.5, 2], [1, 1, 1]], dim=1)
        let c = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 0, 1, 0]), d = try Tensor(shape: [2, 3], scalars: [-1, 0.5, 2, 1, 1, 1])
        let y = Loss.cosineSimilarity(c, d)
        #expect(y.shape == [2])
        expectClose(y.scalars[0], 0.6998541355133057)
        expectClose(y.scalars[1], 0.5773502588272095)
    }

    @Test func cosineSimilarityClampsEachNormSeparately() throws {
        // PyTorch 2.x: x·y / (max(‖x‖, ε) · max(‖y‖, ε)) = 1e-18 / (1e-8 · 1e-8) = 0.01
        // (clamping the product instead would give 1e-10).
        let a = try Tensor(shape: [1, 2], scalars: [1e-9, 0])
        expectClose(Loss.cosineSimilarity(a, a).item, 0.01)
    }

    @Test func cosineSimilarityGradientsWithBroadcasting() {
        var rng = SeededGenerator(seed: 44)
        let a = Tensor.randn([2, 5, 3], generator: &rng).requiringGrad()
        let b = Tensor.randn([1, 5, 3], generator: &rng).requiringGrad()
        let result = checkGradients([a, b]) { Loss.cosineSimilarity($0[0], $0[1]) }
        #expect(result.passed, "\(result)")
        #expect(Loss.cosineSimilarity(a, b).shape == [2, 3])
        let last = checkGradients([a, b]) { Loss.cosineSimilarity($0[0], $0[1], axis: -1) }
        #expect(last.passed, "\(last)")
    }

    @Test func cosineSimilarityGradientMatchesPyTorchWhenANormIsClamped() throws {
        // torch: a = [[1e-9, 2e-9]] (float64), b = [[1, 3]]; cos.sum().backward() gives
        // a.grad = [21723281.6651, 75069339.9318] (the clamp passes the norm's derivative).
        let a = try Tensor(shape: [1, 2], scalars: [1e-9, 2e-9]).requiringGrad()
        let b = try Tensor(shape: [1, 2], scalars: [1, 3]).requiringGrad()
        Loss.cosineSimilarity(a, b).sum().backward()
        let g = a.grad?.scalars ?? []
        expectClose(g[0], 21_723_281.6651, tolerance: 1e-4)
        expectClose(g[1], 75_069_339.9318, tolerance: 1e-4)
    }
}
