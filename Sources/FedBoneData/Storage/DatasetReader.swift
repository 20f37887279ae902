import Foundation

/// Reads a dataset folder written by ``DatasetWriter`` (or by any tool that follows
/// `docs/data.md`). Opening reads and checks only the manifest; samples are read a shard at a
/// time, on demand, so a dataset larger than memory can be streamed.
///
/// ```swift
/// let reader = try DatasetReader(directory: URL(fileURLWithPath: "data/scenes"))
/// try reader.forEachShard { range, samples in ... }
/// let clients = try ScenePartition.make(reader: reader, tasks: reader.info.taskSpecs, seed: 1)
/// ```
public struct DatasetReader: Sendable {
    /// The dataset folder.
    public let directory: URL
    /// The checked manifest.
    public let manifest: DatasetManifest

    /// Reads and checks `directory/manifest.json`.
    /// - Throws: ``DatasetError`` naming the manifest when it is missing, not JSON of the
    ///   expected form, of another version or inconsistent.
    public init(directory: URL) throws {
        let url = directory.appendingPathComponent(DatasetManifest.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { throw DatasetError.manifestMissing(path: url.path) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DatasetError.manifestInvalid(path: url.path, reason: "cannot read the file: \(error)")
        }
        let manifest: DatasetManifest
        do {
            manifest = try JSONDecoder().decode(DatasetManifest.self, from: data)
        } catch let error as DecodingError {
            throw DatasetError.manifestInvalid(path: url.path, reason: Self.describe(error))
        } catch {
            throw DatasetError.manifestInvalid(path: url.path, reason: "\(error)")
        }
        try manifest.validate(path: url.path)
        self.directory = directory
        self.manifest = manifest
    }

    /// Name, size, tasks and styles.
    public var info: DatasetInfo { manifest.info }

    /// Number of samples.
    public var count: Int { manifest.count }

    /// The samples of shard `k` (samples `manifest.shards[k].first ..< first + count`).
    /// - Throws: ``DatasetError/shardUnreadable(path:reason:)`` for a missing, truncated or
    ///   corrupt file, ``DatasetError/shardInvalid(path:reason:)`` when it does not hold what the
    ///   manifest says.
    public func shard(_ k: Int) throws -> [MultiTaskSample] {
        precondition(manifest.shards.indices.contains(k), "DatasetReader.shard: shard \(k) out of range 0..<\(manifest.shards.count)")
        let shard = manifest.shards[k]
        let url = directory.appendingPathComponent(shard.file)
        let tensors: [String: Tensor]
        do {
            tensors = try Safetensors.read(contentsOf: url)
        } catch let error as SafetensorsError {
            throw DatasetError.shardUnreadable(path: url.path, reason: error.description)
        }
        return try ShardDecoding(manifest: manifest, shard: shard, path: url.path, tensors: tensors).samples()
    }

    /// Calls `body` with each shard's index range and samples, in order, one shard in memory at
    /// a time.
    public func forEachShard(_ body: (Range<Int>, [MultiTaskSample]) throws -> Void) throws {
        for (k, entry) in manifest.shards.enumerated() {
            try body(entry.first..<(entry.first + entry.count), try shard(k))
        }
    }

    /// The samples at `indices`, in that order; each shard that holds any of them is read once.
    public func samples(at indices: [Int]) throws -> [MultiTaskSample] {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) { throw DatasetError.indexOutOfRange(index: bad, count: count) }
        var out = [MultiTaskSample?](repeating: nil, count: indices.count)
        var wanted: [Int: [Int]] = [:]  // shard → positions in `indices`
        for (position, index) in indices.enumerated() { wanted[shardIndex(of: index), default: []].append(position) }
        for k in wanted.keys.sorted() {
            let samples = try shard(k)
            let first = manifest.shards[k].first
            for position in wanted[k] ?? [] { out[position] = samples[indices[position] - first] }
        }
        return out.compactMap { $0 }
    }

    /// The sample at `index` (reads its shard).
    public func sample(at index: Int) throws -> MultiTaskSample {
        guard let sample = try samples(at: [index]).first else { throw DatasetError.indexOutOfRange(index: index, count: count) }
        return sample
    }

    /// Every sample in memory.
    public func loadAll() throws -> MultiTaskDataset {
        var samples: [MultiTaskSample] = []
        samples.reserveCapacity(count)
        try forEachShard { _, shard in samples += shard }
        return MultiTaskDataset(info: info, samples: samples)
    }

    /// The shard holding sample `index` (binary search over the contiguous shards).
    private func shardIndex(of index: Int) -> Int {
        var lo = 0, hi = manifest.shards.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if manifest.shards[mid].first <= index { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            let at = path(context)
            return "missing field '\(key.stringValue)'" + (at.isEmpty ? "" : " in \(at)")
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "field '\(path(context))': \(context.debugDescription)"
        case let .dataCorrupted(context):
            let at = path(context)
            return (at.isEmpty ? "" : "field '\(at)': ") + "not valid JSON: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
