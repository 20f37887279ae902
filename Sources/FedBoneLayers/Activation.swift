/// The exact (erf) GELU as a layer, PyTorch's `nn.GELU()`.
public final class GELU: Module, UnaryLayer {
    public override init() { super.init() }

    /// Same shape in and out.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.gelu() }
}

/// The rectified linear unit as a layer, PyTorch's `nn.ReLU()`.
public final class ReLU: Module, UnaryLayer {
    public override init() { super.init() }

    /// Same shape in and out.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}
