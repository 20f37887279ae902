import FedBoneData
import Foundation

/// Options every importer takes.
public struct ImportOptions: Sendable {
    /// Side N of the square images written.
    public var size: Int
    /// How images that are not N×N become N×N.
    public var fit: ImageFit
    /// Samples per shard file.
    public var shardSize: Int
    /// The dataset's name in the manifest (default: the source's file name).
    public var name: String?
    /// Replace an existing dataset folder.
    public var overwrite: Bool

    public init(size: Int = 64, fit: ImageFit = .stretch, shardSize: Int = 256, name: String? = nil, overwrite: Bool = false) {
        self.size = size
        self.fit = fit
        self.shardSize = shardSize
        self.name = name
        self.overwrite = overwrite
    }

    /// Checks the numbers.
    func validate() throws {
        guard (1...ImportLimits.maximumSide).contains(size) else {
            throw ImportError.invalidOptions("--size must be in 1…\(ImportLimits.maximumSide), got \(size)")
        }
        guard shardSize >= 1 else { throw ImportError.invalidOptions("--shard-size must be at least 1, got \(shardSize)") }
    }
}

/// Limits of the importers.
enum ImportLimits {
    /// The largest image side written.
    static let maximumSide = 4096
}

/// What an importer feeds to ``ImportPipeline``: a fixed number of samples, made a shard's
/// worth at a time.
protocol SampleSource {
    /// Name, size, tasks and styles of the dataset written.
    var info: DatasetInfo { get }
    /// Number of samples.
    var count: Int { get }
    /// The manifest's `source` entry.
    var sourceDescription: [String: String] { get }
    /// The manifest's `splits` entry.
    var splits: [String: [Int]]? { get }
    /// Samples `range`, in order; called with consecutive ranges from one thread.
    mutating func samples(_ range: Range<Int>) throws -> [MultiTaskSample]
}

/// Writes a ``SampleSource`` into a dataset folder, a shard at a time, through a temporary
/// sibling folder (``ImportDestination``).
enum ImportPipeline {
    static func run<Source: SampleSource>(_ source: inout Source, to directory: URL, options: ImportOptions,
                                          progress: (Int) -> Void) throws -> DatasetManifest {
        try options.validate()
        let destination = try ImportDestination(directory, overwrite: options.overwrite)
        do {
            var writer = try DatasetWriter(directory: destination.temporary, info: source.info, shardSize: options.shardSize,
                                           source: source.sourceDescription, splits: source.splits)
            var first = 0
            while first < source.count {
                let range = first..<min(first + options.shardSize, source.count)
                try writer.append(try source.samples(range))
                first = range.upperBound
                progress(first)
            }
            let manifest = try writer.finish()
            try destination.commit()
            return manifest
        } catch let error as DatasetError {
            destination.discard()
            throw ImportError.writeFailed(path: directory.path, reason: error.description)
        } catch {
            destination.discard()
            throw error
        }
    }

    /// Makes `count` samples with `make(k)` on the engine's threads, in order; the first error
    /// in index order is thrown.
    static func parallel(_ count: Int, _ make: (Int) throws -> MultiTaskSample) throws -> [MultiTaskSample] {
        var results = [Result<MultiTaskSample, Error>?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            parallelChunks(count, minimumPerChunk: 4) { chunk in
                for k in chunk { buffer[k] = Result { try make(k) } }
            }
        }
        return try results.map { result in
            guard let result else { throw ImportError.invalidOptions("internal error: a sample was not made") }
            return try result.get()
        }
    }
}
