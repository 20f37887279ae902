import FedBoneLayers

/// One Swin Transformer block, as timm's `SwinTransformerBlock`:
/// `x ← x + DropPath(W-MSA(LN(x)))`, `x ← x + DropPath(MLP(LN(x)))`, where W-MSA runs on a
/// cyclically shifted grid when `shift > 0`. Input and output are `[B, H, W, C]`.
///
/// The window and shift are fixed from the input resolution at construction, as timm does:
/// when the resolution is not larger than the window, the window shrinks to the resolution and
/// the shift is 0. Resolutions that are not multiples of the window are padded at the bottom
/// and right with zeros.
public final class SwinBlock: Module {
    public let norm1: LayerNorm
    public let attn: WindowAttention
    public let norm2: LayerNorm
    public let mlp: MLP
    /// Input resolution (tokens).
    public let resolution: (height: Int, width: Int)
    /// Window and shift actually used.
    public let window: (height: Int, width: Int)
    public let shift: (height: Int, width: Int)
    /// Stochastic-depth probability.
    public let dropPathRate: Float
    private let mask: Tensor?
    private var generator: SeededGenerator

    /// A block over a `resolution` grid of `dim` channels.
    public init(dim: Int, numHeads: Int, resolution: (height: Int, width: Int), windowSize: Int, shifted: Bool,
                mlpRatio: Float, dropPathRate: Float, generator: inout SeededGenerator) {
        self.resolution = resolution
        let wh = Swift.min(windowSize, resolution.height), ww = Swift.min(windowSize, resolution.width)
        window = (wh, ww)
        shift = (shifted && resolution.height > windowSize ? windowSize / 2 : 0,
                 shifted && resolution.width > windowSize ? windowSize / 2 : 0)
        self.dropPathRate = dropPathRate
        norm1 = LayerNorm(dim)
        attn = WindowAttention(dim: dim, numHeads: numHeads, window: window, generator: &generator)
        norm2 = LayerNorm(dim)
        mlp = MLP(inFeatures: dim, hiddenFeatures: Int(Float(dim) * mlpRatio), generator: &generator)
        let paddedH = (resolution.height + wh - 1) / wh * wh, paddedW = (resolution.width + ww - 1) / ww * ww
        mask = shift.height > 0 || shift.width > 0
            ? SwinWindows.shiftedMask(height: paddedH, width: paddedW, window: window, shift: shift) : nil
        self.generator = generator.fork(UInt64(dim &* 131 &+ resolution.height))
        super.init()
    }

    /// `[B, H, W, C] → [B, H, W, C]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let b = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
        precondition(h == resolution.height && w == resolution.width,
                     "SwinBlock: built for \(resolution.height)×\(resolution.width) tokens, got \(h)×\(w)")
        let attended = attention(norm1(x))
        var y = x + dropPath(attended)
        y = y + dropPath(mlp(norm2(y.reshaped([b, h * w, c])))).reshaped([b, h, w, c])
        return y
    }

    private func attention(_ x: Tensor) -> Tensor {
        let h = x.shape[1], w = x.shape[2]
        var shifted = x
        if shift.height > 0 { shifted = shifted.rolled(-shift.height, axis: 1) }
        if shift.width > 0 { shifted = shifted.rolled(-shift.width, axis: 2) }
        let padH = (window.height - h % window.height) % window.height
        let padW = (window.width - w % window.width) % window.width
        shifted = SwinWindows.padBottomRight(shifted, height: padH, width: padW)
        let windows = SwinWindows.partition(shifted, height: window.height, width: window.width)
        let attended = attn(windows, mask: mask)
        var merged = SwinWindows.reverse(attended, height: window.height, width: window.width,
                                         imageHeight: h + padH, imageWidth: w + padW)
        if padH > 0 { merged = merged.slice(axis: 1, 0..<h) }
        if padW > 0 { merged = merged.slice(axis: 2, 0..<w) }
        if shift.height > 0 { merged = merged.rolled(shift.height, axis: 1) }
        if shift.width > 0 { merged = merged.rolled(shift.width, axis: 2) }
        return merged
    }

    private func dropPath(_ x: Tensor) -> Tensor {
        guard isTraining && dropPathRate > 0 else { return x }
        return x.dropPath(probability: dropPathRate, generator: &generator)
    }
}
