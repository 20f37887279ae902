import Foundation

/// What `state.json` in a checkpoint holds besides the tensors.
public struct CheckpointState: Codable, Sendable, Equatable {
    /// The last completed round.
    public var round: Int
    /// The run's seed. Every random stream of a round is derived from it, the round and the
    /// client index (``RandomStreams``), so with the round it is the whole RNG state.
    public var seed: UInt64
    /// The root generator's state words (for readers that want the raw state).
    public var rootGenerator: [UInt64]
    /// The method that wrote it.
    public var method: String

    public init(round: Int, seed: UInt64, rootGenerator: [UInt64], method: String) {
        self.round = round
        self.seed = seed
        self.rootGenerator = rootGenerator
        self.method = method
    }
}

/// The checkpoints of a run: `checkpoints/round-N/` holding the safetensors of the models and
/// optimizers and `state.json`. A checkpoint is written into a temporary directory and renamed
/// into place, so a directory named `round-N` is always complete.
public struct CheckpointStore {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The directory of round `round`'s checkpoint.
    public func url(round: Int) -> URL { directory.appendingPathComponent("round-\(round)") }

    /// Writes round `round`'s checkpoint: `body` fills the directory, then `state.json` is added
    /// and the directory renamed into place. Keeps only the newest `keep` checkpoints (0: all).
    public func write(round: Int, state: CheckpointState, keep: Int, body: (URL) throws -> Void) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".round-\(round).tmp")
        if fm.fileExists(atPath: temporary.path) { try fm.removeItem(at: temporary) }
        try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        try body(temporary)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(state).write(to: temporary.appendingPathComponent("state.json"))
        let final = url(round: round)
        if fm.fileExists(atPath: final.path) { try fm.removeItem(at: final) }
        try fm.moveItem(at: temporary, to: final)
        if keep > 0 {
            for old in try rounds().dropLast(keep) { try fm.removeItem(at: url(round: old)) }
        }
    }

    /// Rounds with a complete checkpoint, ascending.
    public func rounds() throws -> [Int] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).compactMap { name -> Int? in
            guard name.hasPrefix("round-"), let n = Int(name.dropFirst("round-".count)),
                  FileManager.default.fileExists(atPath: url(round: n).appendingPathComponent("state.json").path) else { return nil }
            return n
        }.sorted()
    }

    /// The newest complete checkpoint's state and directory.
    public func latest() throws -> (state: CheckpointState, url: URL)? {
        guard let round = try rounds().last else { return nil }
        return (try state(round: round), url(round: round))
    }

    /// Round `round`'s `state.json`.
    public func state(round: Int) throws -> CheckpointState {
        try JSONDecoder().decode(CheckpointState.self, from: Data(contentsOf: url(round: round).appendingPathComponent("state.json")))
    }
}
