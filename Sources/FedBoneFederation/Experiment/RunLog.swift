import Foundation

/// One client in one round: a line of `metrics.jsonl`. Round 0 is the evaluation before training.
public struct ClientRoundRecord: Codable, Sendable, Equatable {
    public var round: Int
    public var client: String
    public var task: String
    public var method: String
    /// The client's learning rate this round (absent at round 0).
    public var learningRate: Double?
    /// Local training (absent at round 0 and for clients not sampled this round).
    public var train: ClientRoundStats?
    /// Test-split evaluation (present in evaluation rounds).
    public var evaluation: EvaluationSummary?
}

/// The run's logs in its directory: `metrics.jsonl` (one JSON object per client per round),
/// `metrics.csv` (the same, flat), and `aggregation.jsonl` (one ``AggregationRecord`` per round).
/// Resuming keeps the lines of rounds up to the checkpoint and drops later ones.
public final class RunLog {
    public let directory: URL
    /// Every client record so far (including those of a resumed run's earlier part).
    public private(set) var records: [ClientRoundRecord] = []
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    private var metricsURL: URL { directory.appendingPathComponent("metrics.jsonl") }
    private var csvURL: URL { directory.appendingPathComponent("metrics.csv") }
    private var aggregationURL: URL { directory.appendingPathComponent("aggregation.jsonl") }

    /// Starts the logs in `directory`. With `keepThrough`, existing logs are read and lines of
    /// later rounds dropped (resume); without, any existing logs are replaced.
    public init(directory: URL, keepThrough round: Int? = nil) throws {
        self.directory = directory
        var aggregationLines: [String] = []
        if let round {
            records = try Self.lines(metricsURL).map { try JSONDecoder().decode(ClientRoundRecord.self, from: Data($0.utf8)) }
                .filter { $0.round <= round }
            aggregationLines = try Self.lines(aggregationURL).filter {
                try JSONDecoder().decode(AggregationRecord.self, from: Data($0.utf8)).round <= round
            }
        }
        try Data(records.map { try jsonLine($0) }.joined().utf8).write(to: metricsURL, options: .atomic)
        try Data(aggregationLines.map { $0 + "\n" }.joined().utf8).write(to: aggregationURL, options: .atomic)
        try Data((Self.csvHeader + records.map(Self.csvRow).joined()).utf8).write(to: csvURL, options: .atomic)
    }

    /// Appends client records.
    public func append(_ new: [ClientRoundRecord]) throws {
        records += new
        try appendText(new.map { try jsonLine($0) }.joined(), to: metricsURL)
        try appendText(new.map(Self.csvRow).joined(), to: csvURL)
    }

    /// Appends a round's aggregation record.
    public func append(_ aggregation: AggregationRecord) throws {
        try appendText(try jsonLine(aggregation), to: aggregationURL)
    }

    private func jsonLine<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    private func appendText(_ text: String, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    private static func lines(_ url: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static let csvHeader = "round,client,task,method,learning_rate,train_loss,steps,bytes_sent,bytes_received,seconds,eval_loss,metric,value\n"

    static func csvRow(_ r: ClientRoundRecord) -> String {
        func f(_ x: Double?) -> String { x.map { String($0) } ?? "" }
        func i(_ x: Int?) -> String { x.map { String($0) } ?? "" }
        let fields = [String(r.round), r.client, r.task, r.method, f(r.learningRate), f(r.train?.loss), i(r.train?.steps),
                      i(r.train?.bytesSent), i(r.train?.bytesReceived), f(r.train?.seconds), f(r.evaluation?.loss),
                      r.evaluation?.primary.name ?? "", f(r.evaluation?.primary.value)]
        return fields.joined(separator: ",") + "\n"
    }
}
