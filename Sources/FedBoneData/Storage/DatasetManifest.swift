import Foundation

/// The `manifest.json` of a dataset folder (format described in `docs/data.md`).
///
/// Each shard `shards[k]` is a safetensors file holding samples `first ..< first + count`;
/// shards cover `0 ..< count` in order without gaps. Every stored tensor has the sample
/// dimension first; ``tensors`` says, per tensor, the per-sample shape, the dtype written and
/// the `scale`: stored value = real value × scale.
public struct DatasetManifest: Codable, Sendable, Equatable {
    /// The format's name, always ``formatName``.
    public var format: String
    /// The format version (``currentVersion``).
    public var version: Int
    /// Dataset name.
    public var name: String
    /// Image height in pixels.
    public var height: Int
    /// Image width in pixels.
    public var width: Int
    /// Number of samples.
    public var count: Int
    /// Tasks with their class names.
    public var tasks: [DatasetTask]
    /// How each stored tensor is encoded, by tensor name (`rgb` and one per task).
    public var tensors: [String: TensorEncoding]
    /// Style names.
    public var styles: [String]
    /// The style of every sample (indices into ``styles``).
    public var imageStyles: [Int]
    /// Optional named index lists (e.g. a benchmark's official `train` and `test`).
    public var splits: [String: [Int]]?
    /// The shard files in sample order.
    public var shards: [Shard]
    /// How the data was made (for the built-in scenes: generator, seed, styles).
    public var source: [String: String]?

    /// One shard file.
    public struct Shard: Codable, Sendable, Equatable {
        /// File name inside the dataset folder.
        public var file: String
        /// Index of its first sample.
        public var first: Int
        /// Number of samples in it.
        public var count: Int

        public init(file: String, first: Int, count: Int) {
            self.file = file
            self.first = first
            self.count = count
        }
    }

    /// The encoding of one stored tensor.
    public struct TensorEncoding: Codable, Sendable, Equatable {
        /// The safetensors dtype the writer used (readers accept any dtype the safetensors
        /// reader converts, applying `scale`).
        public var dtype: String
        /// Shape of one sample's tensor (without the sample dimension).
        public var shape: [Int]
        /// Stored value = real value × scale (255 for colours in [0, 1], 127 for normals).
        public var scale: Float

        public init(dtype: String, shape: [Int], scale: Float) {
            self.dtype = dtype
            self.shape = shape
            self.scale = scale
        }
    }

    /// The value of ``format``.
    public static let formatName = "fedbone-multitask"
    /// The version this code writes and reads.
    public static let currentVersion = 1
    /// The manifest's file name inside a dataset folder.
    public static let fileName = "manifest.json"

    /// The stored tensor that holds each task's ground truth.
    public static func tensorName(for kind: TaskKind) -> String {
        switch kind {
        case .segmentation: return "semantic"
        case .parts: return "parts"
        case .depth: return "depth"
        case .normals: return "normals"
        case .boundaries: return "boundaries"
        case .saliency: return "saliency"
        case .classification: return "class"
        case .textClassification, .tokenTagging: preconditionFailure("DatasetManifest: an image dataset holds no \(kind.rawValue)")
        }
    }

    /// The encodings this package writes for a dataset of `info`.
    static func encodings(for info: DatasetInfo) -> [String: TensorEncoding] {
        let h = info.height, w = info.width
        var out = ["rgb": TensorEncoding(dtype: "U8", shape: [3, h, w], scale: 255)]
        for task in info.tasks {
            let encoding: TensorEncoding
            switch task.kind {
            case .segmentation, .parts, .boundaries, .saliency: encoding = TensorEncoding(dtype: "U8", shape: [h, w], scale: 1)
            case .depth: encoding = TensorEncoding(dtype: "F32", shape: [h, w], scale: 1)
            case .normals: encoding = TensorEncoding(dtype: "I8", shape: [3, h, w], scale: 127)
            case .classification: encoding = TensorEncoding(dtype: "U8", shape: [], scale: 1)
            case .textClassification, .tokenTagging: preconditionFailure("DatasetManifest: an image dataset holds no \(task.kind.rawValue)")
            }
            out[tensorName(for: task.kind)] = encoding
        }
        return out
    }

    /// Name, size, tasks and styles.
    public var info: DatasetInfo {
        DatasetInfo(name: name, height: height, width: width, tasks: tasks, styles: styles)
    }

    /// Checks the manifest's internal consistency; `path` names it in errors.
    func validate(path: String) throws {
        func invalid(_ reason: String) -> DatasetError { .manifestInvalid(path: path, reason: reason) }
        guard format == Self.formatName else { throw invalid("format is '\(format)', expected '\(Self.formatName)'") }
        guard version == Self.currentVersion else {
            throw DatasetError.unsupportedVersion(path: path, version: version, supported: Self.currentVersion)
        }
        guard height > 0, width > 0 else { throw invalid("image size \(height)×\(width) must be positive") }
        guard count >= 0 else { throw invalid("count \(count) is negative") }
        guard imageStyles.count == count else { throw invalid("imageStyles has \(imageStyles.count) entries for \(count) samples") }
        guard !styles.isEmpty else { throw invalid("styles is empty") }
        if let bad = imageStyles.first(where: { !styles.indices.contains($0) }) {
            throw invalid("style index \(bad) is outside the \(styles.count) styles")
        }
        var kinds = Set<TaskKind>()
        for task in tasks {
            guard kinds.insert(task.kind).inserted else { throw invalid("task \(task.kind.rawValue) is listed twice") }
            guard !task.kind.isText else {
                throw invalid("task \(task.kind.rawValue) belongs in a text dataset (manifest format fedbone-text: docs/data.md, \"Text data\"), not an image one")
            }
            if [.segmentation, .parts, .classification].contains(task.kind) {
                guard let classes = task.classes, classes.count >= 2, classes.count <= 255 else {
                    throw invalid("task \(task.kind.rawValue) needs 2…255 class names")
                }
            }
            guard tensors[Self.tensorName(for: task.kind)] != nil else {
                throw invalid("task \(task.kind.rawValue) has no entry '\(Self.tensorName(for: task.kind))' in tensors")
            }
        }
        guard tensors["rgb"] != nil else { throw invalid("tensors has no entry 'rgb'") }
        for (name, encoding) in tensors where !(encoding.scale > 0) {
            throw invalid("tensor '\(name)' has scale \(encoding.scale); it must be positive")
        }
        var next = 0
        for shard in shards {
            guard shard.first == next, shard.count > 0 else {
                throw invalid("shard \(shard.file) holds samples \(shard.first)..<\(shard.first + shard.count); expected a non-empty run starting at \(next)")
            }
            guard !shard.file.contains("/"), !shard.file.hasPrefix(".") else {
                throw invalid("shard file name '\(shard.file)' must be a plain name inside the folder")
            }
            next += shard.count
        }
        guard next == count else { throw invalid("shards hold \(next) samples but count is \(count)") }
        if let splits {
            for (name, indices) in splits {
                if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
                    throw invalid("split '\(name)' has index \(bad) outside 0..<\(count)")
                }
            }
        }
    }
}
