/// Layer normalisation over the last dimension, as PyTorch's `nn.LayerNorm(dim, eps)`:
/// `y = (x − mean) / √(var + ε) · weight + bias` per row of `[..., dim]`.
///
/// Parameters `weight` (`[dim]`, ones) and `bias` (`[dim]`, zeros).
public final class LayerNorm: Module, UnaryLayer {
    /// `[dim]`, initialised to 1.
    public let weight: Parameter
    /// `[dim]`, initialised to 0.
    public let bias: Parameter
    /// Added to the variance before the square root.
    public let epsilon: Float

    /// A layer normalising vectors of `dim` features.
    public init(_ dim: Int, epsilon: Float = 1e-5) {
        weight = Parameter(.ones([dim]))
        bias = Parameter(.zeros([dim]))
        self.epsilon = epsilon
        super.init()
    }

    /// `[..., dim] → [..., dim]`. Inside a ``BatchSegments/run(_:)`` that records gradients,
    /// each segment's rows give their gradient to that segment's leaves of `weight` and `bias`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard let segments = BatchSegments.current, GradMode.enabled else {
            return x.layerNorm(weight: weight.value, bias: bias.value, epsilon: epsilon)
        }
        return x.layerNorm(segmentWeights: segments.leaves(of: weight.value), segmentBiases: segments.leaves(of: bias.value),
                           rowCounts: segments.rowCounts(rows: x.count / max(weight.shape[0], 1)), epsilon: epsilon)
    }
}
