import Foundation

/// A client's last evaluation: the metrics of its latest record that has any, and its train
/// loss in its latest record.
public struct FinalMetrics: Equatable, Sendable {
    public var client: String
    public var task: TaskKind
    /// The round of the evaluation (nil if the client was never evaluated).
    public var round: Int?
    /// Metric values by name (the primary metric included).
    public var metrics: [String: Double]
    /// The train loss of the client's last round.
    public var trainLoss: Double
}

/// The numbers the report plots, computed from a run log: per-client and per-task series by
/// round, and each client's final metrics.
///
/// A record's value of metric `m` is its `primaryValue` when `m` is its primary metric and
/// that value is finite, else `metrics[m]`; non-finite values count as missing. The task
/// average at a round is the mean over the task's clients that have a value at that round.
public struct RunSummary: Sendable {
    public let log: RunLog
    /// The task kinds in order of first appearance.
    public let tasks: [TaskKind]

    public init(_ log: RunLog) {
        self.log = log
        var seen = Set<TaskKind>()
        tasks = log.rounds.map(\.task).filter { seen.insert($0).inserted }
    }

    /// The clients of `task`, in order of first appearance.
    public func clients(of task: TaskKind) -> [String] {
        let names = Set(log.rounds.filter { $0.task == task }.map(\.client))
        return log.clients.filter(names.contains)
    }

    /// The primary metric of `task` (the most frequent `primaryMetric` of its records).
    public func primaryMetric(of task: TaskKind) -> String? {
        let counts = Dictionary(grouping: log.rounds.filter { $0.task == task }, by: \.primaryMetric).mapValues(\.count)
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    /// Whether a larger primary metric is better for `task` (from its records).
    public func higherIsBetter(_ task: TaskKind) -> Bool {
        log.rounds.first { $0.task == task }?.higherIsBetter ?? true
    }

    /// The metric names of `task`: the primary metric first, then the others sorted.
    public func metricNames(of task: TaskKind) -> [String] {
        let records = log.rounds.filter { $0.task == task }
        let primary = primaryMetric(of: task)
        let others = Set(records.flatMap(\.metrics.keys)).subtracting(primary.map { [$0] } ?? []).sorted()
        return (primary.map { [$0] } ?? []) + others
    }

    /// The value of `metric` in `record` (NaN when missing).
    public static func value(_ record: RoundRecord, _ metric: String) -> Double {
        if metric == record.primaryMetric, record.primaryValue.isFinite { return record.primaryValue }
        return record.metrics[metric] ?? .nan
    }

    /// `client`'s finite values of `metric` by round.
    public func series(client: String, metric: String) -> [ChartPoint] {
        points(log.rounds.filter { $0.client == client }) { Self.value($0, metric) }
    }

    /// `client`'s finite train losses by round.
    public func lossSeries(client: String) -> [ChartPoint] {
        points(log.rounds.filter { $0.client == client }, \.trainLoss)
    }

    /// The mean of `metric` over `task`'s clients, by round.
    public func taskAverage(_ task: TaskKind, metric: String) -> [ChartPoint] {
        averages(log.rounds.filter { $0.task == task }) { Self.value($0, metric) }
    }

    /// The mean train loss over `task`'s clients, by round.
    public func taskAverageLoss(_ task: TaskKind) -> [ChartPoint] {
        averages(log.rounds.filter { $0.task == task }, \.trainLoss)
    }

    /// Each client's final metrics, in client order.
    public var finalMetrics: [FinalMetrics] {
        log.clients.compactMap { client in
            let records = log.rounds.enumerated()
                .filter { $0.element.client == client }
                .sorted { ($0.element.round, $0.offset) < ($1.element.round, $1.offset) }
                .map(\.element)
            guard let last = records.last else { return nil }
            let evaluated = records.last { record in
                record.primaryValue.isFinite || record.metrics.values.contains { $0.isFinite }
            }
            var metrics: [String: Double] = [:]
            if let evaluated {
                for name in Set(evaluated.metrics.keys).union([evaluated.primaryMetric]) {
                    let value = Self.value(evaluated, name)
                    if value.isFinite { metrics[name] = value }
                }
            }
            return FinalMetrics(client: client, task: last.task, round: evaluated?.round,
                                metrics: metrics, trainLoss: last.trainLoss)
        }
    }

    /// The mean over `task`'s clients of their final `metric` (NaN if none has it).
    public func finalTaskAverage(_ task: TaskKind, metric: String) -> Double {
        Self.mean(finalMetrics.filter { $0.task == task }.compactMap { $0.metrics[metric] })
    }

    /// The mean over `task`'s clients of their final train loss.
    public func finalTaskAverageLoss(_ task: TaskKind) -> Double {
        Self.mean(finalMetrics.filter { $0.task == task }.map(\.trainLoss).filter(\.isFinite))
    }

    /// The aggregation records sorted by round.
    public var aggregations: [AggregationRecord] {
        log.aggregations.sorted { $0.round < $1.round }
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    private func points(_ records: [RoundRecord], _ value: (RoundRecord) -> Double) -> [ChartPoint] {
        records.map { ChartPoint(x: Double($0.round), y: value($0)) }
            .filter { $0.y.isFinite }
            .sorted { $0.x < $1.x }
    }

    private func averages(_ records: [RoundRecord], _ value: (RoundRecord) -> Double) -> [ChartPoint] {
        Dictionary(grouping: records, by: \.round)
            .compactMap { round, group -> ChartPoint? in
                let values = group.map(value).filter(\.isFinite)
                return values.isEmpty ? nil : ChartPoint(x: Double(round), y: Self.mean(values))
            }
            .sorted { $0.x < $1.x }
    }
}
