import Foundation

/// The names of the run log files inside a run directory (see DESIGN.md §4).
public enum RunLogFiles {
    /// One `RoundRecord` per client per round, as JSON lines.
    public static let metrics = "metrics.jsonl"
    /// One `AggregationRecord` per round, as JSON lines.
    public static let aggregation = "aggregation.jsonl"
    /// `metrics.jsonl` as a table (see `MetricsCSV`).
    public static let metricsCSV = "metrics.csv"
}

/// Logs a run into its directory: appends `metrics.jsonl` and `aggregation.jsonl`, rewrites
/// `metrics.csv` after every round, and mirrors the scalars into a TensorBoard event file in
/// the same directory (so `tensorboard --logdir runs/` shows one TensorBoard run per run).
///
/// TensorBoard tags, all at step = round:
/// - per client: `loss/<client>`, `<metric>/<client>` for each metric, `lr/<name>/<client>`,
///   `bytes/<client>` (sent + received), `bytes/sent/<client>`, `bytes/received/<client>`,
///   `seconds/<client>`;
/// - per task kind (mean over that round's clients of the kind): `loss/task-<kind>`,
///   `<metric>/task-<kind>`;
/// - per aggregation: `aggregation/mean_cosine`, `aggregation/min_cosine` (with ≥ 2 clients),
///   `aggregation/projections`, `aggregation/rescale/<client>`, `aggregation/update_norm/<client>`,
///   `aggregation/aggregate_norm` (when recorded).
///
/// Not thread-safe: one writer, used from one task.
public final class RunLogWriter {
    public let directory: URL
    /// Every round record of the run so far (including those found on resume).
    public private(set) var rounds: [RoundRecord]
    /// Every aggregation record of the run so far (including those found on resume).
    public private(set) var aggregations: [AggregationRecord]
    /// The TensorBoard mirror, if enabled.
    public let tensorBoard: TensorBoardWriter?
    private let encoder = RunLogCoding.encoder()

    /// Opens the run log of `directory` (created if missing).
    /// - Parameters:
    ///   - resume: keep the existing log files and append to them (a resumed run); otherwise
    ///     start them empty and delete the directory's old TensorBoard event files.
    ///   - tensorBoard: also write a TensorBoard event file.
    ///   - hostname, clock: passed to `TensorBoardWriter` (inject both for deterministic files).
    public init(
        directory: URL, resume: Bool = false, tensorBoard: Bool = true,
        hostname: String = ProcessInfo.processInfo.hostName,
        clock: @escaping () -> Double = { Date().timeIntervalSince1970 }
    ) throws {
        self.directory = directory
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        if resume {
            let log = try RunLog(directory: directory)
            rounds = log.rounds
            aggregations = log.aggregations
        } else {
            rounds = []
            aggregations = []
            for name in [RunLogFiles.metrics, RunLogFiles.aggregation, RunLogFiles.metricsCSV] {
                try Data().write(to: directory.appendingPathComponent(name))
            }
            for old in try TensorBoardReader.eventFiles(in: directory) {
                try manager.removeItem(at: old)
            }
        }
        self.tensorBoard = tensorBoard ? try TensorBoardWriter(directory: directory, hostname: hostname, clock: clock) : nil
    }

    /// Logs one round's client records (normally one per client, all of the same round):
    /// appends them to `metrics.jsonl`, rewrites `metrics.csv`, and writes their scalars and
    /// the per-task means (grouped by round and task kind) to TensorBoard, then flushes.
    public func log(round records: [RoundRecord]) throws {
        var lines = Data()
        for record in records { lines += try RunLogCoding.line(record, encoder: encoder) }
        try append(lines, to: RunLogFiles.metrics)
        rounds += records
        try Data(MetricsCSV.table(rounds).utf8)
            .write(to: directory.appendingPathComponent(RunLogFiles.metricsCSV), options: .atomic)
        if let tensorBoard {
            for record in records { Self.mirror(record, to: tensorBoard) }
            Self.mirrorTaskMeans(records, to: tensorBoard)
            try tensorBoard.flush()
        }
    }

    /// Logs one round's aggregation: appends it to `aggregation.jsonl` and writes its scalars
    /// to TensorBoard, then flushes.
    public func log(aggregation record: AggregationRecord) throws {
        try append(try RunLogCoding.line(record, encoder: encoder), to: RunLogFiles.aggregation)
        aggregations.append(record)
        if let tensorBoard {
            let step = record.round
            if record.clients.count >= 2 {
                tensorBoard.scalar("aggregation/mean_cosine", record.meanCosine, step: step)
                tensorBoard.scalar("aggregation/min_cosine", record.minCosine, step: step)
            }
            tensorBoard.scalar("aggregation/projections", Double(record.projections), step: step)
            for (client, weight) in zip(record.clients, record.rescaleWeights) {
                tensorBoard.scalar("aggregation/rescale/\(client)", weight, step: step)
            }
            for (client, norm) in zip(record.clients, record.updateNorms) {
                tensorBoard.scalar("aggregation/update_norm/\(client)", norm, step: step)
            }
            if let norm = record.aggregateNorm {
                tensorBoard.scalar("aggregation/aggregate_norm", norm, step: step)
            }
            try tensorBoard.flush()
        }
    }

    /// Closes the TensorBoard file (the JSON and CSV files are complete after every call).
    public func close() throws {
        try tensorBoard?.close()
    }

    private func append(_ data: Data, to name: String) throws {
        let url = directory.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path) {
            try Data().write(to: url)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }

    private static func mirror(_ r: RoundRecord, to tb: TensorBoardWriter) {
        tb.scalar("loss/\(r.client)", r.trainLoss, step: r.round)
        for (name, value) in r.metrics.sorted(by: { $0.key < $1.key }) {
            tb.scalar("\(name)/\(r.client)", value, step: r.round)
        }
        for (name, rate) in r.learningRates.sorted(by: { $0.key < $1.key }) {
            tb.scalar("lr/\(name)/\(r.client)", rate, step: r.round)
        }
        tb.scalar("bytes/\(r.client)", Double(r.bytesSent + r.bytesReceived), step: r.round)
        tb.scalar("bytes/sent/\(r.client)", Double(r.bytesSent), step: r.round)
        tb.scalar("bytes/received/\(r.client)", Double(r.bytesReceived), step: r.round)
        tb.scalar("seconds/\(r.client)", r.seconds, step: r.round)
    }

    private static func mirrorTaskMeans(_ records: [RoundRecord], to tb: TensorBoardWriter) {
        let groups = Dictionary(grouping: records) { GroupKey(round: $0.round, task: $0.task) }
        for key in groups.keys.sorted(by: { ($0.round, $0.task.rawValue) < ($1.round, $1.task.rawValue) }) {
            let group = groups[key] ?? []
            let suffix = "task-\(key.task.rawValue)"
            tb.scalar("loss/\(suffix)", mean(group.map(\.trainLoss)), step: key.round)
            for name in Set(group.flatMap(\.metrics.keys)).sorted() {
                tb.scalar("\(name)/\(suffix)", mean(group.compactMap { $0.metrics[name] }), step: key.round)
            }
        }
    }

    private struct GroupKey: Hashable {
        var round: Int
        var task: TaskKind
    }

    private static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }
}
