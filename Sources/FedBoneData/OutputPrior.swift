import Foundation

extension TaskHead {
    /// Starts the head's output at the training split's prior, so training spends its steps on
    /// structure rather than on finding the scale: depth heads start at the mean valid depth,
    /// boundary and saliency heads at the logit of the positive fraction (the usual prior
    /// initialisation for rare positives). Reads only the client's own training data; other
    /// tasks are left as they are.
    public func matchOutputPrior(to dataset: any ClientDataset, batchSize: Int = 64) {
        guard [.depth, .boundaries, .saliency].contains(task.kind) else { return }
        var generator = SeededGenerator(seed: 0)
        var sum = 0.0, count = 0.0
        for batch in dataset.trainBatches(batchSize: batchSize, generator: &generator) {
            guard case let .map(map) = batch.target else { continue }
            for v in map.scalars {
                if task.kind == .depth {
                    if v > 0 { sum += Double(v); count += 1 }
                } else {
                    sum += Double(v)
                    count += 1
                }
            }
        }
        guard count > 0 else { return }
        let mean = sum / count
        if task.kind == .depth {
            setOutputPrior(Float(mean))
        } else {
            let p = Swift.min(Swift.max(mean, 1e-3), 1 - 1e-3)
            setOutputPrior(Float(Foundation.log(p / (1 - p))))
        }
    }
}

extension SplitClientModel {
    /// Starts an image client's head at its task's output prior (``TaskHead/matchOutputPrior(to:batchSize:)``);
    /// text heads keep their initial zero bias.
    public func matchOutputPrior(to dataset: any ClientDataset) {
        (self as? ClientModel)?.head.matchOutputPrior(to: dataset)
    }
}
