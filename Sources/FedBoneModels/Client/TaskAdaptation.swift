import FedBoneLayers

/// Widths of the client's task adaptation module (paper §3.5).
public struct AdaptationConfiguration: Sendable, Equatable, Codable {
    /// Channels after the linear reduction (default 64).
    public var width: Int
    /// Attention heads (default 4).
    public var heads: Int
    /// Side of the deformable kernel (default 3).
    public var kernelSize: Int
    /// Whether the module is there (default). Off, only its linear reduction to `width` is
    /// left between the general model and the head: the ablation without task adaptation.
    public var enabled: Bool

    public init(width: Int = 64, heads: Int = 4, kernelSize: Int = 3, enabled: Bool = true) {
        self.width = width
        self.heads = heads
        self.kernelSize = kernelSize
        self.enabled = enabled
    }

    /// Throws when the widths cannot build a module.
    public func validate() throws {
        guard width > 0, heads > 0, width % heads == 0 else {
            throw ModelError.invalidConfiguration("adaptation width \(width) must be positive and divisible by heads \(heads)")
        }
        guard kernelSize > 0, kernelSize % 2 == 1 else {
            throw ModelError.invalidConfiguration("adaptation kernelSize must be odd and positive, got \(kernelSize)")
        }
    }
}

/// The task adaptation module of FedBone (paper §3.5): it turns the general model's features
/// into task-specific features on the client.
///
/// `[B, h, w, C_f]` → linear reduction to `D` → 1×1 conv → GELU → deformable conv (offsets
/// from a conv over the same input) → GELU → residual add (with the reduced input) → a pre-norm
/// self-attention block over the `h·w` tokens, `x + attention(LayerNorm(x))` → linear →
/// `[B, h, w, D]`.
///
/// The attention has a residual path like every transformer block: at initialisation its
/// weights are nearly uniform, so without one every position left the module holding the same
/// average of the map (measured on 32×32 digits: the features' spread across images fell from
/// 0.49 to 0.013 through the module, and classification stayed at chance).
///
/// With ``AdaptationConfiguration/enabled`` off the module is only `reduce` (the ablation).
public final class TaskAdaptation: Module {
    public let reduce: Linear
    /// The module past the reduction (nil when it is switched off).
    public let body: Body?

    /// The convolutions, attention and projection after the reduction.
    public final class Body: Module {
        public let pointwise: Conv2d
        public let deform: DeformableConv2d
        public let norm: LayerNorm
        public let attn: MultiHeadSelfAttention
        public let proj: Linear

        init(width d: Int, configuration: AdaptationConfiguration, generator: inout SeededGenerator) {
            let k = configuration.kernelSize
            pointwise = Conv2d(d, d, kernelSize: 1, generator: &generator)
            deform = DeformableConv2d(d, d, kernelSize: k, padding: k / 2, generator: &generator)
            norm = LayerNorm(d)
            attn = MultiHeadSelfAttention(dim: d, heads: configuration.heads, generator: &generator)
            proj = Linear(d, d, generator: &generator)
            super.init()
        }
    }

    /// An adaptation of `featureDim`-channel features.
    public init(featureDim: Int, configuration: AdaptationConfiguration, generator: inout SeededGenerator) {
        reduce = Linear(featureDim, configuration.width, generator: &generator)
        body = configuration.enabled ? Body(width: configuration.width, configuration: configuration, generator: &generator) : nil
        super.init()
    }

    /// The body's modules carry the names they had before it was split out (`adaptation.pointwise.*`, …).
    override public func children() -> [(name: String, module: Module)] {
        [("reduce", reduce)] + (body?.children() ?? [])
    }

    /// `[B, h, w, C_f] → [B, h, w, D]`.
    public func callAsFunction(_ features: Tensor) -> Tensor {
        let b = features.shape[0], h = features.shape[1], w = features.shape[2]
        guard let body else { return reduce(features) }
        let reduced = reduce(features).permuted([0, 3, 1, 2])
        let local = body.deform(body.pointwise(reduced).gelu()).gelu() + reduced
        let d = local.shape[1]
        let tokens = local.permuted([0, 2, 3, 1]).reshaped([b, h * w, d])
        return body.proj(tokens + body.attn(body.norm(tokens))).reshaped([b, h, w, d])
    }
}
