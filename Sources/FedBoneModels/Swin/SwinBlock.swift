import FedBoneLayers

/// One Swin Transformer block, as timm's `SwinTransformerBlock`:
/// `x ← x + DropPath(W-MSA(LN(x)))`, `x ← x + DropPath(MLP(LN(x)))`, where W-MSA runs on a
/// cyclically shifted grid when `shift > 0`. Input and output are `[B, H, W, C]`.
///
/// The window (and with it the relative-position table) is fixed from the resolution given at
/// construction, as timm does: when that resolution is not larger than the configured window,
/// the window shrinks to it. The block then serves any input resolution: the shift is half
/// the window when the input is larger than the window and 0 otherwise (for the construction
/// resolution exactly timm's rule), and inputs that are not multiples of the window (or are
/// smaller than it) are padded at the bottom and right with zeros. Masks and token maps are
/// kept per input resolution.
public final class SwinBlock: Module {
    public let norm1: LayerNorm
    public let attn: WindowAttention
    public let norm2: LayerNorm
    public let mlp: MLP
    /// The resolution (tokens) the block was built for; it fixes ``window``.
    public let resolution: (height: Int, width: Int)
    /// Window actually used.
    public let window: (height: Int, width: Int)
    /// Shift at the construction resolution (``shift(for:)`` gives it for any resolution).
    public let shift: (height: Int, width: Int)
    /// Stochastic-depth probability.
    public let dropPathRate: Float
    private let shifted: Bool
    /// The stochastic-depth draws: one generator, or one per segment of a batched pass.
    private var generators: [SeededGenerator]
    /// Per input resolution: the shifted-window mask (nil when unshifted) and the token maps of
    /// the last batch size seen; at most ``maxCachedGrids`` resolutions are kept.
    private var geometries: [GridKey: Geometry] = [:]
    /// How many input resolutions keep their mask and maps (clients from outside choose them).
    private static let maxCachedGrids = 16

    private struct GridKey: Hashable {
        var height: Int
        var width: Int
    }

    private struct Geometry {
        var mask: Tensor?
        var maps: (batch: Int, partition: [Int], merge: [Int])?
    }

    /// Restarts the block's stochastic-depth draws from `generator`.
    func reseedDropPath(_ generator: SeededGenerator) { generators = [generator] }

    /// Restarts the block's draws with one generator per segment of the next batched pass
    /// (``BatchSegments``), segment k drawing its samples from `generators[k]`.
    func reseedDropPath(segments generators: [SeededGenerator]) { self.generators = generators }

    /// A block over a `resolution` grid of `dim` channels.
    public init(dim: Int, numHeads: Int, resolution: (height: Int, width: Int), windowSize: Int, shifted: Bool,
                mlpRatio: Float, dropPathRate: Float, generator: inout SeededGenerator) {
        self.resolution = resolution
        let wh = Swift.min(windowSize, resolution.height), ww = Swift.min(windowSize, resolution.width)
        window = (wh, ww)
        self.shifted = shifted
        shift = (shifted && resolution.height > wh ? wh / 2 : 0, shifted && resolution.width > ww ? ww / 2 : 0)
        self.dropPathRate = dropPathRate
        norm1 = LayerNorm(dim)
        attn = WindowAttention(dim: dim, numHeads: numHeads, window: window, generator: &generator)
        norm2 = LayerNorm(dim)
        mlp = MLP(inFeatures: dim, hiddenFeatures: Int(Float(dim) * mlpRatio), generator: &generator)
        generators = [generator.fork(UInt64(dim &* 131 &+ resolution.height))]
        super.init()
    }

    /// `[B, H, W, C] → [B, H, W, C]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let b = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
        precondition(x.rank == 4 && h > 0 && w > 0, "SwinBlock: expected [B, H, W, C] with H, W ≥ 1, got \(x.shape)")
        let attended = attention(norm1(x))
        var y = x + dropPath(attended)
        y = y + dropPath(mlp(norm2(y.reshaped([b, h * w, c])))).reshaped([b, h, w, c])
        return y
    }

    /// Shifted, padded windows → attention → back to the grid: two row copies in all
    /// (``Tensor/placedRows(_:)`` with the maps of ``SwinWindows/rowMaps(batch:height:width:window:shift:)``).
    private func attention(_ x: Tensor) -> Tensor {
        let b = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
        let (maps, mask) = geometry(batch: b, height: h, width: w)
        let windows = x.reshaped([b * h * w, c]).placedRows(maps.partition)
            .reshaped([-1, window.height * window.width, c])
        let attended = attn(windows, mask: mask)
        return attended.reshaped([-1, c]).placedRows(maps.merge).reshaped([b, h, w, c])
    }

    /// The shift for an `h × w` input: half the window along each axis where the block is
    /// shifted and the input is larger than the window.
    public func shift(for resolution: (height: Int, width: Int)) -> (height: Int, width: Int) {
        (shifted && resolution.height > window.height ? window.height / 2 : 0,
         shifted && resolution.width > window.width ? window.width / 2 : 0)
    }

    /// The token maps for `batch` images of `h × w` tokens and the mask, kept per resolution
    /// (the maps for the last batch size seen).
    private func geometry(batch: Int, height h: Int, width w: Int) -> (maps: (partition: [Int], merge: [Int]), mask: Tensor?) {
        let key = GridKey(height: h, width: w)
        let s = shift(for: (h, w))
        var entry = geometries[key] ?? Geometry(
            mask: s.height > 0 || s.width > 0
                ? SwinWindows.shiftedMask(height: (h + window.height - 1) / window.height * window.height,
                                          width: (w + window.width - 1) / window.width * window.width,
                                          window: window, shift: s)
                : nil,
            maps: nil)
        if let cached = entry.maps, cached.batch == batch { return ((cached.partition, cached.merge), entry.mask) }
        let maps = SwinWindows.rowMaps(batch: batch, height: h, width: w, window: (window.height, window.width), shift: (s.height, s.width))
        entry.maps = (batch, maps.partition, maps.merge)
        if geometries[key] == nil, geometries.count >= Self.maxCachedGrids { geometries.removeAll() }
        geometries[key] = entry
        return (maps, entry.mask)
    }

    private func dropPath(_ x: Tensor) -> Tensor {
        guard isTraining && dropPathRate > 0 else { return x }
        // Per segment when the pass is batched and seeded per segment; else all from the first.
        if let counts = BatchSegments.current?.counts, counts.count == generators.count, counts.count > 1 {
            return x.dropPath(probability: dropPathRate, generators: &generators, counts: counts)
        }
        return x.dropPath(probability: dropPathRate, generator: &generators[0])
    }
}
