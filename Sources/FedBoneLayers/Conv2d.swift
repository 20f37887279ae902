/// A 2-D convolution layer over NCHW batches, as PyTorch's `nn.Conv2d`:
///
/// `y[n, o] = bias[o] + Σ_{c ∈ group(o)} weight[o, c] ⋆ x[n, c]`
///
/// with stride, zero padding, dilation and channel groups (see
/// ``FedBoneTensor/Tensor/conv2d(weight:bias:stride:padding:dilation:groups:)``).
///
/// `weight` is `[out, in/groups, kH, kW]` and `bias` `[out]`; both start uniform in ±1/√fanIn
/// with `fanIn = in/groups · kH · kW` (PyTorch's default, `kaiming_uniform_(a=√5)`).
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let conv = Conv2d(3, 96, kernelSize: 4, stride: 4, generator: &rng)
/// let y = conv(x)   // [N, 3, 224, 224] → [N, 96, 56, 56]
/// ```
public final class Conv2d: Module, UnaryLayer {
    /// `[out, in/groups, kH, kW]`.
    public let weight: Parameter
    /// `[out]`, or `nil` without bias.
    public let bias: Parameter?
    /// Step of the window (rows, columns).
    public let stride: (Int, Int)
    /// Zero padding added on both sides (rows, columns).
    public let padding: (Int, Int)
    /// Spacing of the kernel taps (rows, columns).
    public let dilation: (Int, Int)
    /// Number of channel groups.
    public let groups: Int

    /// A layer with PyTorch's default initialisation.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                generator: inout SeededGenerator) {
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: groups \(groups) must divide in channels \(inChannels) and out channels \(outChannels)")
        precondition(kernelSize.0 > 0 && kernelSize.1 > 0, "Conv2d: kernel size must be positive, got \(kernelSize)")
        let fanIn = inChannels / groups * kernelSize.0 * kernelSize.1
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Parameter(.uniform([outChannels, inChannels / groups, kernelSize.0, kernelSize.1],
                                    low: -bound, high: bound, generator: &generator))
        self.bias = bias ? Parameter(.uniform([outChannels], low: -bound, high: bound, generator: &generator)) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        super.init()
    }

    /// A layer with a square kernel and the same stride, padding and dilation on both axes.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: inout SeededGenerator) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias,
                  generator: &generator)
    }

    /// Input channels.
    public var inChannels: Int { weight.shape[1] * groups }
    /// Output channels.
    public var outChannels: Int { weight.shape[0] }
    /// Kernel size (rows, columns).
    public var kernelSize: (Int, Int) { (weight.shape[2], weight.shape[3]) }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
