/// Builds every client's data for a run: the one place the federation reaches into datasets.
///
/// For now it builds the `synthetic-shapes` development dataset (``SyntheticShapes``), IID:
/// each client draws its own `samplesPerClient` scenes and keeps `trainFraction` of them for
/// training. The scene dataset of the data issue will replace this body, keeping the signature.
public enum DatasetFactory {
    /// The clients' datasets, task by task in config order, named `<task>-<i>`.
    /// - Throws: ``ConfigError`` naming the key when the data config asks for something this
    ///   dataset cannot give.
    public static func makeClientDatasets(data: DataConfig, tasks: [TaskConfig], seed: UInt64) throws
        -> [(name: String, dataset: any ClientDataset)] {
        guard data.dataset == "synthetic-shapes" else {
            throw ConfigError.invalidValue(key: "data.dataset", message: "'\(data.dataset)' is not a known dataset (known: synthetic-shapes)")
        }
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
