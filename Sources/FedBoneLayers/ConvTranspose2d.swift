/// A 2-D transposed convolution layer over NCHW batches, as PyTorch's `nn.ConvTranspose2d`:
/// the adjoint of a ``Conv2d`` with the same hyper-parameters, plus a bias (see
/// ``FedBoneTensor/Tensor/convTranspose2d(weight:bias:stride:padding:outputPadding:dilation:groups:)``).
/// The output size is `Hout = (H − 1)·sH − 2·pH + dH·(kH − 1) + outputPaddingH + 1`.
///
/// `weight` is `[in, out/groups, kH, kW]` and `bias` `[out]`; both start uniform in ±1/√fanIn
/// with `fanIn = out/groups · kH · kW`, which is what PyTorch's default initialisation computes
/// from that weight layout.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let up = ConvTranspose2d(256, 128, kernelSize: 2, stride: 2, generator: &rng)
/// let y = up(x)   // [N, 256, 14, 14] → [N, 128, 28, 28]
/// ```
public final class ConvTranspose2d: Module, UnaryLayer {
    /// `[in, out/groups, kH, kW]`.
    public let weight: Parameter
    /// `[out]`, or `nil` without bias.
    public let bias: Parameter?
    /// Step of the window (rows, columns).
    public let stride: (Int, Int)
    /// Padding removed from both sides of the output (rows, columns).
    public let padding: (Int, Int)
    /// Extra rows and columns added at the bottom and right of the output.
    public let outputPadding: (Int, Int)
    /// Spacing of the kernel taps (rows, columns).
    public let dilation: (Int, Int)
    /// Number of channel groups.
    public let groups: Int

    /// A layer with PyTorch's default initialisation.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                groups: Int = 1, bias: Bool = true, generator: inout SeededGenerator) {
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "ConvTranspose2d: groups \(groups) must divide in channels \(inChannels) and out channels \(outChannels)")
        precondition(kernelSize.0 > 0 && kernelSize.1 > 0, "ConvTranspose2d: kernel size must be positive, got \(kernelSize)")
        let fanIn = outChannels / groups * kernelSize.0 * kernelSize.1
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Parameter(.uniform([inChannels, outChannels / groups, kernelSize.0, kernelSize.1],
                                    low: -bound, high: bound, generator: &generator))
        self.bias = bias ? Parameter(.uniform([outChannels], low: -bound, high: bound, generator: &generator)) : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
        super.init()
    }

    /// A layer with a square kernel and the same stride, padding, output padding and dilation
    /// on both axes.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                            generator: inout SeededGenerator) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), outputPadding: (outputPadding, outputPadding),
                  dilation: (dilation, dilation), groups: groups, bias: bias, generator: &generator)
    }

    /// Input channels.
    public var inChannels: Int { weight.shape[0] }
    /// Output channels.
    public var outChannels: Int { weight.shape[1] * groups }
    /// Kernel size (rows, columns).
    public var kernelSize: (Int, Int) { (weight.shape[2], weight.shape[3]) }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.convTranspose2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                          outputPadding: outputPadding, dilation: dilation, groups: groups)
    }
}
