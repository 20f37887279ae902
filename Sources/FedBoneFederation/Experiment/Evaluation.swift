/// A client's result on its test split: its task metric's summary (``makeMetric(for:options:)``:
/// mIoU, RMSE, mean angle, odsF, maxF, accuracy and the metric's other values) and the mean
/// test loss.
public struct EvaluationSummary: Sendable, Equatable {
    /// Mean task loss over the test batches.
    public var loss: Double
    /// Every value the task's metric reports, and its primary one.
    public var metrics: MetricSummary

    public init(loss: Double, metrics: MetricSummary) {
        self.loss = loss
        self.metrics = metrics
    }

    /// The task's main metric (mIoU, RMSE, mean angle, odsF, maxF, accuracy).
    public var primary: MetricSummary.Primary { metrics.primary }
}

/// Evaluates `predict` on the test batches of `task` with the task's standard metric and loss.
public func evaluate(task: TaskSpec, batches: [Batch], lossOptions: TaskLossOptions, metricOptions: MetricOptions = .init(),
                     predict: (ModelInput) throws -> Tensor) rethrows -> EvaluationSummary {
    var metric = makeMetric(for: task, options: metricOptions)
    var lossSum = 0.0
    for batch in batches {
        let prediction = try predict(batch.input)
        lossSum += Double(withoutGrad { taskLoss(task: task, prediction: prediction, target: batch.target, options: lossOptions) }.item)
        metric.update(prediction: prediction, target: batch.target)
    }
    return EvaluationSummary(loss: batches.isEmpty ? .nan : lossSum / Double(batches.count), metrics: metric.summary())
}

/// The test results of `dataset`'s trivial predictor (``TrivialPredictor`` fitted on the targets
/// of one epoch of its training split).
func evaluateTrivialPredictor(_ dataset: any ClientDataset, batchSize: Int, lossOptions: TaskLossOptions) -> EvaluationSummary {
    var generator = SeededGenerator(seed: 0)
    let targets = dataset.trainBatches(batchSize: 64, generator: &generator).map(\.target)
    let predictor = TrivialPredictor.fit(task: dataset.task, trainTargets: targets)
    let batches = dataset.testBatches(batchSize: batchSize)
    var index = 0
    return evaluate(task: dataset.task, batches: batches, lossOptions: lossOptions) { _ in
        defer { index += 1 }
        return predictor.predict(for: batches[index])
    }
}
