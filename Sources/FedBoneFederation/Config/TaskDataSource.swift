/// Where one task group's clients get their data: any of the `data` keys, each overriding the
/// experiment's `data` for this group only (absent keys keep the experiment's values).
///
/// ```yaml
/// tasks:
///   - {kind: segmentation, clients: 2}                     # the experiment's data (scenes)
///   - kind: classification
///     name: photos                                         # clients photos-0, photos-1
///     clients: 2
///     data: {dataset: data/photos, imageSize: 48}          # an imported image folder
/// ```
/// A group of one client with its own `data` gives that client a source of its own.
public struct TaskDataSource: Sendable, Equatable, Encodable {
    /// `scenes`, `synthetic-shapes`, `synthetic-text` or a dataset folder (see ``DataConfig/dataset``).
    public var dataset: String?
    /// Image side in pixels; for a folder, its images' side (nil: the folder's own).
    public var imageSize: Int?
    /// Samples per client (scenes and synthetic-shapes; a folder's clients share all its images).
    public var samplesPerClient: Int?
    /// Fraction of each client's samples used for training.
    public var trainFraction: Double?
    /// `iid` or `dirichlet` over scene styles.
    public var partition: DataConfig.Partition?
    /// α of the Dirichlet split.
    public var dirichletAlpha: Double?
    /// Random augmentation of training batches.
    public var augment: Bool?
    /// Text clients: the longest token sequence.
    public var maxLength: Int?
    /// Text clients: the size of the vocabulary learned when the folder brings none.
    public var vocabularySize: Int?

    public init(dataset: String? = nil, imageSize: Int? = nil, samplesPerClient: Int? = nil, trainFraction: Double? = nil,
                partition: DataConfig.Partition? = nil, dirichletAlpha: Double? = nil, augment: Bool? = nil,
                maxLength: Int? = nil, vocabularySize: Int? = nil) {
        self.dataset = dataset
        self.imageSize = imageSize
        self.samplesPerClient = samplesPerClient
        self.trainFraction = trainFraction
        self.partition = partition
        self.dirichletAlpha = dirichletAlpha
        self.augment = augment
        self.maxLength = maxLength
        self.vocabularySize = vocabularySize
    }

    /// `base` with this source's keys applied.
    public func applied(to base: DataConfig) -> DataConfig {
        var d = base
        if let dataset { d.dataset = dataset }
        if let imageSize { d.imageSize = imageSize }
        if let samplesPerClient { d.samplesPerClient = samplesPerClient }
        if let trainFraction { d.trainFraction = trainFraction }
        if let partition { d.partition = partition }
        if let dirichletAlpha { d.dirichletAlpha = dirichletAlpha }
        if let augment { d.augment = augment }
        if let maxLength { d.maxLength = maxLength }
        if let vocabularySize { d.vocabularySize = vocabularySize }
        return d
    }
}

extension TaskConfig {
    /// The prefix of this group's client names: ``name`` or the task kind.
    public var clientPrefix: String { name ?? kind.rawValue }

    /// The names of this group's clients: `<prefix>-0`, `<prefix>-1`, …
    public var clientNames: [String] { (0..<clients).map { "\(clientPrefix)-\($0)" } }

    /// The data this group's clients get: the experiment's `data` with the group's own keys on top.
    public func resolvedData(_ experiment: DataConfig) -> DataConfig {
        data?.applied(to: experiment) ?? experiment
    }
}
