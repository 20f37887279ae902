import Foundation
import Testing
@testable import FedBoneTransport

/// FedBone over real loopback gRPC with mutual TLS ends exactly where the in-process simulation does.
@Suite(.serialized) struct NetworkFederationTests {
    /// Three clients with different tasks, two rounds, on the fast synthetic data.
    static let tinyYAML = """
        rounds: 2
        data: {dataset: synthetic-shapes, imageSize: 16, samplesPerClient: 10}
        tasks: [{kind: segmentation, clients: 1}, {kind: depth, clients: 1}, {kind: normals, clients: 1}]
        model:
          general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}
          adaptation: {width: 8, heads: 2}
        training: {batchSize: 4}
        evaluation: {every: 1, batchSize: 8}
        checkpoints: {keep: 0}
        """

    /// The `fedbone` executable the test build produced beside the test bundle, if any.
    static var fedboneExecutable: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = root.appendingPathComponent(".build/debug/fedbone")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// The general model of the in-process simulation's last checkpoint.
    static func inProcessGeneralModel(_ config: ExperimentConfig, scratch: URL) throws -> [String: Tensor] {
        let run = scratch.appendingPathComponent("inprocess")
        try Simulation(config: config, runDirectory: run, progress: RunProgress.quiet).run()
        return try Safetensors.read(contentsOf: run.appendingPathComponent("checkpoints/round-\(config.rounds)/general.safetensors"))
    }

    static func expectClose(_ a: [String: Tensor], _ b: [String: Tensor]) {
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(!a.isEmpty)
        for (key, value) in a {
            guard let other = b[key] else { continue }
            #expect(value.shape == other.shape, "\(key)")
            let worst = zip(value.scalars, other.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-6, "\(key) differs by \(worst)")
        }
    }

    /// ``tinyYAML`` with a transformer general model.
    static let transformerYAML = tinyYAML.replacingOccurrences(
        of: "general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}",
        with: "general: {kind: transformer, embedDim: 8, depth: 2, numHeads: 2, mlpRatio: 2, patchSize: 4}")

    /// ``transformerYAML`` with an image client and two text clients (topic classification and
    /// part-of-speech tagging on the built-in sentences).
    static let mixedYAML = transformerYAML.replacingOccurrences(
        of: "tasks: [{kind: segmentation, clients: 1}, {kind: depth, clients: 1}, {kind: normals, clients: 1}]",
        with: """
            tasks:
              - {kind: segmentation, clients: 1}
              - {kind: text-classification, clients: 1, data: {dataset: synthetic-text, samplesPerClient: 40, maxLength: 12}}
              - {kind: token-tagging, clients: 1, data: {dataset: synthetic-text, samplesPerClient: 40, maxLength: 12}}
            """)

    /// ``tinyYAML`` in gradient mode, the server batching the passes of up to three clients.
    static let batchedYAML = tinyYAML + "\nserver: {update: gradient, batchClients: 3, batchWaitMs: 200}"

    func run(clients: LoopbackFederation.Clients, yaml: String = tinyYAML) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-network-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = try ExperimentConfig.load(yaml: yaml)
        let expected = try Self.inProcessGeneralModel(config, scratch: scratch)
        let last = try await LoopbackFederation.run(experiment: config, runDirectory: scratch.appendingPathComponent("grpc"), clients: clients)
        let folder = try #require(last)
        #expect(folder.lastPathComponent == "round-2")
        let general = try Safetensors.read(contentsOf: folder.appendingPathComponent("general.safetensors"))
        Self.expectClose(general, expected)
        let initial = try config.model.general.resolved().makeModel(imageSize: (config.data.imageSize, config.data.imageSize),
                                                                    seed: RandomStreams(seed: config.seed).modelSeed(0)).stateDict()
        let moved = initial.contains { key, value in general[key].map { $0.scalars != value.scalars } ?? false }
        #expect(moved, "two rounds of training changed the general model")
    }

    @Test func threeClientTasksOverTLSEndLikeTheInProcessSimulation() async throws {
        try await run(clients: .inProcess)
    }

    @Test func aTransformerGeneralModelOverTLSEndsLikeTheInProcessSimulation() async throws {
        try await run(clients: .inProcess, yaml: Self.transformerYAML)
    }

    /// The server batches whichever clients' Forwards arrive together; the simulation batches
    /// every client's step: both end at the same general model.
    @Test func batchedServerPassesOverTLSEndLikeTheInProcessSimulation() async throws {
        try await run(clients: .inProcess, yaml: Self.batchedYAML)
    }

    @Test func imageAndTextClientsOverTLSEndLikeTheInProcessSimulation() async throws {
        #expect(try ExperimentConfig.load(yaml: Self.mixedYAML).tasks.map(\.kind) == [.segmentation, .textClassification, .tokenTagging])
        try await run(clients: .inProcess, yaml: Self.mixedYAML)
    }

    @Test(.enabled(if: fedboneExecutable != nil, "needs the fedbone executable in .build/debug"))
    func threeClientProcessesOverTLSEndLikeTheInProcessSimulation() async throws {
        let executable = try #require(Self.fedboneExecutable)
        try await run(clients: .processes(executable: executable))
    }
}
