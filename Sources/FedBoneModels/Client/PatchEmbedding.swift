import FedBoneLayers

/// The client's patch embedding (Swin's `patch_embed`): a `p×p` convolution with stride `p`
/// that turns each image patch into a `C`-channel token, then a LayerNorm over channels.
///
/// `[B, 3, H, W] → [B, H/p, W/p, C]` (NHWC, what the general model takes). Names `proj.*` and
/// `norm.*` as timm's `PatchEmbed`.
public final class PatchEmbedding: Module {
    public let proj: Conv2d
    public let norm: LayerNorm

    /// An embedding of `inChannels`-channel images into `embedDim` channels with `patchSize` patches.
    public init(inChannels: Int = 3, embedDim: Int, patchSize: Int, generator: inout SeededGenerator) {
        proj = Conv2d(inChannels, embedDim, kernelSize: patchSize, stride: patchSize, generator: &generator)
        norm = LayerNorm(embedDim)
        super.init()
    }

    /// `[B, C_in, H, W] → [B, H/p, W/p, C]`.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        norm(proj(images).permuted([0, 2, 3, 1]))
    }

    /// The patch tokens with `positions` (`[1, H/p, W/p, C]`, a transformer client's
    /// `pos_embed`) added; without positions, the tokens alone.
    public func callAsFunction(_ images: Tensor, positions: Parameter?) -> Tensor {
        let tokens = callAsFunction(images)
        guard let positions else { return tokens }
        return tokens + positions.value
    }
}
