import Foundation
import GRPCCore
import Testing
@testable import FedBoneClient
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
            try await FedBoneTransportClient.withClient(config: FederationLoopback.clientConfig(port: port, name: "segmentation-0")) { client in
                let info = try await client.join(name: "segmentation-0", task: "segmentation", embeddingShape: Self.shape())
                var request = Fedbone_V1_ForwardRequest()
                request.clientID = info.clientID
                request.session = info.session
                request.round = 1
                request.step = 0
                request.embeddings = Fedbone_V1_Tensor(try FederationLoopback.embeddings(), dtype: .f32)
                let metadata = BearerToken.metadata(token: "token-segmentation-0")
                // Long enough for the call to reach the server's wait on a loaded machine (with
                // 300 ms it could expire before the server saw it, and then arrive after the round opened).
                let options = client.callOptions(timeout: .seconds(2))
                #expect(await failsWith(.deadlineExceeded) { _ = try await client.raw.forward(request, metadata: metadata, options: options) })
                // The server sees the deadline a little after the client: wait until the call stopped waiting.
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(10)
                while await backend.waitingForwardCount > 0, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(await backend.waitingForwardCount == 0, "the expired Forward still waits")
                let driver = Task { try await backend.runRound() }
                let features = try await client.forward(round: 1, step: 0, embeddings: FederationLoopback.embeddings(seed: 3))
                let gradient = Tensor(uncheckedShape: features.shape, scalars: [Float](repeating: 0.01, count: features.count))
                _ = try await client.backward(round: 1, step: 0, featureGradient: gradient)
                #expect(try await client.endRound(round: 1) == RoundBarrierResult(nextRound: 2, finished: false))
                #expect(try await driver.value == .aggregated(round: 1, clients: ["segmentation-0"]))
            }
        }
    }
}
