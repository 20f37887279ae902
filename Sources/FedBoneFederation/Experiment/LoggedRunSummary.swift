/// `summary.md` of a run known from its log alone: a networked run, whose server holds the
/// clients' reported metrics but neither their data nor their models. The same tables as a
/// simulation's summary (round 0, final, final loss per client and per task); the trivial
/// predictor's column is empty (it needs the clients' data) and the cost is the server's.
public enum LoggedRunSummary {
    /// The summary of `records` for `clients` (name and task, in federation order).
    /// - Parameters:
    ///   - serverParameters: the general model's parameter count.
    ///   - seconds: the server's wall-clock seconds.
    public static func markdown(config: ExperimentConfig, clients: [(name: String, task: TaskSpec)], records: [RoundRecord],
                                lastRound: Int, serverParameters: Int, seconds: Double) -> String {
        func latest(_ client: (name: String, task: TaskSpec), where keep: (RoundRecord) -> Bool) -> EvaluationSummary {
            records.last { $0.client == client.name && keep($0) }.flatMap { EvaluationSummary(record: $0, samples: 0) }
                ?? EvaluationSummary(loss: .nan, metrics: makeMetric(for: client.task).summary())
        }
        let placeholder = clients.map { EvaluationSummary(loss: .nan, metrics: makeMetric(for: $0.task).summary()) }
        var cost = CostReport(clients: [], serverParameters: serverParameters, serverGflopsPerSample: 0)
        let trained = records.filter(\.trained)
        if !trained.isEmpty {
            cost.bytesSentPerClientRound = Double(trained.reduce(0) { $0 + $1.bytesSent }) / Double(trained.count)
            cost.bytesReceivedPerClientRound = Double(trained.reduce(0) { $0 + $1.bytesReceived }) / Double(trained.count)
        }
        cost.peakMemoryBytes = peakResidentBytes()
        let result = SimulationResult(config: config, clients: clients.map(\.name), tasks: clients.map(\.task.kind.rawValue),
                                      initial: clients.map { c in latest(c) { $0.round == 0 } },
                                      final: clients.map { c in latest(c) { !$0.metrics.isEmpty } },
                                      trivial: placeholder, lastRound: lastRound, cost: cost, seconds: seconds)
        return SummaryMarkdown.markdown(result)
    }
}
