import Foundation
import Testing
@testable import FedBoneTransport

/// Three clients training at once over loopback gRPC against a server that keeps one replica
/// alive at a time: the others' Forwards wait for it, and the run ends where the simulation does.
@Suite(.serialized) struct BoundedReplicaNetworkTests {
    @Test func oneReplicaAtATimeEndsLikeTheInProcessSimulation() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-bounded-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML + "\nserver: {update: replica, maxConcurrentReplicas: 1}")
        let expected = try NetworkFederationTests.inProcessGeneralModel(config, scratch: scratch)
        let outcome = try await DeploymentLoopback.run(
            experiment: config, clients: ["segmentation-0", "depth-0", "normals-0"].map { .init(name: $0) },
            runDirectory: scratch.appendingPathComponent("serve"))
        #expect(outcome.log.contains { $0.hasPrefix("memory: ") && $0.hasSuffix("at most 1 replica at once") }, "\(outcome.log)")
        let last = try #require(outcome.last)
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: last.appendingPathComponent("general.safetensors")), expected)
    }
}
