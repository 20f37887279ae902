/// Depth errors pooled over every valid pixel of the test set.
///
/// A pixel is valid when its target depth is > 0 (0 marks missing depth). With `V` the set of
/// valid pixels of all images together, prediction `d̂` and target `d` in metres:
///
/// - `rmse = sqrt( Σ_V (d̂ − d)² / |V| )` — pooled over pixels, not a mean of per-image RMSEs
///   (the Multi-Task-Learning-PyTorch depth meter pools the same way);
/// - `mae = Σ_V |d̂ − d| / |V|`.
///
/// With no valid pixel (`|V| = 0`) both are NaN.
///
/// Values: "rmse" (primary, lower is better), "mae".
public struct DepthMetric: TaskMetric {
    public let task: TaskSpec
    private var squaredError = 0.0
    private var absoluteError = 0.0
    /// Valid pixels seen so far.
    public private(set) var validPixels = 0
    private var samples = 0

    public init(task: TaskSpec = TaskSpec(.depth)) {
        self.task = task
    }

    /// Adds a prediction `[B, 1, H, W]` in metres against a `.map` target of the same shape.
    public mutating func update(prediction: Tensor, target: TaskTarget) {
        guard case .map(let depth) = target else {
            preconditionFailure("DepthMetric: expects a .map target")
        }
        precondition(prediction.shape == depth.shape,
                     "DepthMetric: prediction \(prediction.shape) and target \(depth.shape) differ")
        var squared = 0.0, absolute = 0.0, valid = 0
        prediction.withUnsafeBufferPointer { p in
            depth.withUnsafeBufferPointer { t in
                for i in 0..<t.count where t[i] > 0 {
                    let e = Double(p[i]) - Double(t[i])
                    squared += e * e
                    absolute += abs(e)
                    valid += 1
                }
            }
        }
        squaredError += squared
        absoluteError += absolute
        validPixels += valid
        samples += prediction.shape.first ?? 0
    }

    public func summary() -> MetricSummary {
        let n = Double(validPixels)
        let values: [String: Double] = [
            "rmse": validPixels == 0 ? .nan : (squaredError / n).squareRoot(),
            "mae": validPixels == 0 ? .nan : absoluteError / n,
        ]
        return MetricSummary(values: values, primaryName: "rmse", higherIsBetter: false, samples: samples)
    }
}
