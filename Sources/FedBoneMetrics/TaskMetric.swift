/// What one metric reports after a whole test set: named values and the primary one.
///
/// Ratios (mIoU, accuracies, F-measures, fractions within an angle) are fractions in [0, 1],
/// not percentages; depth errors are in metres and angles in degrees. A value that is undefined
/// because the test set gave it nothing to measure (no valid pixel) is `Double.nan`.
public struct MetricSummary: Sendable, Equatable, Codable {
    /// The value used for tables and for Δm.
    public struct Primary: Sendable, Equatable, Codable {
        /// The key of the value in ``MetricSummary/values`` (e.g. "mIoU", "rmse").
        public var name: String
        /// The value.
        public var value: Double
        /// Whether a larger value is better (mIoU) or worse (RMSE).
        public var higherIsBetter: Bool

        public init(name: String, value: Double, higherIsBetter: Bool) {
            self.name = name
            self.value = value
            self.higherIsBetter = higherIsBetter
        }
    }

    /// Every value the metric reports, by name.
    public var values: [String: Double]
    /// The headline value.
    public var primary: Primary
    /// How many samples (images) the metric saw.
    public var samples: Int

    /// A summary whose primary value is `values[primaryName]` (NaN when absent).
    public init(values: [String: Double], primaryName: String, higherIsBetter: Bool, samples: Int) {
        self.values = values
        self.primary = Primary(name: primaryName, value: values[primaryName] ?? .nan, higherIsBetter: higherIsBetter)
        self.samples = samples
    }

    /// The value called `name`, if reported.
    public subscript(name: String) -> Double? { values[name] }
}

/// A metric that accumulates over a whole test set, batch by batch, then reports.
///
/// `prediction` is a ``TaskHead`` output for the batch; `target` the batch's ``TaskTarget``.
/// Shape or target-kind mismatches are programming errors and stop with a precondition.
public protocol TaskMetric {
    /// The task measured.
    var task: TaskSpec { get }
    /// Adds one batch.
    mutating func update(prediction: Tensor, target: TaskTarget)
    /// The values over everything added so far.
    func summary() -> MetricSummary
}

/// Settings shared by the metrics that ``makeMetric(for:options:)`` builds.
public struct MetricOptions: Sendable, Equatable, Codable {
    /// Boundary matching tolerance relative to the image diagonal (BSDS `maxDist`, 0.0075).
    public var boundaryRelativeTolerance: Double

    public init(boundaryRelativeTolerance: Double = 0.0075) {
        self.boundaryRelativeTolerance = boundaryRelativeTolerance
    }
}

/// The standard metric of `task`: mIoU (segmentation, parts), RMSE (depth), mean angular error
/// (normals), odsF (boundaries), maxF (saliency), accuracy (classification, text
/// classification; token accuracy for token tagging) as primary values.
public func makeMetric(for task: TaskSpec, options: MetricOptions = .init()) -> any TaskMetric {
    switch task.kind {
    case .segmentation, .parts:
        return SegmentationMetric(task: task)
    case .depth:
        return DepthMetric(task: task)
    case .normals:
        return NormalsMetric(task: task)
    case .boundaries:
        return BoundaryMetric(task: task, relativeTolerance: options.boundaryRelativeTolerance)
    case .saliency:
        return SaliencyMetric(task: task)
    case .classification, .textClassification, .tokenTagging:
        return ClassificationMetric(task: task)
    }
}
