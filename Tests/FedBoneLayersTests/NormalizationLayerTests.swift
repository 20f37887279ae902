import Testing
@testable import FedBoneLayers

private func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) {
        #expect(Swift.abs(x - y) <= tolerance * Swift.max(1, Swift.abs(y)), "\(a) vs \(b)", sourceLocation: sourceLocation)
    }
}

@Suite struct NormalizationLayerTests {
    @Test func layerNormHasPyTorchNamesAndInitialisation() {
        let norm = LayerNorm(6)
        #expect(norm.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(norm.weight.value.scalars == [Float](repeating: 1, count: 6))
        #expect(norm.bias.value.scalars == [Float](repeating: 0, count: 6))
        var rng = SeededGenerator(seed: 1)
        let x = Tensor.randn([2, 3, 6], generator: &rng)
        #expect(norm(x).scalars == x.layerNorm(weight: nil, bias: nil).scalars)
    }

    @Test func batchNormStateDictNamesMatchPyTorch() {
        let bn = BatchNorm2d(3)
        #expect(bn.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(bn.namedBuffers().map(\.name) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(Set(bn.stateDict().keys) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
    }

    @Test func batchNormRunningStatisticsUpdateAsInPyTorch() throws {
        // torch: bn = nn.BatchNorm2d(2); bn(x); bn(2 * x); then bn.eval(); bn(x), with x below.
        let bn = BatchNorm2d(2)
        let x = try Tensor(shape: [2, 2, 1, 3], scalars: [0.5, -1, 2, 3, 0.25, -0.75, 1, 1.5, -2, 0, 4, 2.5])
        _ = bn(x)
        expectClose(bn.runningMean.value.scalars, [0.03333333507180214, 0.15000000596046448])
        expectClose(bn.runningVar.value.scalars, [1.1366666555404663, 1.2674999237060547])
        _ = bn(x * 2)
        expectClose(bn.runningMean.value.scalars, [0.09666667133569717, 0.4350000023841858])
        expectClose(bn.runningVar.value.scalars, [1.969666600227356, 2.6107499599456787])
        #expect(bn.numBatchesTracked.value.item == 2)
        bn.eval()
        expectClose(bn(x).scalars, [0.2873866856098175, -0.781406819820404, 1.356180191040039,
                                    1.5874639749526978, -0.11449545621871948, -0.7333897948265076,
                                    0.6436511874198914, 0.9999157190322876, -1.4939358234405518,
                                    -0.2692190408706665, 2.2063584327697754, 1.2780168056488037])
        #expect(bn.numBatchesTracked.value.item == 2)
        expectClose(bn.runningMean.value.scalars, [0.09666667133569717, 0.4350000023841858])
    }

    @Test func batchNormTrainsItsAffineParameters() {
        var rng = SeededGenerator(seed: 2)
        let bn = BatchNorm2d(3)
        let x = Tensor.randn([2, 3, 2, 2], generator: &rng)
        (bn(x) * Tensor.randn([2, 3, 2, 2], generator: &rng)).sum().backward()
        #expect(bn.weight.grad?.shape == [3])
        #expect(bn.bias.grad?.shape == [3])
    }

    @Test func dropoutLayerIsIdentityInEvaluation() {
        var rng = SeededGenerator(seed: 3)
        let drop = Dropout(0.5, generator: &rng)
        let x = Tensor.ones([1000])
        let trained = drop(x)
        #expect(trained.scalars.contains(0) && trained.scalars.contains(2))
        drop.eval()
        #expect(drop(x).scalars == x.scalars)
        #expect(drop.namedParameters().isEmpty)
    }

    @Test func activationLayers() throws {
        let x = try Tensor(shape: [3], scalars: [-1, 0, 2])
        #expect(ReLU()(x).scalars == [0, 0, 2])
        #expect(GELU()(x).scalars == x.gelu().scalars)
    }

    @Test func mlpHasTimmNamesAndShapes() {
        var rng = SeededGenerator(seed: 4)
        let mlp = MLP(inFeatures: 6, hiddenFeatures: 10, outFeatures: 4, dropout: 0.1, generator: &rng)
        #expect(mlp.namedParameters().map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(mlp.fc1.weight.shape == [10, 6] && mlp.fc2.weight.shape == [4, 10])
        mlp.eval()
        let x = Tensor.randn([2, 3, 6], generator: &rng)
        let y = mlp(x)
        #expect(y.shape == [2, 3, 4])
        let reference = mlp.fc2(mlp.fc1(x).gelu())
        expectClose(y.scalars, reference.scalars)
    }
}
