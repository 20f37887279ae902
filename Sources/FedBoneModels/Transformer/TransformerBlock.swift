import FedBoneLayers

/// One pre-norm transformer block, as timm's ViT `Block`:
/// `x ← x + DropPath(MSA(LN(x), mask))`, `x ← x + DropPath(MLP(LN(x)))`. Input and output
/// `[B, L, C]`. Parameter names as timm: `norm1`, `attn.qkv`, `attn.proj`, `norm2`, `mlp.fc1`,
/// `mlp.fc2`.
public final class TransformerBlock: Module {
    public let norm1: LayerNorm
    public let attn: MultiHeadSelfAttention
    public let norm2: LayerNorm
    public let mlp: MLP
    /// Stochastic-depth probability.
    public let dropPathRate: Float
    /// The stochastic-depth draws: one generator, or one per segment of a batched pass.
    private var generators: [SeededGenerator]

    /// A block of `configuration`'s width with stochastic depth `dropPathRate`.
    public init(_ configuration: TransformerConfiguration, dropPathRate: Float, generator: inout SeededGenerator) {
        let dim = configuration.embedDim
        norm1 = LayerNorm(dim, epsilon: configuration.normEpsilon)
        attn = MultiHeadSelfAttention(dim: dim, heads: configuration.numHeads, qkvBias: configuration.qkvBias, generator: &generator)
        norm2 = LayerNorm(dim, epsilon: configuration.normEpsilon)
        mlp = MLP(inFeatures: dim, hiddenFeatures: configuration.hiddenDim, generator: &generator)
        self.dropPathRate = dropPathRate
        generators = [generator.fork(UInt64(dim &* 977))]
        super.init()
    }

    /// Restarts the block's stochastic-depth draws from `generator`.
    func reseedDropPath(_ generator: SeededGenerator) { generators = [generator] }

    /// Restarts the block's draws with one generator per segment of the next batched pass
    /// (``BatchSegments``), segment k drawing its samples from `generators[k]`.
    func reseedDropPath(segments generators: [SeededGenerator]) { self.generators = generators }

    /// `[B, L, C] → [B, L, C]`; `mask` (`[B, 1, 1, L]`, 0 for tokens and a large negative value
    /// for padding) keeps every token from attending to padded positions.
    public func callAsFunction(_ x: Tensor, mask: Tensor?) -> Tensor {
        let y = x + dropPath(attn(norm1(x), bias: mask))
        return y + dropPath(mlp(norm2(y)))
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
