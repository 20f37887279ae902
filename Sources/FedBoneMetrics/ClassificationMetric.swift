/// Classification accuracy and macro-F1: of images and token sequences (classification, text
/// classification), or of tokens (token tagging: token-level accuracy and macro-F1 over tags).
///
/// The predicted class is the argmax of the logits `[B, K]`, or `[B, K, L]` per token for
/// tagging (lowest index on ties); labels 255 (padding, continuation word pieces) are ignored.
/// Over the whole test set:
///
/// - `accuracy = correct / N` over the `N` non-ignored samples (tokens, for tagging);
/// - `macroF1 = mean over classes c of F1_c = 2·TP_c / (2·TP_c + FP_c + FN_c)`, over the classes
///   that occur in the truth or the predictions (`2·TP + FP + FN > 0`), as scikit-learn's
///   `f1_score(average: "macro")` does by default; a class absent from both is left out.
///
/// With no sample both are NaN.
///
/// Values: "accuracy" (primary, higher is better), "macroF1".
public struct ClassificationMetric: TaskMetric {
    public let task: TaskSpec
    private var truePositives: [Int]
    private var falsePositives: [Int]
    private var falseNegatives: [Int]
    private var correct = 0
    private var total = 0

    public init(task: TaskSpec) {
        precondition(task.classes >= 1, "ClassificationMetric: needs classes, got \(task.classes)")
        self.task = task
        truePositives = Array(repeating: 0, count: task.classes)
        falsePositives = truePositives
        falseNegatives = truePositives
    }

    /// Adds logits `[B, K]` against `.labels` of length `B`, or (token tagging) `[B, K, L]`
    /// against `B·L` labels, row-major.
    public mutating func update(prediction: Tensor, target: TaskTarget) {
        guard case .labels(let labels) = target else {
            preconditionFailure("ClassificationMetric: expects .labels targets")
        }
        let k = task.classes
        let perToken = task.kind == .tokenTagging
        precondition(prediction.rank == (perToken ? 3 : 2) && prediction.shape[1] == k
                         && prediction.shape[0] * (perToken ? prediction.shape[2] : 1) == labels.count,
                     "ClassificationMetric: prediction \(prediction.shape) does not match \(labels.count) labels of \(k) classes")
        for (t, p) in zip(labels, argmaxOverChannels(prediction)) where t != ignoreLabel {
            precondition(t >= 0 && t < k, "ClassificationMetric: label \(t) outside 0..<\(k) and not 255")
            total += 1
            if t == p {
                correct += 1
                truePositives[t] += 1
            } else {
                falsePositives[p] += 1
                falseNegatives[t] += 1
            }
        }
    }

    public func summary() -> MetricSummary {
        let f1s: [Double] = (0..<task.classes).compactMap { c in
            let denominator = 2 * truePositives[c] + falsePositives[c] + falseNegatives[c]
            return denominator == 0 ? nil : Double(2 * truePositives[c]) / Double(denominator)
        }
        let values: [String: Double] = [
            "accuracy": total == 0 ? .nan : Double(correct) / Double(total),
            "macroF1": f1s.isEmpty ? .nan : f1s.reduce(0, +) / Double(f1s.count),
        ]
        return MetricSummary(values: values, primaryName: "accuracy", higherIsBetter: true, samples: total)
    }
}
