import Foundation
import Testing
import FedBoneFederation

/// Federations over the transformer general model (`model.general.kind: transformer`): every
/// method runs on it, its configuration reads back, and split training with it learns real images.
@Suite struct TransformerFederationTests {
    static let general = "{kind: transformer, embedDim: 8, depth: 2, numHeads: 2, mlpRatio: 2, patchSize: 4}"

    @Test(arguments: FederatedMethod.allCases)
    func everyMethodTrainsARoundOnTheTransformer(method: FederatedMethod) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let yaml = SimulationTests.tinyYAML.replacingOccurrences(
            of: "general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}", with: "general: \(Self.general)")
        let config = try ExperimentConfig.load(yaml: yaml, overrides: ["rounds=1", "method=\(method.rawValue)"])
        guard case .transformer = try config.model.general.resolved() else {
            Issue.record("the test config does not select the transformer")
            return
        }
        let run = scratch.url.appendingPathComponent("run")
        let result = try Simulation(config: config, runDirectory: run, progress: RunProgress.quiet).run()
        #expect(result.lastRound == 1)
        #expect(result.final.allSatisfy { $0.primary.value.isFinite })
        if method.isSplit {
            let general = try Safetensors.read(contentsOf: run.appendingPathComponent("checkpoints/round-1/general.safetensors"))
            #expect(general["blocks.1.attn.qkv.weight"]?.shape == [24, 8])
            let client = try Safetensors.read(contentsOf: run.appendingPathComponent("checkpoints/round-1/client-depth-0.safetensors"))
            #expect(client["pos_embed"]?.shape == [1, 4, 4, 8], "an image client of a transformer holds its positions")
        }
        #expect(try ExperimentConfig.load(yaml: String(contentsOf: run.appendingPathComponent("config.yaml"), encoding: .utf8)) == config)
    }

    @Test func aPresetNameOrAnUnknownKindIsReadOrRefused() throws {
        let preset = try ExperimentConfig.load(yaml: "model: {general: vit-tiny}")
        #expect(try preset.model.general.resolved() == .transformer(.tiny))
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: "model: {general: {kind: mamba}}") }
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: "model: {general: {kind: transformer, depths: [2]}}") }
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: "model: {general: {kind: transformer, embedDim: 10, numHeads: 4}}") }
    }

    @Test(arguments: [FederatedMethod.fedbone, .fedavg])
    func classificationClientsOnRealDigitsLearnWithTheTransformer(method: FederatedMethod) throws {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures folder missing from the test bundle")
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let yaml = """
            rounds: 3
            method: \(method.rawValue)
            data: {dataset: \(fixtures.appendingPathComponent("digits16").path), imageSize: 16, augment: false}
            tasks: [{kind: classification, clients: 2}]
            model: {general: vit-nano}
            evaluation: {every: 3}
            checkpoints: {keep: 0}
            """
        let result = try Simulation(config: ExperimentConfig.load(yaml: yaml), runDirectory: scratch.url.appendingPathComponent("run"),
                                    progress: RunProgress.quiet).run()
        for (i, client) in result.clients.enumerated() {
            let accuracy = result.final[i].primary.value, trivial = result.trivial[i].primary.value
            #expect(accuracy > trivial + 0.3, "\(method.rawValue) \(client): accuracy \(accuracy), trivial predictor \(trivial)")
        }
    }
}
