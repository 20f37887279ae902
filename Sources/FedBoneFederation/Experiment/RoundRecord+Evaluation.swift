extension RoundRecord {
    /// The key of the mean test loss in ``RoundRecord/metrics`` (next to the task metric's values).
    public static let testLossKey = "test_loss"

    /// A client's record of one round: its local training (`train`; absent at round 0 and for
    /// clients not sampled, which leaves the train loss NaN and the bytes 0) and its test-split
    /// evaluation (absent in rounds without one, which leaves `metrics` empty and the primary
    /// value NaN). `metrics` holds every value of the task's metric and the test loss
    /// (``testLossKey``).
    public init(run: String, method: String, round: Int, task: TaskSpec, client: String, learningRates: [String: Double],
                train: ClientRoundStats?, evaluation: EvaluationSummary?) {
        let primary = evaluation?.primary ?? makeMetric(for: task).summary().primary
        var metrics: [String: Double] = [:]
        if let evaluation {
            metrics = evaluation.metrics.values
            metrics[Self.testLossKey] = evaluation.loss
        }
        self.init(run: run, method: method, round: round, client: client, task: task.kind, trainLoss: train?.loss ?? .nan,
                  learningRates: learningRates, metrics: metrics, primaryMetric: primary.name,
                  primaryValue: evaluation == nil ? .nan : primary.value, higherIsBetter: primary.higherIsBetter,
                  bytesSent: train?.bytesSent ?? 0, bytesReceived: train?.bytesReceived ?? 0, seconds: train?.seconds ?? 0)
    }

    /// Whether the client trained in this round (it has a train loss).
    var trained: Bool { round > 0 && !trainLoss.isNaN }
}

extension EvaluationSummary {
    /// The evaluation logged in `record` (nil when the round had none); `samples` is the size of
    /// the test split, which the log does not hold.
    init?(record: RoundRecord, samples: Int) {
        guard !record.metrics.isEmpty else { return nil }
        var values = record.metrics
        let loss = values.removeValue(forKey: RoundRecord.testLossKey) ?? .nan
        self.init(loss: loss, metrics: MetricSummary(values: values, primaryName: record.primaryMetric,
                                                     higherIsBetter: record.higherIsBetter, samples: samples))
    }
}
