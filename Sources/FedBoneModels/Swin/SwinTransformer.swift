import FedBoneLayers

/// The server's general model: the Swin Transformer stages after the patch embedding, and the
/// final norm. Parameter names match timm's `swin_transformer` state dict (`layers.N…`, `norm`),
/// so a timm checkpoint without its `patch_embed.*` (client side) and `head.*` keys loads.
///
/// Input: patch embeddings `[B, H/p, W/p, C]` (NHWC, as timm's patch embedding emits) of any
/// image size that is a multiple of the patch size `p`: the model is built for one reference
/// size (``gridSize``; it fixes each stage's window, as timm does), and serves other sizes with
/// padded windows, so clients with images of different sizes share one general model.
/// Output: the last stage's normalised features `[B, H/(p·2^(S−1)), W/(p·2^(S−1)), C·2^(S−1)]`,
/// or with ``features(_:)`` every stage's map (multi-scale; the last one normalised).
public final class SwinTransformer: Module {
    public let layers: [SwinStage]
    public let norm: LayerNorm
    /// The configuration it was built from.
    public let configuration: SwinConfiguration
    /// The reference embedding grid it was built for (image size / patch size).
    public let gridSize: (height: Int, width: Int)

    /// A general model for images of `imageSize` pixels.
    /// - Throws: ``ModelError`` when the configuration is invalid or the image is smaller than
    ///   one patch.
    public init(_ configuration: SwinConfiguration, imageSize: (height: Int, width: Int), seed: UInt64) throws {
        try configuration.validate()
        let grid = try Self.embeddingShape(configuration, imageSize: imageSize)
        self.configuration = configuration
        gridSize = (grid[0], grid[1])
        var generator = SeededGenerator(seed: seed)
        let total = configuration.depths.reduce(0, +)
        let rates = (0..<total).map { total > 1 ? configuration.dropPathRate * Float($0) / Float(total - 1) : 0 }
        var stages: [SwinStage] = []
        var resolution = gridSize
        var first = 0
        for (i, depth) in configuration.depths.enumerated() {
            if i > 0 { resolution = ((resolution.height + 1) / 2, (resolution.width + 1) / 2) }
            stages.append(SwinStage(
                inDim: i > 0 ? configuration.dim(stage: i - 1) : nil, dim: configuration.dim(stage: i), depth: depth,
                numHeads: configuration.numHeads[i], resolution: resolution, windowSize: configuration.windowSize,
                mlpRatio: configuration.mlpRatio, dropPathRates: Array(rates[first..<(first + depth)]),
                generator: &generator))
            first += depth
        }
        layers = stages
        norm = LayerNorm(configuration.featureDim)
        super.init()
        // timm's init_weights: every linear layer gets weight ~ truncated N(0, 0.02²), bias 0.
        for case let linear as Linear in modules() {
            try linear.weight.assign(.truncatedNormal(linear.weight.shape, std: 0.02, a: -0.04, b: 0.04, generator: &generator))
            if let bias = linear.bias { try bias.assign(.zeros(bias.shape)) }
        }
    }

    /// Restarts every block's stochastic-depth draws from `generator` (block i of the whole
    /// network from `generator.fork(i)`), so that a training step's drop-path masks depend only
    /// on what the caller derives the generator from (the server: seed, round, client, step),
    /// not on how many steps the model ran before: a resumed run then draws what an
    /// uninterrupted one did. No effect with a `dropPathRate` of 0.
    public func reseedDropPath(_ generator: SeededGenerator) {
        for (i, block) in layers.flatMap(\.blocks).enumerated() { block.reseedDropPath(generator.fork(UInt64(i))) }
    }

    /// ``reseedDropPath(_:)`` per segment of the next batched pass (block i of segment k from
    /// `generators[k].fork(i)`).
    public func reseedDropPath(segments generators: [SeededGenerator]) {
        for (i, block) in layers.flatMap(\.blocks).enumerated() { block.reseedDropPath(segments: generators.map { $0.fork(UInt64(i)) }) }
    }

    /// The embedding shape of a batch of `batch` reference-size images: `[batch, H/p, W/p, embedDim]`.
    public func inputShape(batch: Int) -> [Int] { [batch, gridSize.height, gridSize.width, configuration.embedDim] }

    /// The embedding shape of one image of `imageSize` pixels: `[H/p, W/p, embedDim]`.
    /// - Throws: ``ModelError/invalidConfiguration(_:)`` when the size is not a positive
    ///   multiple of the patch size.
    public func embeddingShape(imageSize: (height: Int, width: Int)) throws -> [Int] {
        try Self.embeddingShape(configuration, imageSize: imageSize)
    }

    /// The embedding shape of one image of `imageSize` pixels for a model of `configuration`
    /// (``GeneralModelConfiguration/embeddingShape(imageSize:)``).
    /// - Throws: ``ModelError/invalidConfiguration(_:)`` when the size is not a positive
    ///   multiple of the patch size.
    public static func embeddingShape(_ configuration: SwinConfiguration, imageSize: (height: Int, width: Int)) throws -> [Int] {
        try GeneralModelConfiguration.swin(configuration).embeddingShape(imageSize: imageSize)
    }

    /// Checks the shape one sample's embeddings will have (e.g. a client's, stated when it
    /// joins): `[h, w, embedDim]` with `h, w ≥ 1`.
    /// - Throws: ``ModelError/badInput(_:)`` saying what the model takes.
    public func validate(embeddingShape shape: [Int]) throws {
        guard shape.count == 3, shape[0] >= 1, shape[1] >= 1, shape[2] == configuration.embedDim else {
            throw ModelError.badInput(
                "embeddings of one sample must be [H/\(configuration.patchSize), W/\(configuration.patchSize), \(configuration.embedDim)] (a patch grid of at least 1×1 and the general model's \(configuration.embedDim) channels), got \(shape)")
        }
    }

    /// Checks embeddings from outside (e.g. a network message) before they reach the model.
    /// - Throws: ``ModelError/badInput(_:)`` naming the expected and actual shapes.
    public func validate(embeddings: Tensor) throws {
        guard embeddings.rank == 4, embeddings.shape[0] > 0 else {
            throw ModelError.badInput("embeddings must be [B, H/\(configuration.patchSize), W/\(configuration.patchSize), \(configuration.embedDim)] with B ≥ 1, got \(embeddings.shape)")
        }
        try validate(embeddingShape: Array(embeddings.shape.dropFirst()))
        try embeddings.checkFinite(name: "embeddings")
    }

    /// The feature shape of one sample whose embeddings are `[h, w, embedDim]`: the last
    /// stage's grid (each merge halves it, rounding up) and ``SwinConfiguration/featureDim``.
    public func featureShape(embeddingShape shape: [Int]) -> [Int] {
        var h = shape[0], w = shape[1]
        for _ in 1..<layers.count { (h, w) = ((h + 1) / 2, (w + 1) / 2) }
        return [h, w, configuration.featureDim]
    }

    /// The last stage's normalised features.
    public func callAsFunction(_ embeddings: Tensor) -> Tensor {
        features(embeddings).last!
    }

    /// Every stage's output, first to last; the last is normalised (timm's `forward_features`).
    public func features(_ embeddings: Tensor) -> [Tensor] {
        precondition(embeddings.rank == 4 && embeddings.shape[1] > 0 && embeddings.shape[2] > 0 && embeddings.shape[3] == configuration.embedDim,
                     "SwinTransformer: embeddings must be [B, H, W, \(configuration.embedDim)], got \(embeddings.shape)")
        var maps: [Tensor] = []
        var x = embeddings
        for stage in layers {
            x = stage(x)
            maps.append(x)
        }
        maps[maps.count - 1] = norm(x)
        return maps
    }
}
