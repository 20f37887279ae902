/// AdamW, exactly as `torch.optim.AdamW` (without amsgrad): weight decay is decoupled from the
/// gradient, `p ← p·(1 − lr·weightDecay)` before the Adam update, so it does not pass through
/// the moment estimates.
///
/// For each parameter with gradient `g` at its `t`-th update:
/// ```
/// p ← p·(1 − lr·wd)
/// m ← β₁·m + (1 − β₁)·g        v ← β₂·v + (1 − β₂)·g²
/// p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps)
/// ```
/// State: as ``Adam`` (`"<name>.exp_avg"`, `"<name>.exp_avg_sq"`, `"<name>.step"`, `"step"`).
public final class AdamW: ReusableOptimizer {
    private let core: AdamCore

    /// An optimizer over `parameters` (usually `module.namedParameters()`). The values must be
    /// valid (``AdamHyperparameters/validate()``).
    public init(_ parameters: [(name: String, parameter: Parameter)], _ hyperparameters: AdamHyperparameters) {
        core = AdamCore(name: "AdamW", parameters: parameters, hyperparameters: hyperparameters, decoupled: true)
    }

    /// An optimizer over `parameters` with `torch.optim.AdamW`'s arguments and defaults
    /// (weight decay 0.01).
    public convenience init(_ parameters: [(name: String, parameter: Parameter)], learningRate: Double = 1e-3,
                            beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 1e-2) {
        self.init(parameters, AdamHyperparameters(learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
                                                  weightDecay: weightDecay))
    }

    public var parameters: [(name: String, parameter: Parameter)] { core.parameters }
    /// The hyper-parameters (the learning rate is ``learningRate``).
    public var hyperparameters: AdamHyperparameters { core.hyperparameters }
    public var learningRate: Double {
        get { core.learningRate }
        set { core.learningRate = newValue }
    }
    public var stepCount: Int { core.stepCount }
    public func step() { core.step() }
    public func reset() { core.reset() }
    public func stateDict() -> [String: Tensor] { core.stateDict() }
    public func load(stateDict: [String: Tensor]) throws { try core.load(stateDict: stateDict) }
}
