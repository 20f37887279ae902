/// A fully connected layer: `y = x · weightᵀ + bias` over the last dimension.
///
/// `weight` is `[out, in]` and `bias` `[out]`, as PyTorch's `nn.Linear`; both start uniform in
/// ±1/√in (PyTorch's default). timm's transformer layers re-initialise with a truncated normal
/// (std 0.02) and zero bias: use ``init(_:_:bias:truncatedNormalStd:generator:)`` for that.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let fc = Linear(96, 384, generator: &rng)
/// let y = fc(x)   // [..., 96] → [..., 384]
/// ```
public final class Linear: Module, UnaryLayer {
    /// `[out, in]`.
    public let weight: Parameter
    /// `[out]`, or `nil` without bias.
    public let bias: Parameter?

    /// A layer with PyTorch's default initialisation.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: inout SeededGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Parameter(.uniform([outFeatures, inFeatures], low: -bound, high: bound, generator: &generator))
        self.bias = bias ? Parameter(.uniform([outFeatures], low: -bound, high: bound, generator: &generator)) : nil
        super.init()
    }

    /// A layer initialised as timm's transformers do: weight ~ truncated N(0, std²) in ±2 std,
    /// bias zero.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, truncatedNormalStd std: Float,
                generator: inout SeededGenerator) {
        weight = Parameter(.truncatedNormal([outFeatures, inFeatures], std: std, a: -2 * std, b: 2 * std, generator: &generator))
        self.bias = bias ? Parameter(.zeros([outFeatures])) : nil
        super.init()
    }

    /// Input features.
    public var inFeatures: Int { weight.shape[1] }
    /// Output features.
    public var outFeatures: Int { weight.shape[0] }

    /// `[..., in] → [..., out]`. Inside a ``BatchSegments/run(_:)`` that records gradients,
    /// each segment's rows give their gradient to that segment's leaves of `weight` and `bias`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard let segments = BatchSegments.current, GradMode.enabled else { return x.linear(weight: weight.value, bias: bias?.value) }
        return x.linear(segmentWeights: segments.leaves(of: weight.value), segmentBiases: bias.map { segments.leaves(of: $0.value) },
                        rowCounts: segments.rowCounts(rows: x.count / max(inFeatures, 1)))
    }
}
