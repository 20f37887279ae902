import Testing
import FedBoneModels

/// The transformer general model against timm's `VisionTransformer` blocks and norm (fixtures
/// from `tools/make_model_fixtures.py`, float64 in PyTorch): features and the gradient w.r.t. the
/// embeddings, to 1e-4 relative to the largest value, unpadded and on a padded batch whose
/// reference ran each sample's real tokens alone.
@Suite struct TransformerParityTests {
    private func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        let scale = b.map { abs($0) }.max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / max(scale, 1e-6)
    }

    /// The scalars of `t` `[B, L, C]` at the real positions of `lengths`.
    private func realTokens(_ t: Tensor, lengths: [Int]) -> [Float] {
        let l = t.shape[1], c = t.shape[2]
        return lengths.enumerated().flatMap { b, n in Array(t.scalars[(b * l * c)..<(b * l * c + n * c)]) }
    }

    private func check(fixture name: String, configuration: TransformerConfiguration, tokens: Int, lengths: [Int]) throws {
        let expected = try FormulaWeights.fixture(name)
        let model = try TransformerEncoder(configuration, seed: 0)
        model.eval()
        FormulaWeights.fill(model)
        let shape = [lengths.count, tokens, configuration.embedDim]
        let x = FormulaWeights.probe(shape, phase: 0.3).requiringGrad()
        let features = model(x, lengths: lengths)
        let wantFeatures = try #require(expected["features"])
        #expect(features.shape == wantFeatures.shape)
        #expect(relativeError(realTokens(features, lengths: lengths), realTokens(wantFeatures, lengths: lengths)) < 1e-4)
        // The probe reads only the real positions, as the reference's loss did.
        var probe = FormulaWeights.probe(shape, phase: 1.1).scalars
        for (b, n) in lengths.enumerated() {
            for i in (b * tokens + n) * configuration.embedDim..<((b + 1) * tokens * configuration.embedDim) { probe[i] = 0 }
        }
        (features * Tensor(uncheckedShape: shape, scalars: probe)).sum().backward()
        let grad = try #require(x.grad)
        let wantGrad = try #require(expected["embeddings_grad"])
        #expect(relativeError(grad.scalars, wantGrad.scalars) < 1e-4)
    }

    @Test func paddedBatchMatchesEachSampleAloneInTimm() throws {
        let config = TransformerConfiguration(embedDim: 32, depth: 2, numHeads: 2, mlpRatio: 2)
        try check(fixture: "vit_masked", configuration: config, tokens: 12, lengths: [12, 7])
    }

    @Test func vitTinyBlocksMatchTimm() throws {
        try check(fixture: "vit_tiny_197", configuration: .tiny, tokens: 197, lengths: [197])
    }

    @Test func parameterNamesAreTimms() throws {
        let model = try TransformerEncoder(.tiny, seed: 0)
        let names = Set(model.namedParameters().map(\.name))
        #expect(names.contains("blocks.0.attn.qkv.weight"))
        #expect(names.contains("blocks.11.mlp.fc2.bias"))
        #expect(names.contains("blocks.3.norm2.weight"))
        #expect(names.contains("norm.bias"))
        // timm's vit_tiny_patch16_224 has 5,717,416 parameters; without patch_embed (147,648),
        // cls_token (192), pos_embed (37,824) and the 1000-class head (193,000): 5,338,752.
        #expect(model.parameterCount == 5_338_752)
    }

    @Test func paddingNeverReachesTheRealTokens() throws {
        let config = TransformerConfiguration.nano
        let model = try TransformerEncoder(config, seed: 3)
        let short = FormulaWeights.probe([1, 5, config.embedDim], phase: 0.7)
        let alone = model(short)
        var padded = short.scalars
        padded += (0..<(3 * config.embedDim)).map { Float($0 % 7) * 100 }
        let batch = model(Tensor(uncheckedShape: [1, 8, config.embedDim], scalars: padded), lengths: [5])
        #expect(relativeError(Array(batch.scalars.prefix(5 * config.embedDim)), alone.scalars) < 1e-5)
    }

    @Test func badInputIsRefusedWithWhatTheModelTakes() throws {
        let model = try TransformerEncoder(.nano, seed: 0)
        #expect(throws: ModelError.self) { try model.validate(embeddings: .zeros([2, 4, 31]), lengths: nil) }
        #expect(throws: ModelError.self) { try model.validate(embeddings: .zeros([2, 4, 32]), lengths: [4]) }
        #expect(throws: ModelError.self) { try model.validate(embeddings: .zeros([2, 4, 32]), lengths: [4, 0]) }
        #expect(throws: ModelError.self) { try model.validate(embeddings: .zeros([2, 4, 32]), lengths: [5, 1]) }
        try model.validate(embeddings: .zeros([2, 4, 32]), lengths: [4, 1])
        #expect(throws: ModelError.self) { try TransformerEncoder(TransformerConfiguration(embedDim: 30, depth: 1, numHeads: 4), seed: 0) }
    }
}
