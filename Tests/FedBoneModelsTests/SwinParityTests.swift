import Testing
import FedBoneModels

/// The general model against timm's `SwinTransformer` (fixtures from
/// `tools/make_model_fixtures.py`): forward features and the gradient w.r.t. the embeddings,
/// to 1e-4 relative to the largest value.
@Suite struct SwinParityTests {
    private func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        let scale = b.scalars.map { abs($0) }.max() ?? 1
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! / max(scale, 1e-6)
    }

    private func check(fixture name: String, configuration: SwinConfiguration, image: Int, batch: Int) throws {
        let expected = try FormulaWeights.fixture(name)
        let model = try SwinTransformer(configuration, imageSize: (image, image), seed: 0)
        model.eval()
        FormulaWeights.fill(model)
        let x = FormulaWeights.probe(model.inputShape(batch: batch), phase: 0.3).requiringGrad()
        let features = model(x)
        let wantFeatures = try #require(expected["features"])
        #expect(features.shape == wantFeatures.shape)
        #expect(relativeError(features, wantFeatures) < 1e-4)
        (features * FormulaWeights.probe(features.shape, phase: 1.1)).sum().backward()
        let grad = try #require(x.grad)
        let wantGrad = try #require(expected["embeddings_grad"])
        #expect(relativeError(grad, wantGrad) < 1e-4)
    }

    @Test func paddedShiftedWindowsMatchTimm() throws {
        let config = SwinConfiguration(embedDim: 16, depths: [2, 2, 2], numHeads: [1, 2, 4], windowSize: 4, mlpRatio: 2)
        try check(fixture: "swin_pad", configuration: config, image: 40, batch: 2)
    }

    @Test func swinTinyMatchesTimm() throws {
        try check(fixture: "swin_tiny_224", configuration: .tiny, image: 224, batch: 1)
    }

    @Test func parameterNamesAreTimms() throws {
        let model = try SwinTransformer(.tiny, imageSize: (224, 224), seed: 0)
        let names = Set(model.namedParameters().map(\.name))
        #expect(names.contains("layers.0.blocks.1.attn.relative_position_bias_table"))
        #expect(names.contains("layers.1.downsample.reduction.weight"))
        #expect(names.contains("layers.3.blocks.1.mlp.fc2.bias"))
        #expect(names.contains("norm.weight"))
        #expect(!names.contains { $0.hasPrefix("layers.0.downsample") })
        // timm's swin_tiny_patch4_window7_224 has 28,288,354 parameters; without patch_embed
        // (4,896) and the 1000-class head (769,000) that leaves 27,514,458.
        #expect(model.parameterCount == 27_514_458)
    }
}
