import Foundation

/// Saliency maximum F-measure (maxF) with β² = 0.3.
///
/// Predictions are logits `[B, 1, H, W]`; a pixel is predicted salient at threshold `t` when
/// `sigmoid(logit) ≥ t`, for `t = 0.05, 0.10, …, 0.95` (19 thresholds). A target pixel is
/// salient when its value is ≥ 0.5; target pixels equal to 255 are ignored.
///
/// **Pooled, not per image.** For every threshold the true positives `TP`, the predicted
/// positives `PP` and the actual positives `AP` are summed over all pixels of all images (as
/// the multi-task dense-prediction benchmarks' saliency meter does), then
/// `precision = TP / PP`, `recall = TP / AP` and
/// `F_β = (1 + β²)·precision·recall / (β²·precision + recall)`; `maxF = max_t F_β(t)`.
/// (Salient-object-detection papers often average precision and recall per image instead;
/// pooling weighs every pixel equally and is what the paper's tables follow.)
///
/// **Empty maps.** As for boundaries: `precision = 1` when nothing is predicted, `recall = 1`
/// when nothing is salient, `F = 0` when the denominator is 0; both empty gives 1.
///
/// Values: "maxF" (primary, higher is better), "maxFThreshold", "precision" and "recall" at
/// that threshold.
public struct SaliencyMetric: TaskMetric {
    public let task: TaskSpec
    /// β² of the F-measure.
    public static let betaSquared = 0.3
    /// The thresholds on sigmoid(logit): 0.05, 0.10, …, 0.95.
    public static let thresholds: [Float] = (1...19).map { Float($0) * 0.05 }
    private var truePositives: [Int]
    private var predictedPositives: [Int]
    private var actualPositives = 0
    private var samples = 0

    public init(task: TaskSpec = TaskSpec(.saliency)) {
        self.task = task
        truePositives = Array(repeating: 0, count: Self.thresholds.count)
        predictedPositives = truePositives
    }

    /// Adds logits `[B, 1, H, W]` against a `.map` target of the same shape.
    public mutating func update(prediction: Tensor, target: TaskTarget) {
        guard case .map(let mask) = target else {
            preconditionFailure("SaliencyMetric: expects a .map target")
        }
        precondition(prediction.shape == mask.shape,
                     "SaliencyMetric: prediction \(prediction.shape) and target \(mask.shape) differ")
        let thresholds = Self.thresholds
        prediction.withUnsafeBufferPointer { p in
            mask.withUnsafeBufferPointer { t in
                for i in 0..<t.count where t[i] != 255 {
                    let probability = 1 / (1 + exp(-p[i]))
                    let salient = t[i] >= 0.5
                    if salient { actualPositives += 1 }
                    for (j, threshold) in thresholds.enumerated() where probability >= threshold {
                        predictedPositives[j] += 1
                        if salient { truePositives[j] += 1 }
                    }
                }
            }
        }
        samples += prediction.shape.first ?? 0
    }

    /// Precision, recall and F_β at threshold index `j`.
    private func measure(_ j: Int) -> (precision: Double, recall: Double, f: Double) {
        let precision = predictedPositives[j] == 0 ? 1 : Double(truePositives[j]) / Double(predictedPositives[j])
        let recall = actualPositives == 0 ? 1 : Double(truePositives[j]) / Double(actualPositives)
        let b2 = Self.betaSquared
        let denominator = b2 * precision + recall
        return (precision, recall, denominator == 0 ? 0 : (1 + b2) * precision * recall / denominator)
    }

    public func summary() -> MetricSummary {
        var best = 0
        for j in Self.thresholds.indices where measure(j).f > measure(best).f { best = j }
        let m = measure(best)
        let values: [String: Double] = [
            "maxF": m.f,
            "maxFThreshold": Double(Self.thresholds[best]),
            "precision": m.precision,
            "recall": m.recall,
        ]
        return MetricSummary(values: values, primaryName: "maxF", higherIsBetter: true, samples: samples)
    }
}
