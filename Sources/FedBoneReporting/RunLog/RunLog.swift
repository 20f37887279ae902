import Foundation

/// A run's logged records, read back from its directory (for `fedbone report`).
public struct RunLog: Equatable, Sendable {
    /// The records of `metrics.jsonl`, in file order.
    public var rounds: [RoundRecord]
    /// The records of `aggregation.jsonl`, in file order (empty if the file is missing).
    public var aggregations: [AggregationRecord]

    public init(rounds: [RoundRecord] = [], aggregations: [AggregationRecord] = []) {
        self.rounds = rounds
        self.aggregations = aggregations
    }

    /// Reads `metrics.jsonl` and `aggregation.jsonl` of `directory`; a missing file reads as
    /// empty, a malformed line throws `RunLogError.malformedLine`.
    public init(directory: URL) throws {
        rounds = try Self.read(RoundRecord.self, directory.appendingPathComponent(RunLogFiles.metrics))
        aggregations = try Self.read(AggregationRecord.self, directory.appendingPathComponent(RunLogFiles.aggregation))
    }

    /// The client names in order of first appearance.
    public var clients: [String] {
        var seen = Set<String>()
        return rounds.map(\.client).filter { seen.insert($0).inserted }
    }

    /// The last round that has records (nil for an empty log).
    public var lastRound: Int? { rounds.map(\.round).max() }

    private static func read<T: Decodable>(_: T.Type, _ url: URL) throws -> [T] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try RunLogCoding.lines(T.self, from: try Data(contentsOf: url), file: url.path)
    }
}
