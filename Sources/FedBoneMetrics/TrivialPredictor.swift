import Foundation

/// A predictor that ignores the image: the baseline a trained model must beat.
///
/// Fitted on the training targets of one task, it predicts the same thing for every image:
/// - segmentation, parts, classification and both text tasks: the majority class or tag (over
///   non-ignored labels) as
///   one-hot logits (1 for that class, 0 elsewhere);
/// - depth: the mean of the valid (> 0) training depths;
/// - normals: the mean of the valid (non-zero) training normals, normalised (`(0, 0, 1)` when
///   the mean is zero);
/// - boundaries: no boundary anywhere (logit −20, below every odsF threshold);
/// - saliency: the fraction `q` of salient training pixels as the logit `log(q / (1 − q))`,
///   with `q` clamped to [10⁻⁴, 1 − 10⁻⁴].
public struct TrivialPredictor: Sendable {
    /// The task.
    public let task: TaskSpec
    /// The constant per channel: logits (label tasks), depth, the normal, or one logit.
    public let constant: [Float]

    /// A predictor with a given constant (one value per output channel).
    public init(task: TaskSpec, constant: [Float]) {
        precondition(constant.count == task.outputChannels,
                     "TrivialPredictor: \(constant.count) constants for \(task.outputChannels) channels")
        self.task = task
        self.constant = constant
    }

    /// The trivial predictor of `task` fitted on `trainTargets` (the targets of the training
    /// batches).
    public static func fit(task: TaskSpec, trainTargets: [TaskTarget]) -> TrivialPredictor {
        switch task.kind {
        case .segmentation, .parts, .classification, .textClassification, .tokenTagging:
            var counts = [Int](repeating: 0, count: task.classes)
            for case .labels(let labels) in trainTargets {
                for label in labels where label >= 0 && label < task.classes { counts[label] += 1 }
            }
            let majority = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
            var logits = [Float](repeating: 0, count: task.classes)
            if !logits.isEmpty { logits[majority] = 1 }
            return TrivialPredictor(task: task, constant: logits)
        case .depth:
            var sum = 0.0, count = 0
            for case .map(let depth) in trainTargets {
                for d in depth.scalars where d > 0 { sum += Double(d); count += 1 }
            }
            return TrivialPredictor(task: task, constant: [count == 0 ? 0 : Float(sum / Double(count))])
        case .normals:
            var sum = [0.0, 0.0, 0.0]
            for case .map(let normals) in trainTargets where normals.rank == 4 && normals.shape[1] == 3 {
                let plane = normals.shape[2] * normals.shape[3]
                for n in 0..<normals.shape[0] {
                    for i in 0..<plane {
                        let base = n * 3 * plane + i
                        let v = [normals.scalars[base], normals.scalars[base + plane], normals.scalars[base + 2 * plane]]
                        if v != [0, 0, 0] { for c in 0..<3 { sum[c] += Double(v[c]) } }
                    }
                }
            }
            let norm = (sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]).squareRoot()
            return TrivialPredictor(task: task, constant: norm > 0 ? sum.map { Float($0 / norm) } : [0, 0, 1])
        case .boundaries:
            return TrivialPredictor(task: task, constant: [-20])
        case .saliency:
            var positive = 0, count = 0
            for case .map(let mask) in trainTargets {
                for v in mask.scalars where v != 255 {
                    count += 1
                    if v >= 0.5 { positive += 1 }
                }
            }
            let q = min(max(count == 0 ? 0.5 : Double(positive) / Double(count), 1e-4), 1 - 1e-4)
            return TrivialPredictor(task: task, constant: [Float(log(q / (1 - q)))])
        }
    }

    /// The prediction for `count` images of `height × width`: `[count, K, H, W]` for dense
    /// tasks, `[count, K]` for classification.
    public func predict(count: Int, height: Int, width: Int) -> Tensor {
        let k = constant.count
        if !task.kind.isDense {
            return Tensor(uncheckedShape: [count, k], scalars: (0..<count).flatMap { _ in constant })
        }
        let plane = height * width
        var scalars = [Float](repeating: 0, count: count * k * plane)
        for n in 0..<count {
            for c in 0..<k {
                let base = (n * k + c) * plane
                for i in 0..<plane { scalars[base + i] = constant[c] }
            }
        }
        return Tensor(uncheckedShape: [count, k, height, width], scalars: scalars)
    }

    /// The prediction for the inputs of `batch`: for images `[B, 3, H, W]` as
    /// ``predict(count:height:width:)``; for token sequences `[B, K]` (text classification) or
    /// `[B, K, L]` (token tagging).
    public func predict(for batch: Batch) -> Tensor {
        switch batch.input {
        case let .images(images):
            let shape = images.shape
            precondition(shape.count == 4, "TrivialPredictor: batch images \(shape) are not [B, C, H, W]")
            return predict(count: shape[0], height: shape[2], width: shape[3])
        case let .tokens(tokens):
            guard task.kind == .tokenTagging else { return predict(count: tokens.count, height: 1, width: 1) }
            let perSample = constant.flatMap { [Float](repeating: $0, count: tokens.length) }
            return Tensor(uncheckedShape: [tokens.count, constant.count, tokens.length],
                          scalars: (0..<tokens.count).flatMap { _ in perSample })
        }
    }
}
