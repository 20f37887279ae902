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
    private var cachedMaps: (batch: Int, partition: [Int], merge: [Int])?

    /// Restarts the block's stochastic-depth draws from `generator`.
    func reseedDropPath(_ generator: SeededGenerator) { self.generator = generator }

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

    /// Shifted, padded windows → attention → back to the grid: two row copies in all
    /// (``Tensor/placedRows(_:)`` with the maps of ``SwinWindows/rowMaps(batch:height:width:window:shift:)``).
    private func attention(_ x: Tensor) -> Tensor {
        let b = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
        let maps = rowMaps(batch: b)
        let windows = x.reshaped([b * h * w, c]).placedRows(maps.partition)
            .reshaped([-1, window.height * window.width, c])
        let attended = attn(windows, mask: mask)
        return attended.reshaped([-1, c]).placedRows(maps.merge).reshaped([b, h, w, c])
    }

    /// The row maps for `batch` images, kept for the last batch size seen.
    private func rowMaps(batch: Int) -> (partition: [Int], merge: [Int]) {
        if let cached = cachedMaps, cached.batch == batch { return (cached.partition, cached.merge) }
        let maps = SwinWindows.rowMaps(batch: batch, height: resolution.height, width: resolution.width,
                                       window: (window.height, window.width), shift: (shift.height, shift.width))
        cachedMaps = (batch, maps.partition, maps.merge)
        return maps
    }

    private func dropPath(_ x: Tensor) -> Tensor {
        guard isTraining && dropPathRate > 0 else { return x }
        return x.dropPath(probability: dropPathRate, generator: &generator)
    }
}
