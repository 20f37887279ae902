import Foundation
import Testing
@testable import FedBoneTransport

/// Batched passes over the network (`server.batchClients`, `server.batchWaitMs`): concurrent
/// Forwards of several clients run as one general-model pass, their Backwards as one, and the
/// round ends where the unbatched one does.
@Suite struct BatchedNetworkPassTests {
    static func backend(batchClients: Int, waitMs: Int) throws -> FederationBackend {
        var config = try FederationBackendTests.config()
        config.server.update = .gradient
        config.server.batchClients = batchClients
        config.server.batchWaitMs = waitMs
        return try FederationBackend(config: config, members: FederationBackendTests.members, minClients: 3, roundTimeout: .seconds(120))
    }

    /// Client `id`'s step: its embeddings, then its Backward after `delay`.
    static func step(_ backend: FederationBackend, _ id: UInt32, delay: Duration = .zero) async throws {
        let shape = [1 + Int(id)] + (try FederationBackendTests.embeddingShape(FederationBackendTests.config()))
        let count = shape.reduce(1, *)
        let embeddings = Tensor(uncheckedShape: shape, scalars: (0..<count).map { Float(($0 + Int(id)) % 7) / 7 - 0.4 })
        let features = try await backend.forward(client: id, round: 1, step: 0, embeddings: embeddings)
        let gradient = Tensor(uncheckedShape: features.shape, scalars: (0..<features.count).map { Float($0 % 5) * 0.01 - 0.02 })
        try await Task.sleep(for: delay)
        _ = try await backend.backward(client: id, round: 1, step: 0, featureGradient: gradient)
    }

    /// One round: every member's step at once (the third's Backward `lateBy` after the others), then the barrier.
    static func round(_ backend: FederationBackend, lateBy: Duration = .zero) async throws -> [String: Tensor] {
        try await FederationBackendTests.joinAll(backend)
        let driver = Task { try await backend.runRound() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for m in FederationBackendTests.members {
                group.addTask { try await step(backend, m.id, delay: m.id == 3 ? lateBy : .zero) }
            }
            try await group.waitForAll()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for m in FederationBackendTests.members { group.addTask { _ = try await backend.endRound(client: m.id, round: 1) } }
            try await group.waitForAll()
        }
        _ = try await driver.value
        return try await FederationBackendTests.general(backend)
    }

    static func expectClose(_ a: [String: Tensor], _ b: [String: Tensor]) {
        #expect(a.keys.sorted() == b.keys.sorted() && !a.isEmpty)
        for (key, value) in a {
            let worst = zip(value.scalars, b[key]?.scalars ?? []).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-5, "\(key) differs by \(worst)")
        }
    }

    @Test func concurrentForwardsRunAsOnePassAndEndTheRoundAsUnbatchedOnes() async throws {
        let unbatched = try Self.backend(batchClients: 1, waitMs: 0)
        let expected = try await Self.round(unbatched)
        #expect(await unbatched.batchedPasses == 0)
        // A long wait: the pass runs as soon as every participant's Forward is in, not after it.
        let batched = try Self.backend(batchClients: 3, waitMs: 30_000)
        let started = ContinuousClock.now
        let got = try await Self.round(batched)
        #expect(ContinuousClock.now - started < .seconds(30), "the full batch did not wait for the timer")
        #expect(await batched.batchedPasses == 1)
        Self.expectClose(got, expected)
    }

    @Test func aBackwardLateForItsPassIsRecomputedAloneAndChangesNothing() async throws {
        let expected = try await Self.round(try Self.backend(batchClients: 1, waitMs: 0))
        let batched = try Self.backend(batchClients: 3, waitMs: 100)
        let got = try await Self.round(batched, lateBy: .milliseconds(1500))
        #expect(await batched.batchedPasses == 1)
        Self.expectClose(got, expected)
    }
}
