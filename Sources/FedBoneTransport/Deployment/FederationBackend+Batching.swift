import Foundation

/// The calls waiting to join a batched server pass (`server.batchClients`,
/// `server.batchWaitMs`); ``FederationBackend`` owns and isolates it.
final class PassBatcher {
    /// An answer's tensor as plain values, free to cross to the waiting call.
    struct Values: Sendable {
        var shape: [Int]
        var scalars: [Float]
    }

    typealias Answer = CheckedContinuation<Result<Values, any Error>, Never>

    /// `result` as an answer.
    static func answer(_ result: Result<Tensor, any Error>) -> Result<Values, any Error> {
        result.map { Values(shape: $0.shape, scalars: $0.scalars) }
    }

    /// The most clients in one pass (1: no batching).
    let limit: Int
    /// How long the first waiting call of a batch waits for others.
    let wait: Duration
    /// Forwards waiting for their pass, in arrival order.
    var forwards: [(request: ForwardRequest, answer: Answer)] = []
    /// Counts flushed Forward batches, so that a timer flushes only the batch it was set for.
    var forwardBatch = 0
    /// Backwards waiting for their pass's other members, by pass, with the number of the timer
    /// set for them (a pass's identity can come back once it is freed; its timer number cannot).
    var backwards: [ObjectIdentifier: (timer: Int, calls: [(request: BackwardRequest, answer: Answer)])] = [:]
    /// The number of the next Backward timer.
    var nextTimer = 0

    init(limit: Int, wait: Duration) {
        self.limit = limit
        self.wait = wait
    }

    /// Whether calls are batched at all.
    var batches: Bool { limit > 1 }
}

/// Batched passes over the network: a Forward waits up to `server.batchWaitMs` for Forwards of
/// other clients (until `server.batchClients` wait, or every participant still training does),
/// then they run as one general-model pass; a Backward of a batched step waits (as long) for
/// the Backwards of the pass's other members, then they run as one backward pass. A member
/// whose Backward does not come in time is recomputed alone when it comes. Answers are those
/// of the single calls (``GeneralModelServer/forward(batch:)``), to float tolerance.
extension FederationBackend {
    /// Queues `request` for the next batched Forward pass and waits for its answer.
    func batchedForward(_ request: ForwardRequest) async throws -> sending Tensor {
        let result = await withCheckedContinuation { (answer: PassBatcher.Answer) in
            batcher.forwards.append((request, answer))
            if forwardsComplete {
                flushForwards()
            } else if batcher.forwards.count == 1 {
                let batch = batcher.forwardBatch, wait = batcher.wait
                Task { [weak self] in
                    try? await Task.sleep(for: wait)
                    await self?.flushForwards(batch: batch)
                }
            }
        }
        let features = try mapped { try result.get() }
        return Self.copy(shape: features.shape, scalars: features.scalars)
    }

    /// Whether the waiting Forwards fill a pass: `server.batchClients` of them, or one from every
    /// participant that has not ended the round and awaits no Backward.
    private var forwardsComplete: Bool {
        guard batcher.forwards.count < batcher.limit else { return true }
        let waiting = Set(batcher.forwards.map(\.request.client))
        let ended = server.endedParticipants
        return server.roundParticipants.allSatisfy { ended.contains($0) || server.awaitsBackward($0) || waiting.contains($0) }
    }

    /// Runs the waiting Forwards as one pass (if they are still batch number `batch`).
    private func flushForwards(batch: Int? = nil) {
        guard batch == nil || batch == batcher.forwardBatch, !batcher.forwards.isEmpty else { return }
        let queued = batcher.forwards
        batcher.forwards = []
        batcher.forwardBatch += 1
        let started = ContinuousClock.now
        let results = server.forward(batch: queued.map(\.request))
        modelSeconds += Self.seconds(ContinuousClock.now - started)
        for (entry, result) in zip(queued, results) { entry.answer.resume(returning: PassBatcher.answer(result)) }
    }

    /// Queues `request` (a Backward of a batched step) until its pass's other members' Backwards
    /// come, and waits for its answer.
    func batchedBackward(_ request: BackwardRequest) async throws -> sending Tensor {
        guard let (pass, _) = server.batchedPass(of: request.client) else {
            preconditionFailure("batchedBackward: \(request.client) has no batched step")
        }
        let result = await withCheckedContinuation { (answer: PassBatcher.Answer) in
            if batcher.backwards[pass] == nil {
                let timer = batcher.nextTimer, wait = batcher.wait
                batcher.nextTimer += 1
                batcher.backwards[pass] = (timer, [])
                Task { [weak self] in
                    try? await Task.sleep(for: wait)
                    await self?.flushBackwards(pass, timer: timer)
                }
            }
            batcher.backwards[pass]?.calls.append((request, answer))
            if backwardsComplete(pass) { flushBackwards(pass) }
        }
        let gradient = try mapped { try result.get() }
        return Self.copy(shape: gradient.shape, scalars: gradient.scalars)
    }

    /// Whether every member of `pass` still awaiting its Backward has sent it.
    private func backwardsComplete(_ pass: ObjectIdentifier) -> Bool {
        let waiting = Set((batcher.backwards[pass]?.calls ?? []).map(\.request.client))
        guard let first = waiting.first, let (_, awaiting) = server.batchedPass(of: first) else { return true }
        return awaiting.allSatisfy(waiting.contains)
    }

    /// Runs the waiting Backwards of `pass` as one backward pass (if they are still those of
    /// timer `timer`; nothing when none waits).
    private func flushBackwards(_ pass: ObjectIdentifier, timer: Int? = nil) {
        guard let entry = batcher.backwards[pass], timer == nil || timer == entry.timer else { return }
        batcher.backwards[pass] = nil
        let queued = entry.calls
        let started = ContinuousClock.now
        let results = server.backward(batch: queued.map(\.request))
        modelSeconds += Self.seconds(ContinuousClock.now - started)
        for (entry, result) in zip(queued, results) { entry.answer.resume(returning: PassBatcher.answer(result)) }
    }
}
