/// The per-round learning rates of a run, for drivers outside this module (the gRPC server
/// and its clients compute exactly what ``SplitFederation`` computes in process).
extension ExperimentConfig {
    /// The clients' learning rate in round `round` (1-based).
    public func clientLearningRate(round: Int) -> Double {
        learningRate(client, round: round, rounds: rounds)
    }

    /// The server replicas' learning rate in round `round` (1-based, `replica` mode).
    public func replicaLearningRate(round: Int) -> Double {
        learningRate(server.optimization, round: round, rounds: rounds)
    }
}
