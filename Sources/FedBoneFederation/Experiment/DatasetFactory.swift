import Foundation

/// Builds every client's data for a run: the one place the federation reaches into datasets.
///
/// Each task group takes its data from `data.dataset`, or from its own `tasks[i].data`
/// (``TaskDataSource``: any `data` key, overriding the experiment's for that group), so one
/// federation can mix sources and image sizes:
/// - `scenes` (default): the built-in procedural multi-task scenes (``SceneGenerator``) at the
///   group's image size. Each task gets its own images — task t renders `clients ×
///   samplesPerClient` scenes from its own index range — dealt at random to its clients
///   (``ScenePartition``, IID or Dirichlet over scene styles), each client split
///   `trainFraction` : rest into train and test.
/// - a folder path: a dataset on disk in the FedBone format (`fedbone data generate`,
///   `fedbone data import`, or the NYUD/PASCAL converters in `tools/`). The groups that name one
///   folder share its images (disjoint slices per task, every image used) and must agree on
///   their client count and split settings. Its images keep their size: a group that states
///   `imageSize` (or takes the experiment's dataset, and with it `data.imageSize`) must match it.
/// - `synthetic-shapes`: a tiny flat-shapes dataset for fast tests (IID only).
///
/// Text tasks (text-classification, token-tagging) take `synthetic-text` (the built-in
/// sentences, ``SyntheticText``: `clients × samplesPerClient` of them; also what `scenes`, the
/// default, means for a text task) or a text folder (``TextDataset``), dealt IID to the group's
/// clients (``TextClientData/make(dataset:folder:clients:trainFraction:maxLength:vocabularySize:seed:)``);
/// each client tokenizes with the folder's `tokenizer.json`, or with a WordPiece vocabulary of
/// `vocabularySize` learned from its own training texts.
/// Clients are named `<name>-<i>` (``TaskConfig/clientNames``), in task-group order.
public enum DatasetFactory {
    /// The clients' datasets, task group by task group in config order, named `<name>-<i>`.
    /// - Throws: ``ConfigError`` naming the key when the data config asks for something the
    ///   dataset cannot give; ``DatasetError`` for an unreadable dataset folder.
    public static func makeClientDatasets(data: DataConfig, tasks: [TaskConfig], seed: UInt64) throws
        -> [(name: String, dataset: any ClientDataset)] {
        var perTask = [[any ClientDataset]](repeating: [], count: tasks.count)
        var sceneFirst = 0
        var syntheticClient = 0
        var folders: [(path: String, tasks: [Int])] = []
        for (t, config) in tasks.enumerated() {
            let resolved = config.resolvedData(data)
            if config.kind.isText {
                perTask[t] = try textClients(data: resolved, task: config, index: t, seed: seed)
                continue
            }
            switch resolved.dataset {
            case "synthetic-text":
                throw ConfigError.invalidValue(key: key("dataset", task: config, index: t),
                                               message: "synthetic-text holds sentences; a \(config.kind.rawValue) task needs images (scenes, synthetic-shapes or an image folder)")
            case "scenes":
                perTask[t] = try sceneClients(data: resolved, task: config, index: t, first: &sceneFirst, seed: seed)
            case "synthetic-shapes":
                perTask[t] = try syntheticClients(data: resolved, task: config, index: t, firstClient: &syntheticClient, seed: seed)
            default:
                if let g = folders.firstIndex(where: { $0.path == resolved.dataset }) { folders[g].tasks.append(t) }
                else { folders.append((resolved.dataset, [t])) }
            }
        }
        // Every folder is split with the data seed itself, not a stream that depends on the
        // folder's place in the config: a networked client splits its own folder alone
        // (`LocalClientData`) and must get the split the simulation gives it.
        for folder in folders {
            let clients = try folderClients(data: data, tasks: tasks, group: folder.tasks, seed: seed)
            for (t, datasets) in zip(folder.tasks, clients) { perTask[t] = datasets }
        }
        return zip(tasks, perTask).flatMap { config, datasets in zip(config.clientNames, datasets).map { ($0, $1) } }
    }

    /// The clients of text task group `index`.
    private static func textClients(data: DataConfig, task config: TaskConfig, index t: Int, seed: UInt64) throws -> [any ClientDataset] {
        guard data.partition == .iid else {
            throw ConfigError.invalidValue(key: key("partition", task: config, index: t),
                                           message: "text data are dealt to clients IID (dirichlet splits images by scene style); use iid")
        }
        let dataset: TextDataset, folder: URL?
        switch data.dataset {
        case "scenes", "synthetic-text":
            dataset = TextDataset.synthetic(config.kind, count: config.clients * data.samplesPerClient, seed: seed &+ UInt64(t))
            folder = nil
        case "synthetic-shapes":
            throw ConfigError.invalidValue(key: key("dataset", task: config, index: t),
                                           message: "synthetic-shapes holds images; a \(config.kind.rawValue) task needs text (synthetic-text or a text folder)")
        default:
            let url = URL(fileURLWithPath: data.dataset)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ConfigError.invalidValue(key: key("dataset", task: config, index: t),
                                               message: "'\(data.dataset)' is neither a built-in text dataset (synthetic-text) nor an existing folder")
            }
            dataset = try TextDataset.read(from: url)
            folder = url
            guard dataset.task == config.kind else {
                throw ConfigError.invalidValue(key: "tasks.\(t).kind", message: "\(data.dataset) labels \(dataset.task.rawValue), not \(config.kind.rawValue)")
            }
        }
        if let asked = config.classes, asked != dataset.classes.count {
            throw ConfigError.invalidValue(key: "tasks.\(t).classes",
                                           message: "\(folder?.path ?? "synthetic-text") has \(dataset.classes.count) classes for \(config.kind.rawValue), got \(asked)")
        }
        do {
            return try TextClientData.make(dataset: dataset, folder: folder, clients: config.clients, trainFraction: data.trainFraction,
                                           maxLength: data.maxLength, vocabularySize: data.vocabularySize,
                                           seed: folder == nil ? seed &+ UInt64(t) : seed)
        } catch let error as DatasetError {
            throw ConfigError.invalidValue(key: key("samplesPerClient", task: config, index: t), message: "\(error)")
        } catch {
            throw ConfigError.invalidValue(key: key("vocabularySize", task: config, index: t), message: "\(error)")
        }
    }

    private static func scheme(_ data: DataConfig) -> PartitionScheme {
        data.partition == .iid ? .iid : .dirichlet(alpha: data.dirichletAlpha)
    }

    private static func augmentation(_ data: DataConfig) -> Augmentation {
        data.augment ? Augmentation() : .none
    }

    /// The config key of a data setting of task group `index`: its own `data` when it has one.
    private static func key(_ name: String, task: TaskConfig, index: Int) -> String {
        task.data == nil ? "data.\(name)" : "tasks.\(index).data.\(name)"
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

    private static func sceneClients(data: DataConfig, task config: TaskConfig, index t: Int, first: inout Int, seed: UInt64) throws
        -> [any ClientDataset] {
        let generator = SceneGenerator(height: data.imageSize, width: data.imageSize)
        let task = try spec(config, index: t, info: generator.info, source: "the scenes dataset")
        let count = config.clients * data.samplesPerClient
        let dataset = MultiTaskDataset(info: generator.info, samples: generator.samples(first..<(first + count), seed: seed))
        first += count
        return try ScenePartition.make(dataset: dataset, tasks: [task], clientsPerTask: config.clients,
                                       trainFraction: data.trainFraction, scheme: scheme(data),
                                       augmentation: augmentation(data), seed: seed &+ UInt64(t))
    }

    /// The clients of the task groups `group` (indices into `tasks`) that share one folder, per group.
    private static func folderClients(data experiment: DataConfig, tasks: [TaskConfig], group: [Int], seed: UInt64) throws
        -> [[any ClientDataset]] {
        let t0 = group[0], first = tasks[t0], data = first.resolvedData(experiment)
        let url = URL(fileURLWithPath: data.dataset)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ConfigError.invalidValue(key: key("dataset", task: first, index: t0),
                                           message: "'\(data.dataset)' is neither a built-in dataset (scenes, synthetic-shapes) nor an existing folder")
        }
        let reader = try DatasetReader(directory: url)
        for t in group {
            let task = tasks[t], resolved = task.resolvedData(experiment)
            // The size is stated unless the group names its own folder without one.
            let stated = task.data?.dataset == nil || task.data?.imageSize != nil
            guard !stated || (reader.info.height == resolved.imageSize && reader.info.width == resolved.imageSize) else {
                throw ConfigError.invalidValue(key: key("imageSize", task: task, index: t),
                                               message: "the dataset in \(data.dataset) has \(reader.info.height)×\(reader.info.width) images, the config says \(resolved.imageSize)")
            }
            for (name, agrees) in [("trainFraction", resolved.trainFraction == data.trainFraction), ("partition", resolved.partition == data.partition),
                                   ("dirichletAlpha", resolved.dirichletAlpha == data.dirichletAlpha), ("augment", resolved.augment == data.augment)]
                where !agrees {
                throw ConfigError.invalidValue(key: key(name, task: task, index: t),
                                               message: "task groups \(t0) and \(t) share the folder \(data.dataset) and must agree on \(name)")
            }
        }
        let counts = Set(group.map { tasks[$0].clients })
        guard counts.count == 1, let clientsPerTask = counts.first else {
            throw ConfigError.invalidValue(key: "tasks",
                                           message: "a dataset folder is split evenly: give every task group on \(data.dataset) the same number of clients")
        }
        let specs = try group.map { try spec(tasks[$0], index: $0, info: reader.info, source: data.dataset) }
        let clients = try ScenePartition.make(reader: reader, tasks: specs, clientsPerTask: clientsPerTask,
                                              trainFraction: data.trainFraction, scheme: scheme(data),
                                              augmentation: augmentation(data), seed: seed)
        return (0..<group.count).map { g in clients[(g * clientsPerTask)..<((g + 1) * clientsPerTask)].map { $0 as any ClientDataset } }
    }

    private static func syntheticClients(data: DataConfig, task config: TaskConfig, index t: Int, firstClient: inout Int, seed: UInt64) throws
        -> [any ClientDataset] {
        guard data.partition == .iid else {
            throw ConfigError.invalidValue(key: key("partition", task: config, index: t), message: "synthetic-shapes has no scene styles to split by; use iid")
        }
        let shapes = SyntheticShapes(size: data.imageSize)
        let root = SeededGenerator(seed: seed)
        let trainCount = min(max(Int((Double(data.samplesPerClient) * data.trainFraction).rounded()), 1), data.samplesPerClient - 1)
        let spec = try taskSpec(config, index: t)
        var out: [any ClientDataset] = []
        for _ in 0..<config.clients {
            var g = root.fork(UInt64(firstClient))
            firstClient += 1
            let samples = (0..<data.samplesPerClient).map { _ in sample(shapes.scene(generator: &g), task: spec) }
            out.append(InMemoryClientDataset(task: spec, size: data.imageSize, train: Array(samples[..<trainCount]),
                                             test: Array(samples[trainCount...]), augment: data.augment))
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
        case .textClassification, .tokenTagging: preconditionFailure("synthetic-shapes holds no text")
        }
    }
}
