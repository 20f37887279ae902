import Foundation
import Testing
import FedBoneFederation

/// Image and text clients in one federation on a shared transformer general model (issue 18):
/// the text clients learn, every method runs, the run is deterministic and its log and report
/// carry both modalities.
@Suite struct MixedModalityTests {
    /// Two image clients (segmentation and depth on flat shapes) and two text clients (topic
    /// classification and part-of-speech tagging on the built-in sentences).
    static let yaml = """
        rounds: 4
        data: {dataset: synthetic-shapes, imageSize: 16, samplesPerClient: 24}
        tasks:
          - {kind: segmentation, clients: 1}
          - {kind: depth, clients: 1}
          - {kind: text-classification, name: topic, clients: 1, data: {dataset: synthetic-text, samplesPerClient: 160, maxLength: 12}}
          - {kind: token-tagging, name: pos, clients: 1, data: {dataset: synthetic-text, samplesPerClient: 160, maxLength: 12}}
        model:
          general: {kind: transformer, embedDim: 16, depth: 2, numHeads: 2, mlpRatio: 2, patchSize: 4}
          adaptation: {width: 16, heads: 2}
        training: {batchSize: 16}
        evaluation: {every: 4, batchSize: 32}
        checkpoints: {keep: 0}
        """

    @Test func textClientsBesideImageClientsLearnAboveTheirTrivialPredictorsAndRepeat() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let config = try ExperimentConfig.load(yaml: Self.yaml)
        let first = try Simulation(config: config, runDirectory: scratch.url.appendingPathComponent("a"), progress: RunProgress.quiet).run()
        #expect(first.clients == ["segmentation-0", "depth-0", "topic-0", "pos-0"])
        for (i, client) in first.clients.enumerated() where client.hasPrefix("topic") || client.hasPrefix("pos") {
            let accuracy = first.final[i].primary.value, trivial = first.trivial[i].primary.value
            #expect(accuracy > trivial + 0.1, "\(client): accuracy \(accuracy), trivial predictor \(trivial)")
        }
        #expect(first.final.allSatisfy { $0.primary.value.isFinite })
        let again = try Simulation(config: config, runDirectory: scratch.url.appendingPathComponent("b"), progress: RunProgress.quiet).run()
        #expect(first.final.map(\.primary.value) == again.final.map(\.primary.value))
        let general = { (run: String) in
            try Safetensors.read(contentsOf: scratch.url.appendingPathComponent("\(run)/checkpoints/round-4/general.safetensors")).mapValues(\.scalars)
        }
        #expect(try general("a") == general("b"), "the same seed gives the same general model")
        let log = try String(contentsOf: scratch.url.appendingPathComponent("a/metrics.jsonl"), encoding: .utf8)
        #expect(log.contains("\"client\":\"pos-0\""), "the run log holds the text clients' rounds")
        let examples = try String(contentsOf: scratch.url.appendingPathComponent("a/predictions/pos-0.txt"), encoding: .utf8)
        #expect(examples.split(separator: "\n").count == Simulation.predictionTexts && examples.contains("/"), "\(examples)")
        #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("a/predictions/topic-0.txt").path))
        #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("a/predictions/depth-0.png").path))
        let report = try String(contentsOf: scratch.url.appendingPathComponent("a/report.html"), encoding: .utf8)
        #expect(report.contains("text-predictions") && report.contains("pos-0: prediction"))
    }

    @Test func badTextTaskConfigsAreRefusedNamingTheKey() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let notes = scratch.url.appendingPathComponent("notes")
        try TextDataset.synthetic(.textClassification, count: 12, seed: 1).write(to: notes)
        let transformer = "model: {general: {kind: transformer, embedDim: 8, depth: 1, numHeads: 2, mlpRatio: 2, patchSize: 4}}"
        func key(_ yaml: String, model: String = transformer) -> String? { refusedConfigKey(yaml + "\n" + model) }
        #expect(key("tasks: [{kind: token-tagging}]", model: "model: {general: swin-nano}") == "tasks.0.kind", "a Swin takes no token sequences")
        #expect(key("tasks: [{kind: token-tagging, data: {partition: dirichlet}}]") == "tasks.0.data.partition")
        #expect(key("tasks: [{kind: token-tagging, data: {dataset: synthetic-shapes}}]") == "tasks.0.data.dataset")
        #expect(key("tasks: [{kind: depth, data: {dataset: synthetic-text}}]") == "tasks.0.data.dataset")
        #expect(key("tasks: [{kind: token-tagging, data: {dataset: \(notes.path)}}]") == "tasks.0.kind", "the folder labels topics, not tags")
        #expect(key("tasks: [{kind: text-classification, classes: 7, data: {dataset: \(notes.path)}}]") == "tasks.0.classes")
        #expect(key("tasks: [{kind: text-classification, data: {dataset: /nonexistent/notes}}]") == "tasks.0.data.dataset")
        #expect(key("tasks: [{kind: text-classification, clients: 7, data: {dataset: \(notes.path)}}]") == "tasks.0.data.samplesPerClient",
                "12 texts cannot give 7 clients two each")
        #expect(key("tasks: [{kind: text-classification, data: {maxLength: 1}}]") == "tasks.0.data.maxLength")
        #expect(key("tasks: [{kind: text-classification, data: {vocabularySize: 3}}]") == "tasks.0.data.vocabularySize")
        #expect(key("tasks: [{kind: text-classification, data: {dataset: \(notes.path)}}]") == nil)
    }

    @Test(arguments: FederatedMethod.allCases)
    func everyMethodTrainsARoundOfAMixedFederation(method: FederatedMethod) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let config = try ExperimentConfig.load(yaml: Self.yaml, overrides: ["rounds=1", "method=\(method.rawValue)", "evaluation.every=1"])
        let result = try Simulation(config: config, runDirectory: scratch.url.appendingPathComponent("run"), progress: RunProgress.quiet).run()
        #expect(result.lastRound == 1)
        #expect(result.final.allSatisfy { $0.primary.value.isFinite && $0.loss.isFinite }, "\(method.rawValue): \(result.final)")
        #expect(result.final.map(\.primary.value) != result.initial.map(\.primary.value), "\(method.rawValue) changed nothing")
    }
}
