/// What a networked client tells the server about its rounds (ReportMetrics), at the cadence the
/// simulation evaluates: its training results of every round it trains, and its evaluation on
/// its test split after round 0 and every evaluation round (``ExperimentConfig/evaluates(afterRound:)``).
/// A round the client did not train, and which had an evaluation, is reported once the client
/// sees that the server has moved past it (``catchUp(before:)``). Use it from the client's own
/// thread (it blocks).
struct RoundReporter {
    let config: ExperimentConfig
    let testSamples: Int
    let connection: FedBoneTransportClient
    /// The client's test results with the current general model.
    let evaluate: () throws -> EvaluationSummary
    /// The latest round reported by this process (−1: none).
    private(set) var reported = -1
    /// The evaluation of the latest evaluation round reported.
    private(set) var lastEvaluation: EvaluationSummary?

    init(config: ExperimentConfig, testSamples: Int, connection: FedBoneTransportClient, evaluate: @escaping () throws -> EvaluationSummary) {
        self.config = config
        self.testSamples = testSamples
        self.connection = connection
        self.evaluate = evaluate
    }

    /// Whether the clients evaluate after `round` (0: before training).
    func evaluates(_ round: Int) -> Bool { round == 0 || config.evaluates(afterRound: round) }

    /// Reports `round`: its training (`training`, nil when the client did not train it) and, in
    /// an evaluation round, the evaluation with the general model as it is now. Does nothing for
    /// a round with neither.
    mutating func report(_ round: Int, training: ClientRoundStats?) throws {
        let evaluates = self.evaluates(round)
        guard evaluates || training != nil else { return }
        let evaluation = evaluates ? try evaluate() : nil
        let report = MetricsReport(round: round, training: training, evaluation: evaluation, testSamples: testSamples)
        let connection = self.connection
        try RemoteGeneralModelService.blocking { try await connection.reportMetrics(report) }
        reported = max(reported, round)
        if let evaluation { lastEvaluation = evaluation }
    }

    /// Before the client waits for round `round`: reports round `round − 1` when it had an
    /// evaluation and this process has not reported it (the client did not train it, or was
    /// just started or rejoined).
    mutating func catchUp(before round: Int) throws {
        let previous = min(round - 1, config.rounds)
        guard previous >= 0, previous > reported, evaluates(previous) else { return }
        try report(previous, training: nil)
    }
}
