/// Batch normalisation of NCHW feature maps, as PyTorch's `nn.BatchNorm2d(channels, eps,
/// momentum)` with affine parameters and tracked running statistics.
///
/// In training mode it normalises with the batch statistics and updates `running_mean`,
/// `running_var` (with the unbiased batch variance) and `num_batches_tracked`; in evaluation
/// mode it normalises with the running statistics. State-dict names: `weight`, `bias`,
/// `running_mean`, `running_var`, `num_batches_tracked` (a float scalar here; PyTorch's is int64).
public final class BatchNorm2d: Module, UnaryLayer {
    /// `[C]`, initialised to 1.
    public let weight: Parameter
    /// `[C]`, initialised to 0.
    public let bias: Parameter
    /// `[C]`, initialised to 0.
    public let runningMean: Buffer
    /// `[C]`, initialised to 1.
    public let runningVar: Buffer
    /// `[]`: the number of training-mode forward passes.
    public let numBatchesTracked: Buffer
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// Weight of the new batch statistic in the running averages.
    public let momentum: Float

    /// A layer for `channels` feature maps.
    public init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        weight = Parameter(.ones([channels]))
        bias = Parameter(.zeros([channels]))
        runningMean = Buffer(.zeros([channels]))
        runningVar = Buffer(.ones([channels]))
        numBatchesTracked = Buffer(Tensor(0))
        self.epsilon = epsilon
        self.momentum = momentum
        super.init()
    }

    /// `[N, C, H, W] → [N, C, H, W]`. In training mode this also updates the running statistics.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let result = x.batchNorm2d(
            weight: weight.value, bias: bias.value,
            runningMean: runningMean.value, runningVariance: runningVar.value,
            training: isTraining, momentum: momentum, epsilon: epsilon)
        if isTraining, let mean = result.newRunningMean, let variance = result.newRunningVariance {
            runningMean.value = mean
            runningVar.value = variance
            numBatchesTracked.value = Tensor(numBatchesTracked.value.item + 1)
        }
        return result.output
    }
}
