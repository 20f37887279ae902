import Foundation

/// The run directory `fedbone serve` writes, the same as `fedbone simulate`'s (DESIGN §4), from
/// what the clients report (`ReportMetrics`) and the server's own aggregation records:
/// `config.yaml`, `metrics.jsonl` (one ``RoundRecord`` per client per round, from round 0),
/// `aggregation.jsonl`, `metrics.csv`, a TensorBoard event file, and at the end `summary.md`
/// and `report.html` — so `fedbone report` works on it. A client that did not report a round
/// (it did not train it and the round had no evaluation, or it was away) has a record with a
/// NaN train loss and no metrics, as a client the simulation did not sample.
final class NetworkRunLog {
    private let directory: URL
    private let experiment: ExperimentConfig
    private let writer: RunLogWriter

    /// Opens the run log of `directory`; `resumingAfter` keeps the log of the rounds up to that
    /// round (a resumed server) and drops what was logged after it.
    init(directory: URL, experiment: ExperimentConfig, resumingAfter: Int?) throws {
        self.directory = directory
        self.experiment = experiment
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try experiment.yaml().write(to: directory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        if let resumingAfter { try truncateRunLog(in: directory, afterRound: resumingAfter) }
        writer = try RunLogWriter(directory: directory, resume: resumingAfter != nil)
    }

    /// Logs `round`: a record per member whose task is known (in federation order), with the
    /// reports received, and the round's aggregation.
    func log(round: Int, members: [(member: FederationBackend.Member, task: TaskSpec)], reports: [UInt32: MetricsReport],
             aggregation: AggregationRecord?) throws {
        let rates = round == 0 ? [:] : experiment.learningRates(round: round)
        try writer.log(round: members.map { member, task in
            let report = reports[member.id]
            return RoundRecord(run: experiment.name, method: experiment.method.rawValue, round: round, task: task, client: member.name,
                               learningRates: rates, train: report?.training.map { Self.stats($0, client: member.name) },
                               evaluation: report?.evaluation.map { Self.summary($0, task: task) })
        })
        if let aggregation, aggregation.round == round { try writer.log(aggregation: aggregation) }
    }

    /// Writes `summary.md` and `report.html` and closes the log.
    func finish(clients: [(member: FederationBackend.Member, task: TaskSpec)], lastRound: Int, serverParameters: Int, seconds: Double) throws {
        let summary = LoggedRunSummary.markdown(config: experiment, clients: clients.map { ($0.member.name, $0.task) }, records: writer.rounds,
                                                lastRound: lastRound, serverParameters: serverParameters, seconds: seconds)
        try summary.write(to: directory.appendingPathComponent("summary.md"), atomically: true, encoding: .utf8)
        try writer.close()
        try HTMLReport.write(run: directory)
    }

    private static func stats(_ t: MetricsReport.Training, client: String) -> ClientRoundStats {
        ClientRoundStats(client: client, loss: t.loss, steps: t.steps, samples: 0, bytesSent: t.bytesSent, bytesReceived: t.bytesReceived,
                         seconds: t.seconds)
    }

    /// The evaluation as the task's metric summary (its primary metric's name and direction are the task's).
    private static func summary(_ e: MetricsReport.Evaluation, task: TaskSpec) -> EvaluationSummary {
        let primary = makeMetric(for: task).summary().primary
        return EvaluationSummary(loss: e.loss, metrics: MetricSummary(values: e.metrics, primaryName: primary.name,
                                                                      higherIsBetter: primary.higherIsBetter, samples: e.samples))
    }
}
