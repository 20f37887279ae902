@testable import FedBoneTransport

/// The backend behind the wire fuzz: ``FakeBackend``'s doubling model with the real server's
/// round rules (a Forward or EndRound of another round than the open one is refused). It keeps
/// counters only, so its memory stays flat however many inputs arrive.
actor FuzzBackend: SplitTrainingBackend {
    private(set) var round = 0
    private(set) var inferCalls = 0
    private(set) var forwardCalls = 0

    func join(_ registration: ClientRegistration) async throws -> JoinAcceptance {
        JoinAcceptance(round: round, totalRounds: 0)
    }

    func forward(client: UInt32, round: Int, step: Int, embeddings: sending Tensor, lengths: [Int]?) async throws -> sending Tensor {
        guard round == self.round else { throw SplitTrainingBackendError.failedPrecondition("round \(round) is not open; round \(self.round) is") }
        forwardCalls += 1
        return FakeBackend.doubled(embeddings)
    }

    func backward(client: UInt32, round: Int, step: Int, featureGradient: sending Tensor) async throws -> sending Tensor {
        FakeBackend.doubled(featureGradient)
    }

    func infer(client: UInt32, embeddings: sending Tensor, lengths: [Int]?) async throws -> sending Tensor {
        inferCalls += 1
        return FakeBackend.doubled(embeddings)
    }

    func endRound(client: UInt32, round: Int) async throws -> RoundBarrierResult {
        guard round == self.round else { throw SplitTrainingBackendError.aborted("round \(round) is not open; round \(self.round) is") }
        self.round += 1
        return RoundBarrierResult(nextRound: self.round, finished: false)
    }

    func status(client: UInt32) async throws -> TrainingStatus {
        TrainingStatus(round: round, phase: .training, clientsJoined: 1, clientsExpected: 2)
    }

    func leave(client: UInt32) async throws {}

    func reportMetrics(client: UInt32, report: MetricsReport) async throws {}
}
