import FedBoneLayers

/// The ground truth for one batch of one task.
public enum TaskTarget {
    /// Class indices: `B·H·W` for segmentation and parts (row-major, 255 = ignore), `B` for
    /// classification and text classification, `B·L` for token tagging (255 = ignore).
    case labels([Int])
    /// A dense map `[B, K, H, W]`: depth in metres (0 = invalid), unit normals (0 = invalid),
    /// boundary or saliency masks in {0, 1}.
    case map(Tensor)
}

/// How a task's loss is computed (the options of DESIGN §2's task losses).
public struct TaskLossOptions: Sendable, Equatable, Codable {
    /// Loss on normals.
    public enum NormalsLoss: String, Sendable, Codable { case l1, cosine }
    /// `l1` (default) on the normalised prediction, or `cosine` (1 − cos).
    public var normals: NormalsLoss
    /// Weight of positive pixels in the boundary BCE (default 19 = 0.95/0.05, as the multi-task
    /// dense-prediction benchmarks weight the rare boundary pixels).
    public var boundaryPositiveWeight: Float

    public init(normals: NormalsLoss = .l1, boundaryPositiveWeight: Float = 19) {
        self.normals = normals
        self.boundaryPositiveWeight = boundaryPositiveWeight
    }
}

/// The loss of `prediction` (a ``TaskHead`` output) against `target` for `task`:
/// cross-entropy with ignore index 255 for segmentation, parts, classification and both text
/// tasks (token tagging's padded and continuation tokens carry 255); L1 on valid
/// pixels (depth > 0) for depth; L1 or 1 − cosine on valid pixels (non-zero normals) for
/// normals; weighted BCE with logits for boundaries; BCE with logits for saliency.
public func taskLoss(task: TaskSpec, prediction: Tensor, target: TaskTarget, options: TaskLossOptions = .init()) -> Tensor {
    switch (task.kind, target) {
    case (.segmentation, .labels(let labels)), (.parts, .labels(let labels)), (.classification, .labels(let labels)),
         (.textClassification, .labels(let labels)), (.tokenTagging, .labels(let labels)):
        return Loss.crossEntropy(logits: prediction, targets: labels, ignoreIndex: 255)
    case (.depth, .map(let depth)):
        return Loss.l1(prediction, depth, mask: validMask(depth))
    case (.normals, .map(let normals)):
        let valid = validMask(normals.square().sum(axis: 1, keepDims: true))
        switch options.normals {
        case .l1:
            return Loss.l1(prediction, normals, mask: valid)
        case .cosine:
            let cosine = Loss.cosineSimilarity(prediction, normals, axis: 1).reshaped(valid.shape)
            let count = Swift.max(valid.scalars.reduce(0, +), 1)
            return ((1 - cosine) * valid).sum() / count
        }
    case (.boundaries, .map(let edges)):
        return Loss.binaryCrossEntropyWithLogits(prediction, edges, positiveWeight: options.boundaryPositiveWeight)
    case (.saliency, .map(let mask)):
        return Loss.binaryCrossEntropyWithLogits(prediction, mask)
    default:
        preconditionFailure("taskLoss: task \(task.kind.rawValue) does not take this kind of target")
    }
}

/// 1 where `x > 0`, else 0 (no gradient).
private func validMask(_ x: Tensor) -> Tensor {
    (try? Tensor(shape: x.shape, scalars: x.scalars.map { $0 > 0 ? 1 : 0 })) ?? .zeros(x.shape)
}
