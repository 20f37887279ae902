/// The transformer feed-forward block, timm's `Mlp`: `fc1 → GELU → dropout → fc2 → dropout`.
///
/// `[..., in] → [..., out]` with a hidden width (default `in`). Parameter names as timm:
/// `fc1.weight`, `fc1.bias`, `fc2.weight`, `fc2.bias`. The linear layers start with PyTorch's
/// default initialisation (models re-initialise as timm's `_init_weights` does).
public final class MLP: Module, UnaryLayer {
    /// `in → hidden`.
    public let fc1: Linear
    /// The activation.
    public let act = GELU()
    /// Applied after the activation and after `fc2`; `nil` when the probability is 0.
    public let drop: Dropout?
    /// `hidden → out`.
    public let fc2: Linear

    /// A block `inFeatures → hiddenFeatures → outFeatures` (both default to `inFeatures`).
    public init(inFeatures: Int, hiddenFeatures: Int? = nil, outFeatures: Int? = nil, dropout: Float = 0,
                generator: inout SeededGenerator) {
        let hidden = hiddenFeatures ?? inFeatures
        fc1 = Linear(inFeatures, hidden, generator: &generator)
        fc2 = Linear(hidden, outFeatures ?? inFeatures, generator: &generator)
        drop = dropout > 0 ? Dropout(dropout, generator: &generator) : nil
        super.init()
    }

    /// `[..., in] → [..., out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = act(fc1(x))
        if let drop { h = drop(h) }
        h = fc2(h)
        if let drop { h = drop(h) }
        return h
    }
}
