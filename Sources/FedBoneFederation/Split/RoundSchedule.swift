/// The per-round learning rates of a run, for drivers outside this module (the gRPC server
/// and its clients compute exactly what ``SplitFederation`` computes in process).
extension ExperimentConfig {
    /// The clients' learning rate in round `round` (1-based).
    public func clientLearningRate(round: Int) -> Double {
        learningRate(client, round: round, rounds: rounds)
    }

    /// The learning rates in force in `round`, as the run log records them: the clients'
    /// (`client`) and, in the split methods, the server's η_s (`server`) and, in replica mode,
    /// the replicas' (`replica`).
    public func learningRates(round: Int) -> [String: Double] {
        var rates = ["client": clientLearningRate(round: round)]
        if method.isSplit {
            rates["server"] = serverLearningRate(round: round)
            if server.update == .replica { rates["replica"] = replicaLearningRate(round: round) }
        }
        return rates
    }

    /// Whether the clients evaluate on their test splits after round `round` (1-based): every
    /// `evaluation.every` rounds and after the last one. (Round 0, before training, always does.)
    public func evaluates(afterRound round: Int) -> Bool {
        round % evaluation.every == 0 || round == rounds
    }

    /// The server replicas' learning rate in round `round` (1-based, `replica` mode).
    public func replicaLearningRate(round: Int) -> Double {
        learningRate(server.optimization, round: round, rounds: rounds)
    }
}
