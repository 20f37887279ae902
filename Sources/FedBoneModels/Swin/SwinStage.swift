import FedBoneLayers

/// One stage of the general model: an optional ``PatchMerging`` (every stage but the first),
/// then blocks that alternate regular and shifted windows. Named as timm's
/// `SwinTransformerStage` (`downsample`, `blocks.N`).
public final class SwinStage: Module {
    public let downsample: PatchMerging?
    public let blocks: [SwinBlock]

    /// A stage whose blocks see a `resolution` grid of `dim` channels; `inDim` is the previous
    /// stage's width when the stage downsamples.
    public init(inDim: Int?, dim: Int, depth: Int, numHeads: Int, resolution: (height: Int, width: Int),
                windowSize: Int, mlpRatio: Float, dropPathRates: [Float], generator: inout SeededGenerator) {
        downsample = inDim.map { PatchMerging(dim: $0, outDim: dim, generator: &generator) }
        var blocks: [SwinBlock] = []
        for i in 0..<depth {
            blocks.append(SwinBlock(dim: dim, numHeads: numHeads, resolution: resolution, windowSize: windowSize,
                                    shifted: i % 2 == 1, mlpRatio: mlpRatio, dropPathRate: dropPathRates[i],
                                    generator: &generator))
        }
        self.blocks = blocks
        super.init()
    }

    /// `[B, H, W, C_in] → [B, H', W', C]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        blocks.reduce(downsample.map { $0(x) } ?? x) { $1($0) }
    }
}
