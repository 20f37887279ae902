import Foundation
import FedBoneLayers

/// A task head (paper §3.5: convolution → normalisation → deconvolution/upsampling).
///
/// Dense tasks: 3×3 conv → BatchNorm → ReLU → 4×4 transposed conv (stride 2) → BatchNorm →
/// ReLU → 1×1 conv to the task's channels → bilinear upsampling to the image size, then the
/// task's output transform: depth is made positive (softplus), normals unit length, everything
/// else stays logits. Classification: LayerNorm per position → flatten → linear, a linear
/// read-out of the whole `h × w × D` map that keeps where each feature is (a global average pool
/// threw the layout away, and with it most of what tells small images apart: on 32×32 digits
/// a pooled head stayed at chance). Its weights start small (truncated normal, std 0.02, zero
/// bias, as timm's heads), so every class starts equally likely.
///
/// Input: adapted features `[B, h, w, D]`. Output: `[B, K, H, W]` (dense) or `[B, K]`.
public final class TaskHead: Module {
    /// The task.
    public let task: TaskSpec
    public let conv: Conv2d?
    public let bn1: BatchNorm2d?
    public let deconv: ConvTranspose2d?
    public let bn2: BatchNorm2d?
    /// The 1×1 convolution to the task's channels (dense tasks).
    public let classifier: Conv2d?
    public let norm: LayerNorm?
    /// The linear classifier (classification).
    public let fc: Linear?

    /// The grid of positions the classification read-out takes (`h × w` of its input).
    public let featureGrid: (height: Int, width: Int)

    /// A head for `task` over `width`-channel adapted features on a `featureGrid` grid (the
    /// general model's last-stage grid, ``SwinConfiguration/featureGrid(imageSize:)``).
    public init(task: TaskSpec, width: Int, featureGrid: (height: Int, width: Int), generator: inout SeededGenerator) {
        self.task = task
        self.featureGrid = featureGrid
        let k = task.outputChannels
        let dense = task.kind.isDense
        let half = Swift.max(width / 2, 1)
        conv = dense ? Conv2d(width, width, kernelSize: 3, padding: 1, bias: false, generator: &generator) : nil
        bn1 = dense ? BatchNorm2d(width) : nil
        deconv = dense ? ConvTranspose2d(width, half, kernelSize: 4, stride: 2, padding: 1, bias: false, generator: &generator) : nil
        bn2 = dense ? BatchNorm2d(half) : nil
        classifier = dense ? Conv2d(half, k, kernelSize: 1, generator: &generator) : nil
        norm = dense ? nil : LayerNorm(width)
        fc = dense ? nil : Linear(width * featureGrid.height * featureGrid.width, k, truncatedNormalStd: 0.02, generator: &generator)
        super.init()
    }

    /// Sets the bias of the last layer so that, before training, every output starts at
    /// `value` in the head's output space: metres for depth (through the softplus inverse), a
    /// logit for boundaries and saliency. One-channel dense tasks only; others are unchanged.
    public func setOutputPrior(_ value: Float) {
        guard let classifier, let bias = classifier.bias, task.outputChannels == 1 else { return }
        let raw: Float
        switch task.kind {
        case .depth:
            let m = Swift.max(value, 1e-3)
            raw = m > 20 ? m : Foundation.log(Foundation.expm1(m))
        case .boundaries, .saliency:
            raw = value
        default:
            return
        }
        try? bias.assign(Tensor(repeating: raw, shape: bias.shape))
    }

    /// Predictions for images of `imageSize` from adapted features `[B, h, w, D]`.
    public func callAsFunction(_ adapted: Tensor, imageSize: (height: Int, width: Int)) -> Tensor {
        if let fc, let norm {
            precondition(adapted.shape[1] == featureGrid.height && adapted.shape[2] == featureGrid.width,
                         "TaskHead: classification reads a \(featureGrid.height)×\(featureGrid.width) grid, got \(adapted.shape)")
            return fc(norm(adapted).reshaped([adapted.shape[0], -1]))
        }
        guard let conv, let bn1, let deconv, let bn2, let classifier else {
            preconditionFailure("TaskHead: dense head is missing its layers")
        }
        let x = adapted.permuted([0, 3, 1, 2])
        let y = bn2(deconv(bn1(conv(x)).relu())).relu()
        let logits = classifier(y).upsampleBilinear(size: (imageSize.height, imageSize.width))
        switch task.kind {
        case .depth:
            // softplus(x) = log(1 + eˣ), written stably as max(x, 0) + log(1 + e^−|x|).
            return logits.relu() + ((-logits.abs()).exp() + 1).log()
        case .normals:
            return logits / (logits.square().sum(axis: 1, keepDims: true) + 1e-12).sqrt()
        default:
            return logits
        }
    }
}
