import Foundation

/// One named metric value.
public struct MetricValue: Codable, Sendable, Equatable {
    public var name: String
    public var value: Double
    /// Whether larger values are better (for tables and comparisons).
    public var higherIsBetter: Bool

    public init(name: String, value: Double, higherIsBetter: Bool) {
        self.name = name
        self.value = value
        self.higherIsBetter = higherIsBetter
    }
}

/// A client's result on its test split.
public struct EvaluationSummary: Codable, Sendable, Equatable {
    /// Mean task loss over the test batches.
    public var loss: Double
    /// The task's metrics, the primary one first.
    public var metrics: [MetricValue]
    /// Test samples.
    public var samples: Int

    /// The task's main metric (mIoU, RMSE, mean angle, F, accuracy).
    public var primary: MetricValue { metrics[0] }
}

/// Evaluates `predict` on test batches of `task`. This is the federation's one use of metrics:
/// a minimal local set (segmentation mIoU and pixel accuracy, depth RMSE, normals mean angular
/// error, boundary F1 and saliency F_β (β² = 0.3) at threshold 0.5, classification accuracy),
/// to be replaced by the metrics target's implementations.
public func evaluate(task: TaskSpec, batches: [Batch], lossOptions: TaskLossOptions,
                     predict: (Tensor) throws -> Tensor) rethrows -> EvaluationSummary {
    var meter = TaskMeter(task: task)
    var lossSum = 0.0
    for batch in batches {
        let prediction = try predict(batch.images)
        lossSum += Double(withoutGrad { taskLoss(task: task, prediction: prediction, target: batch.target, options: lossOptions) }.item)
        meter.update(prediction: prediction, target: batch.target)
    }
    return EvaluationSummary(loss: batches.isEmpty ? 0 : lossSum / Double(batches.count), metrics: meter.summary(),
                             samples: batches.reduce(0) { $0 + $1.count })
}

/// Running sums of one task's metrics.
struct TaskMeter {
    let task: TaskSpec
    private var confusion: [Int]
    private var correct = 0, counted = 0
    private var squaredError = 0.0, absoluteError = 0.0, angleSum = 0.0
    private var truePositive = 0.0, falsePositive = 0.0, falseNegative = 0.0

    init(task: TaskSpec) {
        self.task = task
        confusion = [Int](repeating: 0, count: max(task.classes, 1) * max(task.classes, 1))
    }

    mutating func update(prediction: Tensor, target: TaskTarget) {
        let p = prediction.scalars
        switch (task.kind, target) {
        case (.segmentation, .labels(let labels)), (.parts, .labels(let labels)):
            let c = task.classes, hw = labels.count / max(prediction.shape[0], 1)
            for (i, label) in labels.enumerated() where label != 255 {
                let b = i / hw, pixel = i % hw
                var best = 0
                for k in 1..<c where p[(b * c + k) * hw + pixel] > p[(b * c + best) * hw + pixel] { best = k }
                confusion[label * c + best] += 1
                correct += best == label ? 1 : 0
                counted += 1
            }
        case (.classification, .labels(let labels)):
            for (b, best) in prediction.argmaxLastAxis().enumerated() {
                correct += best == labels[b] ? 1 : 0
                counted += 1
            }
        case (.depth, .map(let depth)):
            for (d, q) in zip(depth.scalars, p) where d > 0 {
                squaredError += Double((q - d) * (q - d))
                absoluteError += Double(abs(q - d))
                counted += 1
            }
        case (.normals, .map(let normals)):
            let hw = normals.count / max(3 * normals.shape[0], 1)
            let t = normals.scalars
            for b in 0..<normals.shape[0] {
                for i in 0..<hw {
                    let o = b * 3 * hw + i
                    let tx = t[o], ty = t[o + hw], tz = t[o + 2 * hw]
                    let tn = (tx * tx + ty * ty + tz * tz).squareRoot()
                    guard tn > 0 else { continue }
                    let px = p[o], py = p[o + hw], pz = p[o + 2 * hw]
                    let pn = max((px * px + py * py + pz * pz).squareRoot(), 1e-12)
                    let cosine = Double((px * tx + py * ty + pz * tz) / (pn * tn))
                    angleSum += acos(min(max(cosine, -1), 1)) * 180 / Double.pi
                    counted += 1
                }
            }
        case (.boundaries, .map(let mask)), (.saliency, .map(let mask)):
            for (m, q) in zip(mask.scalars, p) {
                let predicted = q > 0, actual = m > 0.5
                if predicted && actual { truePositive += 1 } else if predicted { falsePositive += 1 } else if actual { falseNegative += 1 }
                counted += 1
            }
        default:
            preconditionFailure("evaluate: task \(task.kind.rawValue) does not take this kind of target")
        }
    }

    func summary() -> [MetricValue] {
        let n = Double(max(counted, 1))
        switch task.kind {
        case .segmentation, .parts:
            let c = task.classes
            var ious: [Double] = []
            for k in 0..<c {
                let tp = confusion[k * c + k]
                let fn = (0..<c).reduce(0) { $0 + confusion[k * c + $1] } - tp
                let fp = (0..<c).reduce(0) { $0 + confusion[$1 * c + k] } - tp
                if tp + fn + fp > 0 { ious.append(Double(tp) / Double(tp + fn + fp)) }
            }
            return [MetricValue(name: "mIoU", value: ious.isEmpty ? 0 : ious.reduce(0, +) / Double(ious.count), higherIsBetter: true),
                    MetricValue(name: "pixelAccuracy", value: Double(correct) / n, higherIsBetter: true)]
        case .classification:
            return [MetricValue(name: "accuracy", value: Double(correct) / n, higherIsBetter: true)]
        case .depth:
            return [MetricValue(name: "rmse", value: (squaredError / n).squareRoot(), higherIsBetter: false),
                    MetricValue(name: "mae", value: absoluteError / n, higherIsBetter: false)]
        case .normals:
            return [MetricValue(name: "meanAngle", value: angleSum / n, higherIsBetter: false)]
        case .boundaries, .saliency:
            let beta2 = task.kind == .saliency ? 0.3 : 1
            let precision = truePositive / max(truePositive + falsePositive, 1)
            let recall = truePositive / max(truePositive + falseNegative, 1)
            let f = precision + recall > 0 ? (1 + beta2) * precision * recall / (beta2 * precision + recall) : 0
            return [MetricValue(name: task.kind == .saliency ? "F" : "F1", value: f, higherIsBetter: true)]
        }
    }
}
