import Foundation

/// Builds every client's data for a run: the one place the federation reaches into datasets.
///
/// `data.dataset` picks the source:
/// - `scenes` (default): the built-in procedural multi-task scenes (``SceneGenerator``). Each
///   task gets its own images — task t renders `clients × samplesPerClient` scenes from its
///   own index range — dealt at random to its clients (``ScenePartition``, IID or Dirichlet
///   over scene styles), each client split `trainFraction` : rest into train and test.
/// - a folder path: a dataset on disk in the FedBone format (`fedbone data generate`, or the
///   NYUD/PASCAL importers in `tools/`); every image is used, split as above. All tasks must
///   then have the same number of clients.
/// - `synthetic-shapes`: a tiny flat-shapes dataset for fast tests (IID only).
public enum DatasetFactory {
    /// The clients' datasets, task by task in config order, named `<task>-<i>`.
    /// - Throws: ``ConfigError`` naming the key when the data config asks for something the
    ///   dataset cannot give; ``DatasetError`` for an unreadable dataset folder.
    public static func makeClientDatasets(data: DataConfig, tasks: [TaskConfig], seed: UInt64) throws
        -> [(name: String, dataset: any ClientDataset)] {
        switch data.dataset {
        case "scenes": return try sceneClients(data: data, tasks: tasks, seed: seed)
        case "synthetic-shapes": return try syntheticClients(data: data, tasks: tasks, seed: seed)
        default: return try folderClients(data: data, tasks: tasks, seed: seed)
        }
    }

    private static func scheme(_ data: DataConfig) -> PartitionScheme {
        data.partition == .iid ? .iid : .dirichlet(alpha: data.dirichletAlpha)
    }

    private static func augmentation(_ data: DataConfig) -> Augmentation {
        data.augment ? Augmentation() : .none
    }

    private static func spec(_ config: TaskConfig, index: Int, info: DatasetInfo, source: String) throws -> TaskSpec {
        guard let task = info.task(config.kind) else {
            throw ConfigError.invalidValue(key: "tasks.\(index).kind",
                                           message: "\(source) has no \(config.kind.rawValue) ground truth (it has \(info.tasks.map(\.kind.rawValue).joined(separator: ", ")))")
        }
        if let asked = config.classes, let classes = task.classes, asked != classes.count {
            throw ConfigError.invalidValue(key: "tasks.\(index).classes",
                                           message: "\(source) has \(classes.count) classes for \(config.kind.rawValue), got \(asked)")
        }
        return task.spec
    }

    private static func sceneClients(data: DataConfig, tasks: [TaskConfig], seed: UInt64) throws
        -> [(name: String, dataset: any ClientDataset)] {
        let generator = SceneGenerator(height: data.imageSize, width: data.imageSize)
        var out: [(name: String, dataset: any ClientDataset)] = []
        var first = 0
        for (t, config) in tasks.enumerated() {
            let task = try spec(config, index: t, info: generator.info, source: "the scenes dataset")
            let count = config.clients * data.samplesPerClient
            let dataset = MultiTaskDataset(info: generator.info, samples: generator.samples(first..<(first + count), seed: seed))
            first += count
            let clients = try ScenePartition.make(dataset: dataset, tasks: [task], clientsPerTask: config.clients,
                                                  trainFraction: data.trainFraction, scheme: scheme(data),
                                                  augmentation: augmentation(data), seed: seed &+ UInt64(t))
            out += clients.map { ($0.name, $0 as any ClientDataset) }
        }
        return out
    }

    private static func folderClients(data: DataConfig, tasks: [TaskConfig], seed: UInt64) throws
        -> [(name: String, dataset: any ClientDataset)] {
        let url = URL(fileURLWithPath: data.dataset)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ConfigError.invalidValue(key: "data.dataset",
                                           message: "'\(data.dataset)' is neither a built-in dataset (scenes, synthetic-shapes) nor an existing folder")
        }
        let reader = try DatasetReader(directory: url)
        guard reader.info.height == data.imageSize, reader.info.width == data.imageSize else {
            throw ConfigError.invalidValue(key: "data.imageSize",
                                           message: "the dataset in \(data.dataset) has \(reader.info.height)×\(reader.info.width) images, the config says \(data.imageSize)")
        }
        let counts = Set(tasks.map(\.clients))
        guard counts.count == 1, let clientsPerTask = counts.first else {
            throw ConfigError.invalidValue(key: "tasks", message: "a dataset folder is split evenly: give every task the same number of clients")
        }
        let specs = try tasks.enumerated().map { try spec($0.element, index: $0.offset, info: reader.info, source: data.dataset) }
        let clients = try ScenePartition.make(reader: reader, tasks: specs, clientsPerTask: clientsPerTask,
                                              trainFraction: data.trainFraction, scheme: scheme(data),
                                              augmentation: augmentation(data), seed: seed)
        return clients.map { ($0.name, $0 as any ClientDataset) }
    }

    private static func syntheticClients(data: DataConfig, tasks: [TaskConfig], seed: UInt64) throws
        -> [(name: String, dataset: any ClientDataset)] {
        guard data.partition == .iid else {
            throw ConfigError.invalidValue(key: "data.partition", message: "synthetic-shapes has no scene styles to split by; use iid")
        }
        let shapes = SyntheticShapes(size: data.imageSize)
        let root = SeededGenerator(seed: seed)
        let trainCount = min(max(Int((Double(data.samplesPerClient) * data.trainFraction).rounded()), 1), data.samplesPerClient - 1)
        var out: [(name: String, dataset: any ClientDataset)] = []
        var clientIndex = 0
        for (t, config) in tasks.enumerated() {
            let spec = try taskSpec(config, index: t)
            for i in 0..<config.clients {
                var g = root.fork(UInt64(clientIndex))
                clientIndex += 1
                let samples = (0..<data.samplesPerClient).map { _ in sample(shapes.scene(generator: &g), task: spec) }
                let dataset = InMemoryClientDataset(task: spec, size: data.imageSize, train: Array(samples[..<trainCount]),
                                                    test: Array(samples[trainCount...]), augment: data.augment)
                out.append(("\(config.kind.rawValue)-\(i)", dataset))
            }
        }
        return out
    }

    private static func taskSpec(_ config: TaskConfig, index: Int) throws -> TaskSpec {
        let classes: Int
        switch config.kind {
        case .segmentation, .parts: classes = SyntheticShapes.segmentationClasses
        case .classification: classes = SyntheticShapes.classificationClasses
        default: classes = 0
        }
        if let asked = config.classes, classes > 0, asked != classes {
            throw ConfigError.invalidValue(key: "tasks.\(index).classes",
                                           message: "synthetic-shapes has \(classes) classes for \(config.kind.rawValue), got \(asked)")
        }
        return TaskSpec(config.kind, classes: classes)
    }

    private static func sample(_ scene: SyntheticShapes.Scene, task: TaskSpec) -> InMemoryClientDataset.Sample {
        switch task.kind {
        case .segmentation, .parts: return .init(image: scene.image, labels: scene.labels)
        case .classification: return .init(image: scene.image, labels: [scene.largestClass])
        case .depth: return .init(image: scene.image, map: scene.depth)
        case .normals: return .init(image: scene.image, map: scene.normals)
        case .boundaries: return .init(image: scene.image, map: scene.edges)
        case .saliency: return .init(image: scene.image, map: scene.saliency)
        }
    }
}
