import Foundation
import Synchronization
import Testing
@testable import FedBoneTransport

/// Status is answered while another client's long Forward computes (issue #19, item 5: one
/// client cannot starve the others' Status calls).
@Suite struct StatusDuringComputeTests {
    @Test func statusAnswersWhileALongForwardRuns() async throws {
        let backend = try FederationBackendTests.backend(minClients: 1, timeout: .seconds(120))
        try await FederationBackendTests.joinAll(backend)
        let driver = Task { try await backend.runRound() }
        while try backend.currentStatus(client: 2).phase != .training { try await Task.sleep(for: .milliseconds(10)) }
        let done = Flag()
        let forward = Task {
            defer { done.set() }
            return try await backend.forward(client: 1, round: 1, step: 0, embeddings: FederationLoopback.embeddings(batch: 8192)).shape
        }
        // Asked from a thread of its own (not the concurrency pool, which other tests may keep
        // busy), while the Forward computes on the actor: the answer does not wait for it.
        let (status, forwardStillRunning) = try await withCheckedThrowingContinuation { continuation in
            Thread {
                Thread.sleep(forTimeInterval: 0.03)
                do {
                    let status = try backend.currentStatus(client: 2)
                    continuation.resume(returning: (status, !done.isSet))
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
        #expect(status.phase == .training && status.selected && status.round == 1)
        let shape = try await forward.value
        #expect(forwardStillRunning, "Status waited for the Forward of batch \(shape.first ?? 0) to finish")
        driver.cancel()
        await backend.stop()
    }
}

/// A flag one task sets and another thread reads.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
