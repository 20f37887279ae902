import Foundation

/// Writes a dataset folder: safetensors shards of `shardSize` samples as samples arrive, and
/// `manifest.json` at the end, so a large dataset never has to be in memory at once.
///
/// ```swift
/// var writer = try DatasetWriter(directory: url, info: generator.info)
/// try writer.append(generator.samples(0..<256, seed: 1))
/// let manifest = try writer.finish()
/// ```
public struct DatasetWriter {
    /// The dataset folder.
    public let directory: URL
    /// Name, size, tasks and styles of the data written.
    public let info: DatasetInfo
    /// Samples per shard (the last shard may hold fewer).
    public let shardSize: Int
    private var pending: [MultiTaskSample] = []
    private var shards: [DatasetManifest.Shard] = []
    private var styles: [Int] = []
    private var written = 0
    private let source: [String: String]?
    private let splits: [String: [Int]]?

    /// Creates the folder if needed. `source` and `splits` go into the manifest as they are.
    /// - Throws: ``DatasetError/writeFailed(path:reason:)`` when the folder cannot be made.
    public init(directory: URL, info: DatasetInfo, shardSize: Int = 256,
                source: [String: String]? = nil, splits: [String: [Int]]? = nil) throws {
        guard shardSize > 0 else { throw DatasetError.invalidRequest("shard size must be positive, got \(shardSize)") }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.writeFailed(path: directory.path, reason: "\(error)")
        }
        self.directory = directory
        self.info = info
        self.shardSize = shardSize
        self.source = source
        self.splits = splits
    }

    /// Adds samples, writing every full shard.
    /// - Throws: ``DatasetError/invalidRequest(_:)`` for a sample of another size or lacking a
    ///   task of ``info``; ``DatasetError/writeFailed(path:reason:)`` when a shard cannot be written.
    public mutating func append(_ samples: [MultiTaskSample]) throws {
        for (k, sample) in samples.enumerated() {
            guard sample.height == info.height, sample.width == info.width else {
                throw DatasetError.invalidRequest("sample \(written + pending.count + k) is \(sample.height)×\(sample.width), the dataset is \(info.height)×\(info.width)")
            }
            if let problem = sample.sizeProblem() {
                throw DatasetError.invalidRequest("sample \(written + pending.count + k): \(problem)")
            }
            if let missing = info.tasks.first(where: { !sample.has($0.kind) }) {
                throw DatasetError.invalidRequest("sample \(written + pending.count + k) has no ground truth for task \(missing.kind.rawValue)")
            }
            guard info.styles.indices.contains(sample.style) else {
                throw DatasetError.invalidRequest("sample \(written + pending.count + k) has style \(sample.style) outside the \(info.styles.count) styles")
            }
        }
        pending += samples
        while pending.count >= shardSize {
            try flush(count: shardSize)
        }
    }

    /// Writes the last shard and the manifest, and returns the manifest.
    public mutating func finish() throws -> DatasetManifest {
        if !pending.isEmpty { try flush(count: pending.count) }
        let manifest = DatasetManifest(
            format: DatasetManifest.formatName, version: DatasetManifest.currentVersion, name: info.name,
            height: info.height, width: info.width, count: written, tasks: info.tasks,
            tensors: DatasetManifest.encodings(for: info), styles: info.styles, imageStyles: styles,
            splits: splits, shards: shards, source: source)
        let url = directory.appendingPathComponent(DatasetManifest.fileName)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(manifest).write(to: url, options: .atomic)
        } catch {
            throw DatasetError.writeFailed(path: url.path, reason: "\(error)")
        }
        return manifest
    }

    /// Writes a whole in-memory dataset to `directory` and returns its manifest.
    @discardableResult
    public static func write(_ dataset: MultiTaskDataset, to directory: URL, shardSize: Int = 256,
                             source: [String: String]? = nil) throws -> DatasetManifest {
        var writer = try DatasetWriter(directory: directory, info: dataset.info, shardSize: shardSize, source: source)
        try writer.append(dataset.samples)
        return try writer.finish()
    }

    private mutating func flush(count: Int) throws {
        let batch = Array(pending.prefix(count))
        pending.removeFirst(count)
        let file = String(format: "shard-%05d.safetensors", shards.count)
        let url = directory.appendingPathComponent(file)
        let n = batch.count, h = info.height, w = info.width
        var tensors: [String: (shape: [Int], values: Safetensors.Values)] = [
            "rgb": ([n, 3, h, w], .u8(batch.flatMap(\.rgb))),
        ]
        for task in info.tasks {
            let name = DatasetManifest.tensorName(for: task.kind)
            switch task.kind {
            case .segmentation: tensors[name] = ([n, h, w], .u8(batch.flatMap { $0.semantic ?? [] }))
            case .parts: tensors[name] = ([n, h, w], .u8(batch.flatMap { $0.parts ?? [] }))
            case .depth: tensors[name] = ([n, h, w], .f32(batch.flatMap { $0.depth ?? [] }))
            case .normals: tensors[name] = ([n, 3, h, w], .i8(batch.flatMap { $0.normals ?? [] }))
            case .boundaries: tensors[name] = ([n, h, w], .u8(batch.flatMap { $0.boundaries ?? [] }))
            case .saliency: tensors[name] = ([n, h, w], .u8(batch.flatMap { $0.saliency ?? [] }))
            case .classification: tensors[name] = ([n], .u8(batch.map { UInt8(clamping: $0.imageClass ?? 255) }))
            case .textClassification, .tokenTagging: preconditionFailure("DatasetWriter: an image dataset holds no \(task.kind.rawValue)")
            }
        }
        let metadata = ["format": DatasetManifest.formatName, "first": String(written), "count": String(n)]
        do {
            try Safetensors.write(arrays: tensors, metadata: metadata, to: url)
        } catch {
            throw DatasetError.writeFailed(path: url.path, reason: "\(error)")
        }
        shards.append(DatasetManifest.Shard(file: file, first: written, count: n))
        styles += batch.map(\.style)
        written += n
    }
}
