/// The shape of a transformer-encoder general model (`model.general.kind: transformer`): a stack
/// of pre-norm ViT/BERT-style blocks over token sequences `[B, L, embedDim]`, then a LayerNorm.
///
/// `vit-tiny`, `vit-small` and `vit-base` have the dimensions of timm's `vit_tiny_patch16_224`,
/// `vit_small_patch16_224` and `vit_base_patch16_224` (their blocks and final norm: the patch
/// embedding, class token and position embedding live on the clients); `vit-nano` is a CPU-sized
/// variant for tests and small experiments.
public struct TransformerConfiguration: Sendable, Equatable, Codable {
    /// Channels of every token.
    public var embedDim: Int
    /// Blocks.
    public var depth: Int
    /// Attention heads per block.
    public var numHeads: Int
    /// Hidden width of each block's MLP relative to `embedDim`.
    public var mlpRatio: Float
    /// Whether the attention's `qkv` map has a bias (timm: yes).
    public var qkvBias: Bool
    /// Stochastic-depth rate of the last block; earlier blocks rise linearly from 0 (timm).
    public var dropPathRate: Float
    /// The LayerNorms' ε (timm's ViT: 1e-6).
    public var normEpsilon: Float
    /// Side of the image patch an image client's patch embedding turns into one token.
    public var patchSize: Int

    public init(embedDim: Int, depth: Int, numHeads: Int, mlpRatio: Float = 4, qkvBias: Bool = true,
                dropPathRate: Float = 0, normEpsilon: Float = 1e-6, patchSize: Int = 16) {
        self.embedDim = embedDim
        self.depth = depth
        self.numHeads = numHeads
        self.mlpRatio = mlpRatio
        self.qkvBias = qkvBias
        self.dropPathRate = dropPathRate
        self.normEpsilon = normEpsilon
        self.patchSize = patchSize
    }

    /// The width of each block's MLP.
    public var hiddenDim: Int { Int(Float(embedDim) * mlpRatio) }

    /// ViT-Ti/16's blocks (5.5 M parameters in its 12 blocks and norm).
    public static let tiny = TransformerConfiguration(embedDim: 192, depth: 12, numHeads: 3)
    /// ViT-S/16's blocks.
    public static let small = TransformerConfiguration(embedDim: 384, depth: 12, numHeads: 6)
    /// ViT-B/16's blocks (BERT-base's shape).
    public static let base = TransformerConfiguration(embedDim: 768, depth: 12, numHeads: 12)
    /// A CPU-sized encoder for tests and small experiments: 4 blocks of 32 channels, 4×4 patches.
    public static let nano = TransformerConfiguration(embedDim: 32, depth: 4, numHeads: 2, mlpRatio: 2, patchSize: 4)

    /// The configurations known by name.
    public static let presets: [String: TransformerConfiguration] = [
        "vit-tiny": .tiny, "vit-small": .small, "vit-base": .base, "vit-nano": .nano,
    ]

    /// The preset called `name`.
    /// - Throws: ``ModelError/unknownModel(_:known:)`` naming the known presets.
    public static func named(_ name: String) throws -> TransformerConfiguration {
        guard let c = presets[name] else { throw ModelError.unknownModel(name, known: presets.keys.sorted()) }
        return c
    }

    /// Checks the configuration and throws a clear error when it cannot build a model.
    public func validate() throws {
        guard embedDim > 0, depth > 0, numHeads > 0, mlpRatio > 0, hiddenDim > 0, patchSize > 0 else {
            throw ModelError.invalidConfiguration("embedDim, depth, numHeads, mlpRatio and patchSize must be positive")
        }
        guard embedDim % numHeads == 0 else {
            throw ModelError.invalidConfiguration("\(embedDim) channels do not split into \(numHeads) heads")
        }
        guard dropPathRate >= 0 && dropPathRate < 1 else {
            throw ModelError.invalidConfiguration("dropPathRate must be in [0, 1), got \(dropPathRate)")
        }
        guard normEpsilon > 0 else { throw ModelError.invalidConfiguration("normEpsilon must be positive, got \(normEpsilon)") }
    }
}
