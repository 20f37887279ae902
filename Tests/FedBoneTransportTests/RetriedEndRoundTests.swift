import Foundation
import Testing
@testable import FedBoneTransport

/// EndRound sent again, or twice at once, while the first waits at the barrier (issue #19, item 2).
@Suite struct RetriedEndRoundTests {
    @Test func aRetriedAndAConcurrentEndRoundWaitForTheBarrierAndGetTheSameAnswer() async throws {
        let backend = try FederationBackendTests.backend(minClients: 3, timeout: .seconds(60))
        try await FederationBackendTests.joinAll(backend)
        let driver = Task { try await backend.runRound() }
        for m in FederationBackendTests.members { try await FederationBackendTests.step(backend, m.id, round: 1) }
        let first = Task { try await backend.endRound(client: 1, round: 1) }
        try await Task.sleep(for: .milliseconds(50))
        // Client 1's first EndRound waits at the barrier; its retry must wait with it.
        let retry = Task { try await backend.endRound(client: 1, round: 1) }
        let second = Task { try await backend.endRound(client: 2, round: 1) }
        try await Task.sleep(for: .milliseconds(50))
        // The last participant sends two EndRounds at once: one closes the round, the other must get its answer.
        let last = Task { try await backend.endRound(client: 3, round: 1) }
        let twin = Task { try await backend.endRound(client: 3, round: 1) }
        let expected = RoundBarrierResult(nextRound: 2, finished: false)
        for (name, call) in [("first", first), ("retry", retry), ("second", second), ("last", last), ("twin", twin)] {
            let result = await call.result
            #expect((try? result.get()) == expected, "\(name): \(result)")
        }
        #expect(try await driver.value == .aggregated(round: 1, clients: FederationBackendTests.members.map(\.name)))
    }
}
