@testable import FedBoneTransport

/// A backend whose "general model" doubles its input: features = 2·embeddings, so the
/// embedding gradient is 2·featureGradient. It counts the calls that reach it.
actor FakeBackend: SplitTrainingBackend {
    private(set) var joins: [ClientRegistration] = []
    private(set) var forwardCalls = 0
    private(set) var backwardCalls = 0
    private(set) var endRoundCalls = 0
    private(set) var leaves: [UInt32] = []
    /// The sequence lengths the latest Forward or Infer carried.
    private(set) var lastLengths: [Int]?
    private var round = 0
    let totalRounds: Int

    init(totalRounds: Int = 2) {
        self.totalRounds = totalRounds
    }

    func join(_ registration: ClientRegistration) async throws -> JoinAcceptance {
        joins.append(registration)
        return JoinAcceptance(round: round, totalRounds: totalRounds)
    }

    func forward(client: UInt32, round: Int, step: Int, embeddings: sending Tensor, lengths: [Int]?) async throws -> sending Tensor {
        forwardCalls += 1
        lastLengths = lengths
        return Self.doubled(embeddings)
    }

    func backward(client: UInt32, round: Int, step: Int, featureGradient: sending Tensor) async throws -> sending Tensor {
        backwardCalls += 1
        return Self.doubled(featureGradient)
    }

    func infer(client: UInt32, embeddings: sending Tensor, lengths: [Int]?) async throws -> sending Tensor {
        lastLengths = lengths
        return Self.doubled(embeddings)
    }

    func endRound(client: UInt32, round: Int) async throws -> RoundBarrierResult {
        endRoundCalls += 1
        self.round = round + 1
        return RoundBarrierResult(nextRound: round + 1, finished: round + 1 >= totalRounds)
    }

    func status(client: UInt32) async throws -> TrainingStatus {
        TrainingStatus(round: round, phase: .training, clientsJoined: joins.count, clientsExpected: 2)
    }

    func leave(client: UInt32) async throws {
        leaves.append(client)
    }

    private(set) var reports: [MetricsReport] = []

    func reportMetrics(client: UInt32, report: MetricsReport) async throws {
        reports.append(report)
    }

    static func doubled(_ tensor: Tensor) -> Tensor {
        Tensor(uncheckedShape: tensor.shape, scalars: tensor.scalars.map { 2 * $0 })
    }
}
