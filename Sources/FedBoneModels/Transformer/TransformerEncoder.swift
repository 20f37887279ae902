import FedBoneLayers

/// The transformer general model (`model.general.kind: transformer`): pre-norm blocks over token
/// sequences and a final LayerNorm. Parameter names match timm's `VisionTransformer`
/// (`blocks.N…`, `norm`), so a timm ViT checkpoint without its client-side keys (`patch_embed`,
/// `cls_token`, `pos_embed`, `head`) loads.
///
/// Input: token embeddings `[B, L, embedDim]` (word pieces, or image patches, with their position
/// embeddings added by the client) and, for padded batches, each sample's length: sample b holds
/// `lengths[b]` tokens followed by padding, which no token attends to. Output: the normalised
/// tokens `[B, L, embedDim]` (padded positions hold values the caller must ignore). An image
/// client's patch grid `[B, h, w, embedDim]` is taken as its `h·w` tokens in row-major order and
/// comes back as a grid `[B, h, w, embedDim]`.
public final class TransformerEncoder: Module {
    public let blocks: [TransformerBlock]
    public let norm: LayerNorm
    /// The configuration it was built from.
    public let configuration: TransformerConfiguration
    /// The image size ``inputShape(batch:)`` describes (nothing in the model depends on it).
    public let referenceImageSize: (height: Int, width: Int)

    /// The logit added for padded keys: far below any real logit, and finite so that the
    /// softmax's max-subtraction stays exact.
    static let maskedLogit: Float = -1e9

    /// An encoder of `configuration`, initialised as timm's ViT (`trunc_normal(std 0.02)` on the
    /// linear weights, zero biases, unit LayerNorms).
    /// `referenceImageSize` (default: 14 patches square, ViT's 224² at patch 16) only names the
    /// reference input of benchmarks and load checks.
    /// - Throws: ``ModelError/invalidConfiguration(_:)``.
    public init(_ configuration: TransformerConfiguration, referenceImageSize: (height: Int, width: Int)? = nil,
                seed: UInt64) throws {
        try configuration.validate()
        self.configuration = configuration
        self.referenceImageSize = referenceImageSize ?? (14 * configuration.patchSize, 14 * configuration.patchSize)
        var generator = SeededGenerator(seed: seed)
        let n = configuration.depth
        blocks = (0..<n).map { i in
            TransformerBlock(configuration, dropPathRate: n > 1 ? configuration.dropPathRate * Float(i) / Float(n - 1) : 0,
                             generator: &generator)
        }
        norm = LayerNorm(configuration.embedDim, epsilon: configuration.normEpsilon)
        super.init()
        for case let linear as Linear in modules() {
            try linear.weight.assign(.truncatedNormal(linear.weight.shape, std: 0.02, a: -0.04, b: 0.04, generator: &generator))
            if let bias = linear.bias { try bias.assign(.zeros(bias.shape)) }
        }
    }

    /// Restarts every block's stochastic-depth draws (block i from `generator.fork(i)`), as
    /// ``SwinTransformer/reseedDropPath(_:)`` does.
    public func reseedDropPath(_ generator: SeededGenerator) {
        for (i, block) in blocks.enumerated() { block.reseedDropPath(generator.fork(UInt64(i))) }
    }

    /// ``reseedDropPath(_:)`` per segment of the next batched pass (block i of segment k from
    /// `generators[k].fork(i)`).
    public func reseedDropPath(segments generators: [SeededGenerator]) {
        for (i, block) in blocks.enumerated() { block.reseedDropPath(segments: generators.map { $0.fork(UInt64(i)) }) }
    }

    /// Checks the shape one sample's embeddings will have: a sequence `[L, embedDim]` or an
    /// image's patch grid `[h, w, embedDim]`, with at least one token.
    /// - Throws: ``ModelError/badInput(_:)`` saying what the model takes.
    public func validate(embeddingShape shape: [Int]) throws {
        guard shape.count == 2 || shape.count == 3, shape.dropLast().allSatisfy({ $0 >= 1 }),
              shape.last == configuration.embedDim else {
            throw ModelError.badInput(
                "embeddings of one sample must be tokens [L, \(configuration.embedDim)] or a patch grid [H/\(configuration.patchSize), W/\(configuration.patchSize), \(configuration.embedDim)] (at least one token of the general model's \(configuration.embedDim) channels), got \(shape)")
        }
    }

    /// Checks unpadded embeddings from outside (e.g. a network message) before they reach the model.
    /// - Throws: ``ModelError/badInput(_:)`` naming what is wrong.
    public func validate(embeddings: Tensor) throws { try validate(embeddings: embeddings, lengths: nil) }

    /// Checks embeddings and lengths from outside before they reach the model: `[B, L, embedDim]`
    /// or `[B, h, w, embedDim]`, finite, and each length (sequences only) in `1...L`.
    /// - Throws: ``ModelError/badInput(_:)`` naming what is wrong.
    public func validate(embeddings: Tensor, lengths: [Int]?) throws {
        guard embeddings.rank == 3 || embeddings.rank == 4, embeddings.shape[0] > 0 else {
            throw ModelError.badInput("embeddings must be [B, L, \(configuration.embedDim)] or [B, H/\(configuration.patchSize), W/\(configuration.patchSize), \(configuration.embedDim)] with B ≥ 1, got \(embeddings.shape)")
        }
        if lengths != nil, embeddings.rank != 3 {
            throw ModelError.badInput("sequence lengths go with token sequences [B, L, \(configuration.embedDim)], not with a patch grid \(embeddings.shape)")
        }
        try validate(embeddingShape: Array(embeddings.shape.dropFirst()))
        if let lengths {
            let l = embeddings.shape[1]
            guard lengths.count == embeddings.shape[0] else {
                throw ModelError.badInput("\(lengths.count) sequence lengths for a batch of \(embeddings.shape[0])")
            }
            if let bad = lengths.firstIndex(where: { $0 < 1 || $0 > l }) {
                throw ModelError.badInput("sample \(bad) has length \(lengths[bad]); lengths must be in 1...\(l) (the padded sequence length)")
            }
        }
        try embeddings.checkFinite(name: "embeddings")
    }

    /// The key-padding mask of a batch of `lengths` padded to `length` tokens: `[B, 1, 1, L]`,
    /// 0 on tokens and ``maskedLogit`` on padding; nil when no sample is padded.
    public static func paddingMask(lengths: [Int], length: Int) -> Tensor? {
        guard lengths.contains(where: { $0 < length }) else { return nil }
        var values = [Float](repeating: 0, count: lengths.count * length)
        for (b, n) in lengths.enumerated() {
            for j in n..<length { values[b * length + j] = maskedLogit }
        }
        return Tensor(uncheckedShape: [lengths.count, 1, 1, length], scalars: values)
    }

    /// The feature shape of one sample: the same as its embeddings' (tokens in, tokens out).
    public func featureShape(embeddingShape shape: [Int]) -> [Int] { shape }

    /// The normalised tokens of unpadded `embeddings`: `[B, L, C]`, or a patch grid
    /// `[B, h, w, C]` (its tokens in row-major order) returned as a grid.
    public func callAsFunction(_ embeddings: Tensor) -> Tensor { callAsFunction(embeddings, lengths: nil) }

    /// The normalised tokens of `embeddings` `[B, L, C]`, with `lengths` (one per sample, nil:
    /// none padded) keeping padding out of every attention; or of a patch grid `[B, h, w, C]`
    /// (lengths nil), returned as a grid.
    public func callAsFunction(_ embeddings: Tensor, lengths: [Int]?) -> Tensor {
        if embeddings.rank == 4 {
            precondition(lengths == nil, "TransformerEncoder: no sequence lengths for a patch grid")
            let s = embeddings.shape
            return callAsFunction(embeddings.reshaped([s[0], s[1] * s[2], s[3]]), lengths: nil).reshaped(s)
        }
        precondition(embeddings.rank == 3 && embeddings.shape[1] > 0 && embeddings.shape[2] == configuration.embedDim,
                     "TransformerEncoder: embeddings must be [B, L, \(configuration.embedDim)], got \(embeddings.shape)")
        precondition(lengths.map { $0.count == embeddings.shape[0] } ?? true, "TransformerEncoder: one length per sample")
        let mask = lengths.flatMap { Self.paddingMask(lengths: $0, length: embeddings.shape[1]) }
        var x = embeddings
        for block in blocks { x = block(x, mask: mask) }
        return norm(x)
    }
}

extension TransformerEncoder: GeneralModel {
    public var generalConfiguration: GeneralModelConfiguration { .transformer(configuration) }
}
