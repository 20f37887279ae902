import Foundation
import Testing
import FedBoneModels

/// A state dict written by timm (`tools/make_model_fixtures.py`, `timm_checkpoint`) loads
/// into the split model: patch embedding on the client, stages and norm on the server.
@Suite struct TimmCheckpointTests {
    static let configuration = SwinConfiguration(embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2)

    private func fixtureURL() throws -> URL {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return folder.appendingPathComponent("timm_tiny_checkpoint.safetensors")
    }

    @Test func timmKeysSplitBetweenClientAndServer() throws {
        let general = try SwinTransformer(Self.configuration, imageSize: (16, 16), seed: 1)
        var rng = SeededGenerator(seed: 2)
        let embed = PatchEmbedding(embedDim: 8, patchSize: 4, generator: &rng)
        let report = try TimmCheckpoint.load(contentsOf: fixtureURL(), into: general, patchEmbedding: embed)
        #expect(report.general.isExact && report.patchEmbedding?.isExact == true)
        #expect(report.ignored == ["head.fc.bias", "head.fc.weight"])
        for (name, p) in general.namedParameters() {
            #expect(p.value.scalars == FormulaWeights.values(name: name, shape: p.shape).scalars, "\(name)")
        }
        for (name, p) in embed.namedParameters() {
            #expect(p.value.scalars == FormulaWeights.values(name: "patch_embed." + name, shape: p.shape).scalars, "\(name)")
        }
    }

    @Test func mismatchedModelIsRefusedAndLeftUnchanged() throws {
        let wider = SwinConfiguration(embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 4)
        let general = try SwinTransformer(wider, imageSize: (16, 16), seed: 1)
        let before = general.stateDict()
        #expect(throws: ModelError.self) { try TimmCheckpoint.load(contentsOf: fixtureURL(), into: general) }
        for (name, value) in general.stateDict() { #expect(value.scalars == before[name]?.scalars) }
        let report = try TimmCheckpoint.load(contentsOf: fixtureURL(), into: general, strict: false)
        #expect(report.general.mismatched.contains { $0.name == "layers.0.blocks.0.mlp.fc1.weight" })
        #expect(report.ignored.contains("patch_embed.proj.weight"))
    }

    @Test func missingFileIsAClearError() throws {
        let general = try SwinTransformer(Self.configuration, imageSize: (16, 16), seed: 1)
        #expect(throws: SafetensorsError.self) {
            try TimmCheckpoint.load(contentsOf: URL(fileURLWithPath: "/nonexistent/swin.safetensors"), into: general)
        }
    }
}
