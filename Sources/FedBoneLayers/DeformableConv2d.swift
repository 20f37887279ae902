/// Deformable convolution v1 (Dai et al. 2017) with its offset predictor, as
/// `torchvision.ops.DeformConv2d` fed by an ordinary convolution:
///
/// `offset = conv_offset(x)` (`2·k·k` channels: a (Δy, Δx) per kernel tap and output pixel),
/// then `y = Σ_taps weight · bilinear(x, p + tap + offset) + bias`.
///
/// The offset predictor starts at zero (weights and bias), so the layer starts as a plain
/// convolution and learns where to look — the usual initialisation for deformable layers.
/// Shapes: `[B, C_in, H, W] → [B, C_out, H', W']`.
public final class DeformableConv2d: Module, UnaryLayer {
    public let convOffset: Conv2d
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let dilation: (Int, Int)

    /// A `kernelSize × kernelSize` deformable convolution.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, bias: Bool = true, generator: inout SeededGenerator) {
        let k = kernelSize
        convOffset = Conv2d(inChannels, 2 * k * k, kernelSize: k, stride: stride, padding: padding,
                            dilation: dilation, generator: &generator)
        for p in convOffset.parameters() { try? p.assign(.zeros(p.shape)) }
        let bound = 1 / Float(inChannels * k * k).squareRoot()
        weight = Parameter(.uniform([outChannels, inChannels, k, k], low: -bound, high: bound, generator: &generator))
        self.bias = bias ? Parameter(.uniform([outChannels], low: -bound, high: bound, generator: &generator)) : nil
        self.stride = (stride, stride)
        self.padding = (padding, padding)
        self.dilation = (dilation, dilation)
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.deformableConv2d(offset: convOffset(x), weight: weight.value, bias: bias?.value,
                           stride: stride, padding: padding, dilation: dilation)
    }
}
