/// Layers applied one after another, named `0`, `1`, … as in PyTorch's `nn.Sequential`.
public final class Sequential: Module, UnaryLayer {
    /// The layers in order.
    public let layers: [any UnaryLayer]

    /// A sequence of layers.
    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        super.init()
    }

    override public func children() -> [(name: String, module: Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element as Module) }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { $1($0) }
    }
}
