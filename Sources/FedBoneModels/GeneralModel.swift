import FedBoneLayers

/// The server's general model, whichever kind it is (``GeneralModelConfiguration``): what the
/// split server, the baselines' whole models, checkpoints and the cost table need of it.
///
/// Embeddings are one sample's tokens with a leading batch axis: an image client's patch grid
/// `[B, h, w, C]`, or (transformer only) a token sequence `[B, L, C]`. Features have the shape
/// ``featureShape(embeddingShape:)`` gives.
public protocol GeneralModel: Module {
    /// What it was built from.
    var generalConfiguration: GeneralModelConfiguration { get }
    /// The reference image size it was built for (replicas are built alike).
    var referenceImageSize: (height: Int, width: Int) { get }
    /// Checks the shape one sample's embeddings will have (e.g. a client's, stated at Join).
    /// - Throws: ``ModelError/badInput(_:)`` saying what the model takes.
    func validate(embeddingShape: [Int]) throws
    /// Checks embeddings from outside (a network message) before they reach the model.
    /// - Throws: ``ModelError/badInput(_:)`` naming the expected and actual shapes.
    func validate(embeddings: Tensor) throws
    /// Checks embeddings and, for token sequences `[B, L, C]`, each sample's real length
    /// (1...L; nil: all L) before they reach the model.
    /// - Throws: ``ModelError/badInput(_:)`` saying what is wrong (Swin takes no sequences).
    func validate(embeddings: Tensor, lengths: [Int]?) throws
    /// The feature shape of one sample whose embeddings have `embeddingShape`.
    func featureShape(embeddingShape: [Int]) -> [Int]
    /// The general model's features of a batch of embeddings.
    func callAsFunction(_ embeddings: Tensor) -> Tensor
    /// The features of a batch of token sequences padded past `lengths` (nil: no padding; a
    /// patch grid takes nil), which no token attends to.
    func callAsFunction(_ embeddings: Tensor, lengths: [Int]?) -> Tensor
    /// Restarts the stochastic-depth draws from `generator` (see ``SwinTransformer/reseedDropPath(_:)``).
    func reseedDropPath(_ generator: SeededGenerator)
    /// Restarts the draws of the next batched pass (``BatchSegments``) with one generator per
    /// segment: segment k draws what ``reseedDropPath(_:)`` with `generators[k]` would draw for
    /// its samples alone.
    func reseedDropPath(segments generators: [SeededGenerator])
}

extension GeneralModel {
    /// The embedding shape of a batch of `batch` reference-size images.
    public func inputShape(batch: Int) -> [Int] {
        let c = generalConfiguration, p = c.patchSize
        return [batch, referenceImageSize.height / p, referenceImageSize.width / p, c.embedDim]
    }

    /// A fresh model of the same kind and shape (a replica), seeded by `seed`.
    public func sameShape(seed: UInt64) throws -> any GeneralModel {
        try generalConfiguration.makeModel(imageSize: referenceImageSize, seed: seed)
    }
}

/// Which general model the server holds and its sizes (`model.general` in a config).
public enum GeneralModelConfiguration: Sendable, Equatable {
    /// A Swin Transformer (vision only; multi-scale, patch merging): ``SwinTransformer``.
    case swin(SwinConfiguration)
    /// A pre-norm transformer encoder over tokens (images and text): ``TransformerEncoder``.
    case transformer(TransformerConfiguration)

    /// `swin` or `transformer`, as `model.general.kind` names it.
    public var kind: String {
        switch self {
        case .swin: return "swin"
        case .transformer: return "transformer"
        }
    }

    /// The channels of the embeddings it takes.
    public var embedDim: Int {
        switch self {
        case let .swin(c): return c.embedDim
        case let .transformer(c): return c.embedDim
        }
    }

    /// The side of the image patch an image client's patch embedding turns into one token.
    public var patchSize: Int {
        switch self {
        case let .swin(c): return c.patchSize
        case let .transformer(c): return c.patchSize
        }
    }

    /// The channels of its features.
    public var featureDim: Int {
        switch self {
        case let .swin(c): return c.featureDim
        case let .transformer(c): return c.embedDim
        }
    }

    /// The feature grid of an `imageSize` image: Swin's last stage, or the transformer's patch grid.
    public func featureGrid(imageSize: (height: Int, width: Int)) -> (height: Int, width: Int) {
        switch self {
        case let .swin(c): return c.featureGrid(imageSize: imageSize)
        case let .transformer(c): return (imageSize.height / c.patchSize, imageSize.width / c.patchSize)
        }
    }

    /// The embedding shape of one `imageSize` image, `[H/p, W/p, embedDim]`.
    /// - Throws: ``ModelError/invalidConfiguration(_:)`` when the size is not a positive
    ///   multiple of the patch size.
    public func embeddingShape(imageSize: (height: Int, width: Int)) throws -> [Int] {
        let p = patchSize
        guard imageSize.height >= p, imageSize.width >= p, imageSize.height % p == 0, imageSize.width % p == 0 else {
            throw ModelError.invalidConfiguration(
                "image size \(imageSize.height)×\(imageSize.width) cannot feed the general model: it must be a positive multiple of the patch size \(p)")
        }
        return [imageSize.height / p, imageSize.width / p, embedDim]
    }

    /// The embedding shape one sample of `input` gives a client: the patch grid of an image
    /// (``embeddingShape(imageSize:)``), or `[maxLength, embedDim]` for token sequences.
    /// - Throws: ``ModelError/invalidConfiguration(_:)`` for an image size the patches do not
    ///   tile, or token sequences for a model that takes none (Swin).
    public func embeddingShape(input: InputDescription) throws -> [Int] {
        switch input {
        case let .images(height, width):
            return try embeddingShape(imageSize: (height, width))
        case let .tokens(_, maxLength):
            guard takesSequences else {
                throw ModelError.invalidConfiguration("a \(kind) general model takes image patch grids, not token sequences; text clients need model.general.kind: transformer")
            }
            return [maxLength, embedDim]
        }
    }

    /// The stochastic-depth rate of the last block.
    public var dropPathRate: Float {
        switch self {
        case let .swin(c): return c.dropPathRate
        case let .transformer(c): return c.dropPathRate
        }
    }

    /// Whether image clients add a learned position embedding to their patch tokens: the
    /// transformer has no notion of where a token sits; Swin's windows and relative-position
    /// biases carry it.
    public var needsPositionEmbedding: Bool {
        if case .transformer = self { return true }
        return false
    }

    /// Whether it takes token sequences `[B, L, C]` with padding (text clients): the transformer.
    public var takesSequences: Bool {
        if case .transformer = self { return true }
        return false
    }

    /// Throws ``ModelError/invalidConfiguration(_:)`` when the sizes cannot build a model.
    public func validate() throws {
        switch self {
        case let .swin(c): try c.validate()
        case let .transformer(c): try c.validate()
        }
    }

    /// A model of this configuration for `imageSize` reference images (Swin fixes its windows from it).
    public func makeModel(imageSize: (height: Int, width: Int), seed: UInt64) throws -> any GeneralModel {
        switch self {
        case let .swin(c): return try SwinTransformer(c, imageSize: imageSize, seed: seed)
        case let .transformer(c): return try TransformerEncoder(c, referenceImageSize: imageSize, seed: seed)
        }
    }

    /// The presets of both kinds by name (`swin-t`, `swin-b`, `vit-tiny`, `vit-base`, …).
    public static var presetNames: [String] {
        (Array(SwinConfiguration.presets.keys) + Array(TransformerConfiguration.presets.keys)).sorted()
    }

    /// The preset called `name`, of either kind.
    /// - Throws: ``ModelError/unknownModel(_:known:)`` naming every preset.
    public static func named(_ name: String) throws -> GeneralModelConfiguration {
        if let c = SwinConfiguration.presets[name] { return .swin(c) }
        if let c = TransformerConfiguration.presets[name] { return .transformer(c) }
        throw ModelError.unknownModel(name, known: presetNames)
    }
}

extension SwinTransformer: GeneralModel {
    public var generalConfiguration: GeneralModelConfiguration { .swin(configuration) }

    public func validate(embeddings: Tensor, lengths: [Int]?) throws {
        guard lengths == nil else {
            throw ModelError.badInput("a Swin general model takes image patch grids, not token sequences; text clients need model.general.kind: transformer")
        }
        try validate(embeddings: embeddings)
    }

    /// - Precondition: `lengths` is nil (Swin takes patch grids only; ``validate(embeddings:lengths:)`` refuses others).
    public func callAsFunction(_ embeddings: Tensor, lengths: [Int]?) -> Tensor {
        precondition(lengths == nil, "SwinTransformer: no sequence lengths for a patch grid")
        return callAsFunction(embeddings)
    }

    public var referenceImageSize: (height: Int, width: Int) {
        (gridSize.height * configuration.patchSize, gridSize.width * configuration.patchSize)
    }
}
