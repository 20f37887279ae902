/// One mini-batch of one client's data.
public struct Batch {
    /// Images `[B, 3, H, W]`, values roughly in [0, 1] (or normalised, as the dataset says).
    public var images: Tensor
    /// The ground truth of the client's task for these images.
    public var target: TaskTarget

    public init(images: Tensor, target: TaskTarget) {
        self.images = images
        self.target = target
    }

    /// Number of samples.
    public var count: Int { images.shape.first ?? 0 }
}

/// What a client sees of the data: its own train and test splits of one task. The federation
/// code reaches data only through this protocol.
public protocol ClientDataset {
    /// The client's task.
    var task: TaskSpec { get }
    /// Image height and width.
    var imageSize: (height: Int, width: Int) { get }
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
