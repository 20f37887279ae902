import Foundation
import GRPCCore
import Testing
@testable import FedBoneTransport

/// Forwards that wait for their round and are given up must not run later (issue #19, item 4).
@Suite struct CancelledForwardTests {
    /// The embedding shape of the tiny experiment.
    static func shape() throws -> [Int] { try FederationBackendTests.embeddingShape(FederationBackendTests.config()) }

    /// Client 1's forward and backward of step 0 in round 1 with `embeddings`.
    static func step(_ backend: FederationBackend, embeddings: sending Tensor) async throws {
        let features = try await backend.forward(client: 1, round: 1, step: 0, embeddings: embeddings)
        let gradient = Tensor(uncheckedShape: features.shape, scalars: [Float](repeating: 0.01, count: features.count))
        _ = try await backend.backward(client: 1, round: 1, step: 0, featureGradient: gradient)
    }

    @Test func aForwardCancelledWhileWaitingForTheRoundStopsAtOnceAndNeverRuns() async throws {
        let backend = try FederationBackendTests.backend(minClients: 1, timeout: .seconds(60))
        _ = try await backend.join(ClientRegistration(clientID: 1, name: "segmentation-0", task: "segmentation", embeddingShape: Self.shape()))
        let waiting = Task { try await backend.forward(client: 1, round: 1, step: 0, embeddings: FederationLoopback.embeddings()).scalars }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        // The round opens a little later whether or not the cancelled call stopped.
        let driver = Task {
            try await Task.sleep(for: .milliseconds(300))
            return try await backend.runRound()
        }
        let outcome = await waiting.result
        #expect(throws: CancellationError.self) { _ = try outcome.get() }
        // The client sends step 0 again with other embeddings: nothing of the cancelled call is pending.
        try await Self.step(backend, embeddings: FederationLoopback.embeddings(seed: 3))
        #expect(try await backend.endRound(client: 1, round: 1) == RoundBarrierResult(nextRound: 2, finished: false))
        #expect(try await driver.value == .aggregated(round: 1, clients: ["segmentation-0"]))
    }

    @Test func aClientMayHaveAtMostTwoForwardsWaitingForTheRound() async throws {
        let backend = try FederationBackendTests.backend(minClients: 1, timeout: .seconds(60))
        _ = try await backend.join(ClientRegistration(clientID: 1, name: "segmentation-0", task: "segmentation", embeddingShape: Self.shape()))
        let first = Task { try await backend.forward(client: 1, round: 1, step: 0, embeddings: FederationLoopback.embeddings()).shape }
        let retry = Task { try await backend.forward(client: 1, round: 1, step: 0, embeddings: FederationLoopback.embeddings()).scalars }
        try await Task.sleep(for: .milliseconds(50))
        do {
            _ = try await backend.forward(client: 1, round: 1, step: 0, embeddings: FederationLoopback.embeddings())
            Issue.record("a third waiting Forward was accepted")
        } catch let SplitTrainingBackendError.resourceExhausted(message) {
            #expect(message.contains("2 Forwards waiting"), "\(message)")
        }
        let driver = Task { try await backend.runRound() }
        let shape = try await first.value
        let retried = try await retry.value
        #expect(retried.count == shape.reduce(1, *))
        let gradient = Tensor(uncheckedShape: shape, scalars: [Float](repeating: 0.01, count: retried.count))
        _ = try await backend.backward(client: 1, round: 1, step: 0, featureGradient: gradient)
        _ = try await backend.endRound(client: 1, round: 1)
        #expect(try await driver.value == .aggregated(round: 1, clients: ["segmentation-0"]))
    }

    @Test func aForwardWhoseDeadlinePassesWhileWaitingNeverRunsOverGRPC() async throws {
        let backend = try FederationBackendTests.backend(minClients: 1, timeout: .seconds(60))
        try await FederationLoopback.run(backend) { port in
            var config = FederationLoopback.clientConfig(port: port, name: "segmentation-0")
            config.callTimeout = .milliseconds(300)
            try await FedBoneTransportClient.withClient(config: config) { client in
                try await client.join(name: "segmentation-0", task: "segmentation", embeddingShape: Self.shape())
                #expect(await failsWith(.deadlineExceeded) { _ = try await client.forward(round: 1, step: 0, embeddings: FederationLoopback.embeddings()) })
            }
            // Give the server time to see the deadline, then open the round.
            try await Task.sleep(for: .milliseconds(100))
            let driver = Task { try await backend.runRound() }
            try await FedBoneTransportClient.withClient(config: FederationLoopback.clientConfig(port: port, name: "segmentation-0")) { client in
                try await client.join(name: "segmentation-0", task: "segmentation", embeddingShape: Self.shape())
                let other = try FederationLoopback.embeddings(seed: 3)
                let features = try await client.forward(round: 1, step: 0, embeddings: other)
                let gradient = Tensor(uncheckedShape: features.shape, scalars: [Float](repeating: 0.01, count: features.count))
                _ = try await client.backward(round: 1, step: 0, featureGradient: gradient)
                #expect(try await client.endRound(round: 1) == RoundBarrierResult(nextRound: 2, finished: false))
            }
            #expect(try await driver.value == .aggregated(round: 1, clients: ["segmentation-0"]))
        }
    }
}
