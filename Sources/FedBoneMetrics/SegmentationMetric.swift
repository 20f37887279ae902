/// Mean intersection-over-union and pixel accuracy for segmentation and human parts.
///
/// Each pixel's predicted class is the argmax over the `K` logits (the lowest index on ties).
/// Pixels labelled 255 are ignored. A `K×K` confusion matrix `C[t][p]` (truth `t`, prediction
/// `p`) is accumulated over the whole test set, and only then:
///
/// - `IoU_c = C[c][c] / (Σ_p C[c][p] + Σ_t C[t][c] − C[c][c])`  (TP / (TP + FP + FN));
/// - `mIoU = mean of IoU_c over the classes with TP + FP + FN > 0`. A class absent from both
///   the prediction and the truth over the whole test set has IoU 0/0; it is *excluded* from
///   the mean (numpy's `nanmean`, as mmsegmentation and torchmetrics do). The
///   Multi-Task-Learning-PyTorch meter counts it as 0 instead; on a real test set, where every
///   class occurs, the two agree. A class predicted but never true has IoU 0 and counts.
/// - `pixelAccuracy = Σ_c C[c][c] / Σ C` over non-ignored pixels.
///
/// With no non-ignored pixel at all both values are NaN.
///
/// Values: "mIoU" (primary, higher is better), "pixelAccuracy", "IoU/<c>" per counted class.
public struct SegmentationMetric: TaskMetric {
    public let task: TaskSpec
    /// `confusion[t * K + p]`: pixels of true class `t` predicted as `p`.
    public private(set) var confusion: [Int]
    private var samples = 0

    /// An empty metric for a segmentation or parts task with `task.classes` classes.
    public init(task: TaskSpec) {
        precondition(task.classes >= 1, "SegmentationMetric: task \(task.kind.rawValue) needs classes, got \(task.classes)")
        self.task = task
        confusion = Array(repeating: 0, count: task.classes * task.classes)
    }

    /// Adds logits `[B, K, H, W]` against labels `B·H·W` (row-major, 255 = ignore).
    public mutating func update(prediction: Tensor, target: TaskTarget) {
        guard case .labels(let labels) = target else {
            preconditionFailure("SegmentationMetric: expects .labels targets")
        }
        let k = task.classes
        precondition(prediction.rank == 4 && prediction.shape[1] == k,
                     "SegmentationMetric: prediction \(prediction.shape) is not [B, \(k), H, W]")
        let predicted = argmaxOverChannels(prediction)
        precondition(predicted.count == labels.count,
                     "SegmentationMetric: \(labels.count) labels for prediction \(prediction.shape)")
        for (t, p) in zip(labels, predicted) where t != ignoreLabel {
            precondition(t >= 0 && t < k, "SegmentationMetric: label \(t) outside 0..<\(k) and not 255")
            confusion[t * k + p] += 1
        }
        samples += prediction.shape[0]
    }

    /// IoU per class; `nil` for a class absent from both prediction and truth.
    public var perClassIoU: [Double?] {
        let k = task.classes
        return (0..<k).map { c in
            let tp = confusion[c * k + c]
            let truth = (0..<k).reduce(0) { $0 + confusion[c * k + $1] }
            let predicted = (0..<k).reduce(0) { $0 + confusion[$1 * k + c] }
            let union = truth + predicted - tp
            return union == 0 ? nil : Double(tp) / Double(union)
        }
    }

    public func summary() -> MetricSummary {
        let k = task.classes
        let ious = perClassIoU
        let counted = ious.compactMap { $0 }
        let total = confusion.reduce(0, +)
        let correct = (0..<k).reduce(0) { $0 + confusion[$1 * k + $1] }
        var values: [String: Double] = [
            "mIoU": counted.isEmpty ? .nan : counted.reduce(0, +) / Double(counted.count),
            "pixelAccuracy": total == 0 ? .nan : Double(correct) / Double(total),
        ]
        for (c, iou) in ious.enumerated() {
            if let iou { values["IoU/\(c)"] = iou }
        }
        return MetricSummary(values: values, primaryName: "mIoU", higherIsBetter: true, samples: samples)
    }
}

/// The ignore label of segmentation, parts and classification targets.
let ignoreLabel = 255

/// The argmax over axis 1 of `[B, K, ...]`, flattened over `B` and the trailing axes (row-major);
/// the lowest index wins ties.
func argmaxOverChannels(_ x: Tensor) -> [Int] {
    precondition(x.rank >= 2, "argmaxOverChannels: needs [B, K, ...], got \(x.shape)")
    let b = x.shape[0], k = x.shape[1]
    let inner = x.shape.dropFirst(2).reduce(1, *)
    var out = [Int](repeating: 0, count: b * inner)
    x.withUnsafeBufferPointer { v in
        for n in 0..<b {
            let base = n * k * inner
            for i in 0..<inner {
                var best = 0
                var bestValue = v[base + i]
                for c in 1..<max(k, 1) where v[base + c * inner + i] > bestValue {
                    best = c
                    bestValue = v[base + c * inner + i]
                }
                out[n * inner + i] = best
            }
        }
    }
    return out
}
