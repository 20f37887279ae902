import Foundation

/// What a round produced.
public struct RoundOutcome: Sendable {
    /// One entry per participant, in client order.
    public var clients: [ClientRoundStats]
    /// The server's aggregation (FedBone methods only).
    public var aggregation: AggregationRecord?
}

/// Parameters and compute of the two sides, and traffic (the run's cost accounting).
public struct CostReport: Codable, Sendable, Equatable {
    /// Per client: trainable parameters held and forward GFLOPs per sample computed on the client.
    public struct Client: Codable, Sendable, Equatable {
        public var client: String
        public var task: String
        public var parameters: Int
        public var gflopsPerSample: Double
    }
    public var clients: [Client]
    /// Trainable parameters held by the server (the general model; 0 in the baselines).
    public var serverParameters: Int
    /// Forward GFLOPs per sample on the server.
    public var serverGflopsPerSample: Double
    /// Mean bytes a participant sent per round (measured).
    public var bytesSentPerClientRound: Double = 0
    /// Mean bytes a participant received per round (measured).
    public var bytesReceivedPerClientRound: Double = 0
    /// Peak resident memory of the process, in bytes.
    public var peakMemoryBytes: Int = 0
}

/// One federated method over a fixed set of clients, driven round by round by ``Simulation``.
public protocol FederatedAlgorithm: AnyObject {
    /// Client names, in the order of every per-client array.
    var clientNames: [String] { get }
    /// The clients' datasets (same order).
    var datasets: [any ClientDataset] { get }
    /// Trains round `round` (1-based) with the clients at `participants` (indices, ascending).
    func trainRound(_ round: Int, participants: [Int], observer: StepObserver?) throws -> RoundOutcome
    /// Client `client`'s (an index) result on its test split with the current models.
    func evaluate(client: Int) throws -> EvaluationSummary
    /// Client `client`'s predictions for `input` (images `[B, 3, H, W]` or token sequences, as
    /// its data are) with the current models (its task head's output, evaluation mode).
    func predict(client: Int, input: ModelInput) throws -> Tensor
    /// Writes every model, optimizer and server state into the (empty) directory `directory`.
    func save(to directory: URL) throws
    /// Restores what ``save(to:)`` wrote; the next round to train is `nextRound`.
    func restore(from directory: URL, nextRound: Int) throws
    /// Parameters and GFLOPs per sample of each side.
    func cost() -> CostReport
}

extension FederatedAlgorithm {
    /// Every client's result on its test split with the current models.
    public func evaluate() throws -> [EvaluationSummary] {
        try clientNames.indices.map { try evaluate(client: $0) }
    }
}

extension CostReport {
    /// The run's `cost.json` (``RunCost``): the mean client parameters and GFLOPs per sample over
    /// the clients (their heads differ by task), the server's, the peak memory, and
    /// `bytesPerClientPerRound` (each client's mean bytes sent plus received per round it trained).
    public func runCost(bytesPerClientPerRound: [String: Double]) -> RunCost {
        let n = Double(max(clients.count, 1))
        return RunCost(
            clientParameters: Double(clients.reduce(0) { $0 + $1.parameters }) / n,
            serverParameters: Double(serverParameters),
            clientGFLOPs: clients.reduce(0) { $0 + $1.gflopsPerSample } / n,
            serverGFLOPs: serverGflopsPerSample,
            peakMemoryBytes: Double(peakMemoryBytes),
            bytesPerClientPerRound: bytesPerClientPerRound)
    }
}

/// The seeded random streams of a run, all derived from the config seed, so every draw is
/// reproducible and a resumed run makes the same draws as an uninterrupted one.
public struct RandomStreams: Sendable {
    private let root: SeededGenerator

    public init(seed: UInt64) { root = SeededGenerator(seed: seed) }

    private enum Purpose: UInt64 { case data = 1, model, training, sampling, aggregation }

    private func stream(_ purpose: Purpose, _ a: Int = 0, _ b: Int = 0) -> SeededGenerator {
        root.fork(purpose.rawValue << 48 ^ UInt64(a) << 20 ^ UInt64(b))
    }

    /// The seed for the datasets.
    public var dataSeed: UInt64 { stream(.data).stateWords[0] }
    /// The seed for model `index` (0: the general model, i + 1: client i).
    public func modelSeed(_ index: Int) -> UInt64 { stream(.model, index).stateWords[0] }
    /// Client `client`'s shuffling and augmentation in round `round`.
    public func training(round: Int, client: Int) -> SeededGenerator { stream(.training, round, client) }
    /// The client sampling of round `round`.
    public func sampling(round: Int) -> SeededGenerator { stream(.sampling, round) }
    /// The seed of the aggregation's shuffles (forked per round by the server).
    public var aggregationSeed: UInt64 { stream(.aggregation).stateWords[0] }
}

/// The learning rate of `optimization` at round `round` (1-based) of a `rounds`-round run.
func learningRate(_ optimization: OptimizationConfig, round: Int, rounds: Int) -> Double {
    optimization.schedule.schedule(base: optimization.baseLearningRate, rounds: rounds).learningRate(at: round - 1)
}
