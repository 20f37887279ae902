/// One client's data: the images and ground truth of its task, split into train and test. It
/// holds nothing of other clients' splits or of other tasks.
public struct ClientData: ClientDataset, Sendable {
    /// Stable name, `<task>-<k>` (e.g. `segmentation-0`).
    public let name: String
    public let task: TaskSpec
    /// Image height and width.
    public let imageSize: (height: Int, width: Int)
    /// Dataset indices of the training images (for reports; the client needs only the samples).
    public let trainIndices: [Int]
    /// Dataset indices of the test images.
    public let testIndices: [Int]
    /// Style names of the dataset (the samples' `style` indexes them).
    public let styleNames: [String]
    /// Applied to every training sample of ``trainBatches(batchSize:generator:)``.
    public var augmentation: Augmentation
    /// The training samples (colour and this task's ground truth only).
    public let train: [MultiTaskSample]
    /// The test samples.
    public let test: [MultiTaskSample]

    /// A client over `train` and `test`, which must hold ground truth for `split.task`.
    public init(split: ClientSplit, info: DatasetInfo, augmentation: Augmentation,
                train: [MultiTaskSample], test: [MultiTaskSample]) {
        precondition(train.count == split.train.count && test.count == split.test.count,
                     "ClientData: \(train.count)/\(test.count) samples for \(split.train.count)/\(split.test.count) indices")
        precondition((train + test).allSatisfy { $0.has(split.task.kind) }, "ClientData: a sample lacks \(split.task.kind.rawValue)")
        self.name = split.name
        self.task = split.task
        self.imageSize = (info.height, info.width)
        self.trainIndices = split.train
        self.testIndices = split.test
        self.styleNames = info.styles
        self.augmentation = augmentation
        self.train = train
        self.test = test
    }

    public var input: InputDescription { .images(height: imageSize.height, width: imageSize.width) }
    public var trainCount: Int { train.count }
    public var testCount: Int { test.count }

    /// The training set shuffled with `generator`, each sample augmented (drawing from
    /// `generator` in sample order), in batches of `batchSize` (the last may be smaller).
    public func trainBatches(batchSize: Int, generator: inout SeededGenerator) -> [Batch] {
        generator.shuffledBatches(count: train.count, batchSize: batchSize).map { indices in
            Batch(samples: indices.map { augmentation.apply(train[$0], generator: &generator) }, task: task.kind)
        }
    }

    /// The test set in order, not augmented, in batches of `batchSize`.
    public func testBatches(batchSize: Int) -> [Batch] {
        precondition(batchSize >= 1, "testBatches: batch size must be at least 1, got \(batchSize)")
        return stride(from: 0, to: test.count, by: batchSize).map {
            Batch(samples: Array(test[$0..<min($0 + batchSize, test.count)]), task: task.kind)
        }
    }

    /// How many training images of each style the client holds.
    public var trainStyleCounts: [Int] {
        var counts = [Int](repeating: 0, count: styleNames.count)
        for sample in train where counts.indices.contains(sample.style) { counts[sample.style] += 1 }
        return counts
    }
}
