import Foundation
import Testing
@testable import FedBoneTransport

/// Finite but huge inputs must not poison the general model or its checkpoint (issue #19, item 3).
@Suite struct PoisonedUpdateTests {
    @Test func hugeEmbeddingsAreRefusedAndTheRoundSavesAFiniteModel() async throws {
        let backend = try FederationBackendTests.backend(minClients: 3, timeout: .seconds(60))
        try await FederationBackendTests.joinAll(backend)
        let driver = Task { try await backend.runRound() }
        let good = try FederationLoopback.embeddings()
        let largest = good.scalars.map(abs).max() ?? 1
        let huge = Tensor(uncheckedShape: good.shape, scalars: good.scalars.map { $0 / largest * 3e38 })
        do {
            _ = try await backend.forward(client: 3, round: 1, step: 0, embeddings: huge)
            Issue.record("embeddings of 3e38 were accepted")
        } catch let SplitTrainingBackendError.invalidArgument(message) {
            #expect(message.contains("not finite"), "\(message)")
        }
        for m in FederationBackendTests.members { try await FederationBackendTests.step(backend, m.id, round: 1) }
        let ends = FederationBackendTests.members.map { m in Task { try await backend.endRound(client: m.id, round: 1) } }
        for end in ends { #expect(try await end.value == RoundBarrierResult(nextRound: 2, finished: false)) }
        #expect(try await driver.value == .aggregated(round: 1, clients: FederationBackendTests.members.map(\.name)))
        let general = try await FederationBackendTests.general(backend)
        for (key, value) in general { #expect(value.scalars.allSatisfy { $0.isFinite }, "\(key) is not finite") }
    }
}
