import FedBoneLayers

/// A text client's embedding (its "patch embedding"): word-piece and position embeddings,
/// summed and normalised, as BERT's. `[B·L]` ids → `[B, L, C]`. Names `word_embeddings`,
/// `position_embeddings` (`[vocabulary, C]`, `[maxLength, C]`) and `norm`.
public final class TokenEmbedding: Module {
    public let wordEmbeddings: Parameter
    public let positionEmbeddings: Parameter
    public let norm: LayerNorm

    /// Embeddings for `vocabularySize` ids and up to `maxLength` positions, initialised as
    /// BERT's: N(0, 0.02²) truncated at ±0.04.
    public init(vocabularySize: Int, maxLength: Int, dim: Int, generator: inout SeededGenerator) {
        wordEmbeddings = Parameter(.truncatedNormal([vocabularySize, dim], std: 0.02, a: -0.04, b: 0.04, generator: &generator))
        positionEmbeddings = Parameter(.truncatedNormal([maxLength, dim], std: 0.02, a: -0.04, b: 0.04, generator: &generator))
        norm = LayerNorm(dim, epsilon: 1e-6)
        super.init()
    }

    /// The longest sequence it embeds.
    public var maxLength: Int { positionEmbeddings.shape[0] }

    /// `[B, L, C]` embeddings of a padded batch.
    /// - Precondition: every id is in the vocabulary and `L ≤ maxLength`.
    public func callAsFunction(_ batch: TokenBatch) -> Tensor {
        let c = wordEmbeddings.shape[1]
        precondition(batch.length <= maxLength, "TokenEmbedding: sequences of \(batch.length) tokens exceed the \(maxLength) positions")
        let words = wordEmbeddings.value.gatherRows(batch.ids).reshaped([batch.count, batch.length, c])
        let positions = positionEmbeddings.value.gatherRows(Array(0..<batch.length)).reshaped([1, batch.length, c])
        return norm(words + positions)
    }
}

/// The task adaptation module for sequences (paper §3.5, for tokens): a linear reduction of the
/// general model's features to `width`, then one pre-norm residual self-attention block over
/// the sequence that skips padding: `x = reduce(f)`, `x + attn(LN(x), mask)`.
public final class SequenceAdaptation: Module {
    public let reduce: Linear
    public let norm: LayerNorm
    public let attn: MultiHeadSelfAttention

    public init(featureDim: Int, configuration: AdaptationConfiguration, generator: inout SeededGenerator) {
        reduce = Linear(featureDim, configuration.width, generator: &generator)
        norm = LayerNorm(configuration.width)
        attn = MultiHeadSelfAttention(dim: configuration.width, heads: configuration.heads, generator: &generator)
        super.init()
    }

    /// `[B, L, C] → [B, L, width]`; `lengths` marks the real tokens.
    public func callAsFunction(_ features: Tensor, lengths: [Int]) -> Tensor {
        let x = reduce(features)
        return x + attn(norm(x), bias: TransformerEncoder.paddingMask(lengths: lengths, length: features.shape[1]))
    }
}

/// A text task's head over adapted tokens `[B, L, W]`: LayerNorm, then for classification the
/// mean over the real tokens and a linear map to `[B, K]` logits; for tagging a linear map per
/// token to `[B, K, L]` logits (class axis 1, as ``Loss/crossEntropy(logits:targets:ignoreIndex:)`` takes).
public final class TextHead: Module {
    public let norm: LayerNorm
    public let fc: Linear
    public let task: TaskSpec

    public init(task: TaskSpec, width: Int, generator: inout SeededGenerator) {
        self.task = task
        norm = LayerNorm(width)
        fc = Linear(width, task.classes, truncatedNormalStd: 0.02, generator: &generator)
        super.init()
    }

    public func callAsFunction(_ x: Tensor, lengths: [Int]) -> Tensor {
        let (b, l) = (x.shape[0], x.shape[1])
        let normalized = norm(x)
        switch task.kind {
        case .tokenTagging:
            return fc(normalized).permuted([0, 2, 1])
        default:
            var weights = [Float](repeating: 0, count: b * l)
            for (i, n) in lengths.enumerated() { for j in 0..<n { weights[i * l + j] = 1 / Float(n) } }
            let pooled = (normalized * Tensor(uncheckedShape: [b, l, 1], scalars: weights)).sum(axis: 1)
            return fc(pooled)
        }
    }
}

/// What a text client holds: the token embedding, the sequence adaptation module and the task
/// head; the transformer general model runs between ``embed(_:)`` and
/// ``predict(features:lengths:)`` on the server. Names `embeddings.*`, `adaptation.*`, `head.*`.
public final class TextClientModel: Module, SplitClientModel {
    public let embeddings: TokenEmbedding
    public let adaptation: SequenceAdaptation
    public let head: TextHead
    public let task: TaskSpec

    /// A client for `task` over a `vocabularySize` vocabulary and sequences of up to `maxLength`
    /// tokens, sized for the transformer `general`.
    /// - Throws: ``ModelError/invalidConfiguration(_:)``.
    public init(task: TaskSpec, general: TransformerConfiguration, vocabularySize: Int, maxLength: Int,
                adaptation: AdaptationConfiguration = .init(), seed: UInt64) throws {
        guard task.kind.isText else {
            throw ModelError.invalidConfiguration("a text client holds a text task (text-classification, token-tagging), not \(task.kind.rawValue)")
        }
        try task.validate()
        try adaptation.validate()
        try general.validate()
        guard vocabularySize >= 1, maxLength >= 1 else {
            throw ModelError.invalidConfiguration("a text client needs a vocabulary and maxLength ≥ 1, got \(vocabularySize) and \(maxLength)")
        }
        var generator = SeededGenerator(seed: seed)
        self.task = task
        embeddings = TokenEmbedding(vocabularySize: vocabularySize, maxLength: maxLength, dim: general.embedDim, generator: &generator)
        self.adaptation = SequenceAdaptation(featureDim: general.embedDim, configuration: adaptation, generator: &generator)
        head = TextHead(task: task, width: adaptation.width, generator: &generator)
        super.init()
    }

    /// Client step 1: ids → embeddings `[B, L, C]` for the server (with `batch.lengths`).
    public func embed(_ batch: TokenBatch) -> Tensor { embeddings(batch) }

    /// Client step 2: the server's features `[B, L, C]` → logits (`[B, K]` or `[B, K, L]`).
    public func predict(features: Tensor, lengths: [Int]) -> Tensor {
        head(adaptation(features, lengths: lengths), lengths: lengths)
    }

    public var embeddingShape: [Int] { [embeddings.maxLength, embeddings.wordEmbeddings.shape[1]] }

    public var input: InputDescription {
        .tokens(vocabularySize: embeddings.wordEmbeddings.shape[0], maxLength: embeddings.maxLength)
    }

    public func embed(_ input: ModelInput) -> Tensor {
        guard case let .tokens(batch) = input else { preconditionFailure("TextClientModel: a text client was given images") }
        return embed(batch)
    }

    public func predict(features: Tensor, input: ModelInput) -> Tensor {
        guard case let .tokens(batch) = input else { preconditionFailure("TextClientModel: a text client was given images") }
        return predict(features: features, lengths: batch.lengths)
    }

    /// The label of padded and continuation tokens in token tagging, left out of losses and
    /// metrics (``taskLoss(task:prediction:target:options:)`` ignores it).
    public static let ignored = 255
}
