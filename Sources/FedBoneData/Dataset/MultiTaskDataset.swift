/// A task a dataset provides, with its class names for label tasks.
public struct DatasetTask: Sendable, Equatable, Codable {
    /// The kind of task.
    public var kind: TaskKind
    /// Class names, index = label, for segmentation, parts and classification; `nil` otherwise.
    public var classes: [String]?

    public init(kind: TaskKind, classes: [String]? = nil) {
        self.kind = kind
        self.classes = classes
    }

    /// The task as the models take it (class count for label tasks).
    public var spec: TaskSpec { TaskSpec(kind, classes: classes?.count ?? 0) }
}

/// What a dataset is: its name, image size, tasks and styles.
public struct DatasetInfo: Sendable, Equatable {
    /// A short name (`procedural-scenes` for the built-in generator).
    public var name: String
    /// Image height in pixels (every image has the same size).
    public var height: Int
    /// Image width in pixels.
    public var width: Int
    /// The tasks every sample has ground truth for.
    public var tasks: [DatasetTask]
    /// Style names; ``MultiTaskSample/style`` indexes this list.
    public var styles: [String]

    public init(name: String, height: Int, width: Int, tasks: [DatasetTask], styles: [String]) {
        self.name = name
        self.height = height
        self.width = width
        self.tasks = tasks
        self.styles = styles
    }

    /// The task of `kind`, or `nil` when the dataset lacks it.
    public func task(_ kind: TaskKind) -> DatasetTask? { tasks.first { $0.kind == kind } }

    /// Every task as the models take it, in the dataset's order.
    public var taskSpecs: [TaskSpec] { tasks.map(\.spec) }
}

/// A multi-task dataset held in memory: every sample with every task's ground truth.
public struct MultiTaskDataset: Sendable, Equatable {
    /// Name, size, tasks and styles.
    public var info: DatasetInfo
    /// The samples, in index order.
    public var samples: [MultiTaskSample]

    public init(info: DatasetInfo, samples: [MultiTaskSample]) {
        self.info = info
        self.samples = samples
    }

    /// Number of samples.
    public var count: Int { samples.count }

    /// The style index of every sample.
    public var imageStyles: [Int] { samples.map(\.style) }
}
