/// The trivial predictor a model must beat, fitted on a client's training split: the majority
/// class (label tasks), the mean depth, the mean normal (normalised), or a constant mask
/// (boundaries, saliency: positive where more than half of the training pixels are).
public struct TrivialPredictor: Sendable {
    public let task: TaskSpec
    /// Per-channel constant output (logits for label tasks and masks).
    public let constants: [Float]

    /// Fits the constants on `dataset`'s training split (without augmentation order effects:
    /// all batches of one epoch).
    public init(fitting dataset: any ClientDataset) {
        task = dataset.task
        var generator = SeededGenerator(seed: 0)
        let batches = dataset.trainBatches(batchSize: 64, generator: &generator)
        switch task.kind {
        case .segmentation, .parts, .classification:
            var counts = [Int](repeating: 0, count: task.classes)
            for batch in batches {
                if case let .labels(labels) = batch.target {
                    for l in labels where l >= 0 && l < task.classes { counts[l] += 1 }
                }
            }
            let majority = counts.indices.max { counts[$0] < counts[$1] } ?? 0
            constants = (0..<task.classes).map { $0 == majority ? 1 : 0 }
        case .depth, .normals, .boundaries, .saliency:
            let k = task.outputChannels
            var sums = [Double](repeating: 0, count: k), counts = [Double](repeating: 0, count: k)
            for batch in batches {
                guard case let .map(map) = batch.target else { continue }
                let hw = map.count / max(map.shape[0] * k, 1)
                for b in 0..<map.shape[0] {
                    for c in 0..<k {
                        for i in 0..<hw {
                            let v = map.scalars[(b * k + c) * hw + i]
                            if task.kind == .depth && v <= 0 { continue }
                            sums[c] += Double(v)
                            counts[c] += 1
                        }
                    }
                }
            }
            var means = zip(sums, counts).map { Float($0 / max($1, 1)) }
            switch task.kind {
            case .normals:
                let norm = max(means.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                means = means.map { $0 / norm }
            case .boundaries, .saliency:
                means = means.map { $0 > 0.5 ? 1 : -1 }
            default:
                break
            }
            constants = means
        }
    }

    /// The constant prediction for a batch of `images` `[B, 3, H, W]`, shaped like the head's output.
    public func predict(_ images: Tensor) -> Tensor {
        let b = images.shape[0]
        if task.kind == .classification {
            return Tensor(uncheckedShape: [b, task.classes], scalars: (0..<b).flatMap { _ in constants })
        }
        let hw = images.shape[2] * images.shape[3], k = constants.count
        var scalars = [Float](repeating: 0, count: b * k * hw)
        for i in 0..<b {
            for c in 0..<k {
                for j in 0..<hw { scalars[(i * k + c) * hw + j] = constants[c] }
            }
        }
        return Tensor(uncheckedShape: [b, k, images.shape[2], images.shape[3]], scalars: scalars)
    }
}
