import Foundation
import FedBoneModels
import FedBoneTensor

/// FedEM (Marfoq, Neglia, Bellet, Kameni and Vidal, NeurIPS 2021): federated multi-task learning
/// under a mixture of distributions. M shared components h_1…h_M (whole models, each averaged
/// over the clients as FedAvg averages one); each client t keeps mixture weights π_t over them.
/// A round of client t, on the mini-batches it draws:
/// - E-step: for every sample i, q(m | i) ∝ π_tm · exp(−ℓ(h_m(x_i), y_i)), with the
///   components as they arrived;
/// - M-step: π_tm ← mean_i q(m | i), then each component trains on the loss
///   (1/B) Σ_i q(m | i) ℓ(h_m(x_i), y_i) of each mini-batch.
/// The client predicts with the mixture Σ_m π_tm h_m: of class probabilities for the
/// classification-like tasks (returned as log-probabilities, so argmax and cross-entropy apply),
/// of foreground probabilities for the binary maps (returned as logits), and of the values for
/// depth and normals. These are the rules, on plain arrays and tensors.
public enum FedEM {
    /// The E-step: `losses[i][m]` (sample i, component m) and weights π → q(m | i) per sample,
    /// computed in log space (a loss of 1000 does not underflow to 0/0).
    public static func responsibilities(losses: [[Double]], weights: [Double]) -> [[Double]] {
        losses.map { row in
            precondition(row.count == weights.count, "FedEM.responsibilities: \(row.count) losses for \(weights.count) components")
            let logits = zip(row, weights).map { loss, pi in pi > 0 ? log(pi) - loss : -Double.infinity }
            let top = logits.max() ?? 0
            guard top.isFinite else { return weights.map { _ in 1 / Double(weights.count) } }
            let e = logits.map { exp($0 - top) }
            let total = e.reduce(0, +)
            return e.map { $0 / total }
        }
    }

    /// The M-step of the mixture weights: the mean responsibility of each component.
    public static func mixtureWeights(_ responsibilities: [[Double]]) -> [Double] {
        guard let first = responsibilities.first else { return [] }
        var sum = [Double](repeating: 0, count: first.count)
        for row in responsibilities { for m in row.indices { sum[m] += row[m] } }
        return sum.map { $0 / Double(responsibilities.count) }
    }

    /// The mixture of the components' predictions `[B, C, …]` (raw head outputs) with weights π
    /// for `task` (see ``FedEM``).
    public static func mixture(task: TaskKind, predictions: [Tensor], weights: [Double]) -> Tensor {
        precondition(!predictions.isEmpty && predictions.count == weights.count, "FedEM.mixture: one weight per prediction")
        let shape = predictions[0].shape
        precondition(predictions.allSatisfy { $0.shape == shape }, "FedEM.mixture: predictions of different shapes")
        var out = [Double](repeating: 0, count: predictions[0].count)
        switch task {
        case .segmentation, .parts, .classification, .textClassification, .tokenTagging:
            for (p, pi) in zip(predictions, weights) {
                let probabilities = p.softmax(axis: 1).scalars
                for j in out.indices { out[j] += pi * Double(probabilities[j]) }
            }
            return Tensor(uncheckedShape: shape, scalars: out.map { Float(log(max($0, 1e-30))) })
        case .boundaries, .saliency:
            for (p, pi) in zip(predictions, weights) {
                for (j, z) in p.scalars.enumerated() { out[j] += pi / (1 + exp(-Double(z))) }
            }
            return Tensor(uncheckedShape: shape, scalars: out.map { q in
                let c = min(max(q, 1e-7), 1 - 1e-7)
                return Float(log(c / (1 - c)))
            })
        case .depth, .normals:
            for (p, pi) in zip(predictions, weights) {
                for (j, z) in p.scalars.enumerated() { out[j] += pi * Double(z) }
            }
            return Tensor(uncheckedShape: shape, scalars: out.map { Float($0) })
        }
    }

    /// Each sample's loss of `task` (a scalar tensor per sample of the batch, differentiable).
    public static func sampleLosses(task: TaskSpec, prediction: Tensor, target: TaskTarget, options: TaskLossOptions) -> [Tensor] {
        let batch = prediction.shape[0]
        return (0..<batch).map { i in
            let sample: TaskTarget
            switch target {
            case .labels(let labels):
                let per = labels.count / batch
                sample = .labels(Array(labels[i * per..<(i + 1) * per]))
            case .map(let map):
                sample = .map(map.slice(axis: 0, i..<i + 1))
            }
            return taskLoss(task: task, prediction: prediction.slice(axis: 0, i..<i + 1), target: sample, options: options)
        }
    }
}
