import FedBoneLayers

/// Swin's downsampling between stages, as timm's `PatchMerging`: each 2×2 group of tokens is
/// concatenated (order (0,0), (1,0), (0,1), (1,1)), normalised, and reduced linearly:
/// `[B, H, W, C] → [B, ⌈H/2⌉, ⌈W/2⌉, 2C]` (odd sizes are padded with zeros first).
public final class PatchMerging: Module {
    public let norm: LayerNorm
    public let reduction: Linear

    /// Merging for `dim` input channels into `outDim` (default `2·dim`).
    public init(dim: Int, outDim: Int? = nil, generator: inout SeededGenerator) {
        norm = LayerNorm(4 * dim)
        reduction = Linear(4 * dim, outDim ?? 2 * dim, bias: false, generator: &generator)
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let padded = SwinWindows.padBottomRight(x, height: x.shape[1] % 2, width: x.shape[2] % 2)
        let b = padded.shape[0], h = padded.shape[1], w = padded.shape[2], c = padded.shape[3]
        let grouped = padded.reshaped([b, h / 2, 2, w / 2, 2, c]).permuted([0, 1, 3, 4, 2, 5]).reshaped([b, h / 2, w / 2, 4 * c])
        return reduction(norm(grouped))
    }
}
