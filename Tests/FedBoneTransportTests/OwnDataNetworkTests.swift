import Foundation
import Testing
@testable import FedBoneTransport

/// A networked client with a dataset folder of its own, which the server's experiment does not
/// describe, ends the federation where the simulation of an experiment that describes the same
/// folder the same way does.
@Suite(.serialized) struct OwnDataNetworkTests {
    /// The server's recipe: two clients it describes, on the synthetic shapes.
    static let serverYAML = """
        rounds: 2
        data: {dataset: synthetic-shapes, imageSize: 16, samplesPerClient: 10}
        tasks: [{kind: segmentation, clients: 1}, {kind: depth, clients: 1}]
        model:
          general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}
          adaptation: {width: 8, heads: 2}
        training: {batchSize: 4}
        evaluation: {every: 1, batchSize: 8}
        checkpoints: {keep: 0}
        aggregation: {weighting: samples}
        """

    @Test func aClientWithItsOwnFolderEndsLikeTheSimulationThatDescribesIt() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-own-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = scratch.appendingPathComponent("lab-scenes")
        try DeploymentLoopback.writeScenes(to: folder, size: 16, count: 12, seed: 9)
        let server = try ExperimentConfig.load(yaml: Self.serverYAML)
        var described = server
        described.tasks.append(TaskConfig(kind: .normals, clients: 1, name: "lab", data: TaskDataSource(dataset: folder.path)))
        let expected = try NetworkFederationTests.inProcessGeneralModel(described, scratch: scratch)
        let outcome = try await DeploymentLoopback.run(
            experiment: server,
            clients: [.init(name: "segmentation-0"), .init(name: "depth-0"),
                      .init(name: "lab-0", data: .folder(folder, task: .normals, classes: nil))],
            runDirectory: scratch.appendingPathComponent("serve"))
        let last = try #require(outcome.last)
        #expect(last.lastPathComponent == "round-2")
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: last.appendingPathComponent("general.safetensors")), expected)
        #expect(outcome.log.contains { $0.contains("aggregated over segmentation-0, depth-0, lab-0") })
        #expect(outcome.summaries.map(\.client) == ["segmentation-0", "depth-0", "lab-0"])
    }

    @Test func aTextClientWithItsOwnFolderJoinsImageClientsOnATransformerAndEndsLikeTheSimulation() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-own-text-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = scratch.appendingPathComponent("notes")
        try TextDataset.synthetic(.textClassification, count: 30, seed: 5).write(to: folder)
        let server = try ExperimentConfig.load(yaml: Self.serverYAML.replacingOccurrences(
            of: "general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}",
            with: "general: {kind: transformer, embedDim: 8, depth: 2, numHeads: 2, mlpRatio: 2, patchSize: 4}"))
        var described = server
        described.tasks.append(TaskConfig(kind: .textClassification, clients: 1, name: "notes", data: TaskDataSource(dataset: folder.path)))
        let expected = try NetworkFederationTests.inProcessGeneralModel(described, scratch: scratch)
        let outcome = try await DeploymentLoopback.run(
            experiment: server,
            clients: [.init(name: "segmentation-0"), .init(name: "depth-0"),
                      .init(name: "notes-0", data: .folder(folder, task: .textClassification, classes: nil))],
            runDirectory: scratch.appendingPathComponent("serve"))
        let last = try #require(outcome.last)
        #expect(last.lastPathComponent == "round-2")
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: last.appendingPathComponent("general.safetensors")), expected)
        #expect(outcome.log.contains { $0.contains("aggregated over segmentation-0, depth-0, notes-0") }, "\(outcome.log)")
    }

    @Test func aClientWithItsOwnFolderRestartedFromItsCheckpointsEndsLikeTheSimulation() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-own-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = scratch.appendingPathComponent("lab-scenes")
        try DeploymentLoopback.writeScenes(to: folder, size: 16, count: 12, seed: 9)
        let server = try ExperimentConfig.load(yaml: Self.serverYAML)
        var described = server
        described.tasks.append(TaskConfig(kind: .normals, clients: 1, name: "lab", data: TaskDataSource(dataset: folder.path)))
        let expected = try NetworkFederationTests.inProcessGeneralModel(described, scratch: scratch)
        let checkpoints = scratch.appendingPathComponent("lab-checkpoints")
        let outcome = try await DeploymentLoopback.run(
            experiment: server,
            clients: [.init(name: "segmentation-0"), .init(name: "depth-0"),
                      .init(name: "lab-0", data: .folder(folder, task: .normals, classes: nil), restartAfter: 1, checkpoints: checkpoints)],
            runDirectory: scratch.appendingPathComponent("serve"))
        #expect(outcome.log.contains("lab-0: restored its model and optimizer from round 1"), "\(outcome.log)")
        #expect(FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("round-2/client-lab-0.safetensors").path))
        let last = try #require(outcome.last)
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: last.appendingPathComponent("general.safetensors")), expected)
    }
}
