import Foundation
import Testing
@testable import FedBoneTransport

/// A federation that mixes data sources and image sizes ends over loopback gRPC exactly where
/// the in-process simulation does.
@Suite(.serialized) struct MixedSourceNetworkTests {
    @Test func threeSourcesAndThreeImageSizesOverTLSEndLikeTheInProcessSimulation() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-mixed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = scratch.appendingPathComponent("room-20")
        let generator = SceneGenerator(height: 20, width: 20)
        var writer = try DatasetWriter(directory: folder, info: generator.info)
        try writer.append(generator.samples(0..<10, seed: 4))
        _ = try writer.finish()
        let config = try ExperimentConfig.load(yaml: """
            rounds: 2
            data: {dataset: synthetic-shapes, imageSize: 16, samplesPerClient: 10}
            tasks:
              - {kind: segmentation, clients: 1}
              - {kind: depth, clients: 1, data: {dataset: scenes, imageSize: 24, samplesPerClient: 8}}
              - {kind: normals, clients: 1, name: room, data: {dataset: \(folder.path)}}
            model:
              general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}
              adaptation: {width: 8, heads: 2}
            training: {batchSize: 4}
            evaluation: {every: 1, batchSize: 8}
            checkpoints: {keep: 0}
            """)
        let expected = try NetworkFederationTests.inProcessGeneralModel(config, scratch: scratch)
        let last = try await LoopbackFederation.run(experiment: config, runDirectory: scratch.appendingPathComponent("grpc"), clients: .inProcess)
        let general = try Safetensors.read(contentsOf: try #require(last).appendingPathComponent("general.safetensors"))
        NetworkFederationTests.expectClose(general, expected)
    }
}
