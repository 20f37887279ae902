/// One mini-batch of one client's data.
public struct Batch {
    /// Images `[B, 3, H, W]` (values roughly in [0, 1], or normalised, as the dataset says) or
    /// token sequences.
    public var input: ModelInput
    /// The ground truth of the client's task for these inputs.
    public var target: TaskTarget

    public init(input: ModelInput, target: TaskTarget) {
        self.input = input
        self.target = target
    }

    /// A batch of images.
    public init(images: Tensor, target: TaskTarget) {
        self.init(input: .images(images), target: target)
    }

    /// The images of an image batch (image clients, augmentation, visualisation).
    /// - Precondition: the batch holds images.
    public var images: Tensor {
        guard case let .images(images) = input else { preconditionFailure("Batch: a batch of token sequences has no images") }
        return images
    }

    /// Number of samples.
    public var count: Int { input.count }
}

/// What a client sees of the data: its own train and test splits of one task. The federation
/// code reaches data only through this protocol.
public protocol ClientDataset {
    /// The client's task.
    var task: TaskSpec { get }
    /// What its samples are: images of a size, or token sequences over a vocabulary.
    var input: InputDescription { get }
    /// Samples in the training split.
    var trainCount: Int { get }
    /// Samples in the test split.
    var testCount: Int { get }
    /// One epoch of training batches, shuffled and augmented with `generator` (the last batch
    /// may be smaller).
    func trainBatches(batchSize: Int, generator: inout SeededGenerator) -> [Batch]
    /// The test split in order, without augmentation.
    func testBatches(batchSize: Int) -> [Batch]
}

extension SeededGenerator {
    /// The indices `0..<count` shuffled (Fisher–Yates) and cut into consecutive batches of
    /// `batchSize` (the last may be smaller): the order of every client dataset's training epoch.
    /// - Precondition: `batchSize ≥ 1`.
    public mutating func shuffledBatches(count: Int, batchSize: Int) -> [ArraySlice<Int>] {
        precondition(batchSize >= 1, "trainBatches: batch size must be at least 1, got \(batchSize)")
        var order = Array(0..<count)
        shuffle(&order)
        return stride(from: 0, to: count, by: batchSize).map { order[$0..<min($0 + batchSize, count)] }
    }
}
