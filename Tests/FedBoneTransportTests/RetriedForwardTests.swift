import Foundation
import GRPCCore
import Testing
@testable import FedBoneTransport

/// A Forward sent again after its answer was lost gets the same features (issue #19, item 1).
@Suite struct RetriedForwardTests {
    @Test func aRetriedForwardOverGRPCGetsTheSameFeaturesAndTheRoundCompletes() async throws {
        let backend = try FederationBackendTests.backend(minClients: 1, timeout: .seconds(60))
        let shape = try FederationBackendTests.embeddingShape(FederationBackendTests.config())
        try await FederationLoopback.run(backend) { port in
            try await FedBoneTransportClient.withClient(config: FederationLoopback.clientConfig(port: port, name: "segmentation-0")) { client in
                let info = try await client.join(name: "segmentation-0", task: "segmentation", embeddingShape: shape)
                #expect(info.round == 1)
                let driver = Task { try await backend.runRound() }
                let embeddings = try FederationLoopback.embeddings()
                let first = try await client.forward(round: 1, step: 0, embeddings: embeddings)
                // The client never saw `first` (a cut connection) and sends the same request again.
                let retried = try await client.forward(round: 1, step: 0, embeddings: embeddings)
                #expect(retried.shape == first.shape)
                #expect(retried.scalars == first.scalars)
                let other = try FederationLoopback.embeddings(seed: 3)
                #expect(await failsWith(.failedPrecondition) { _ = try await client.forward(round: 1, step: 0, embeddings: other) })
                let gradient = Tensor(uncheckedShape: first.shape, scalars: [Float](repeating: 0.01, count: first.count))
                _ = try await client.backward(round: 1, step: 0, featureGradient: gradient)
                #expect(try await client.endRound(round: 1) == RoundBarrierResult(nextRound: 2, finished: false))
                #expect(try await driver.value == .aggregated(round: 1, clients: ["segmentation-0"]))
            }
        }
    }
}
