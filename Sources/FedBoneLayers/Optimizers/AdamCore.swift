import Foundation

/// The hyper-parameters of ``Adam`` and ``AdamW``, named in JSON as PyTorch's arguments
/// (`lr`, `beta1`, `beta2`, `eps`, `weight_decay`); absent keys take PyTorch's defaults
/// (betas 0.9 and 0.999, eps 1e-8, weight decay 0), except `lr`, which is required.
public struct AdamHyperparameters: Codable, Equatable, Sendable {
    /// Learning rate, ≥ 0.
    public var learningRate: Double
    /// Decay of the first-moment average, in [0, 1).
    public var beta1: Double
    /// Decay of the second-moment average, in [0, 1).
    public var beta2: Double
    /// Added to the denominator for stability, ≥ 0.
    public var eps: Double
    /// Adam: L2 penalty added to the gradient; AdamW: decoupled decay of the parameter. ≥ 0.
    public var weightDecay: Double

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }

    /// Throws unless PyTorch would accept these values.
    public func validate() throws(OptimizerConfigurationError) {
        try requireValue("lr", learningRate, in: 0...Double.greatestFiniteMagnitude, "finite and ≥ 0")
        try requireValue("beta1", beta1, in: 0...1.nextDown, "in [0, 1)")
        try requireValue("beta2", beta2, in: 0...1.nextDown, "in [0, 1)")
        try requireValue("eps", eps, in: 0...Double.greatestFiniteMagnitude, "finite and ≥ 0")
        try requireValue("weight_decay", weightDecay, in: 0...Double.greatestFiniteMagnitude, "finite and ≥ 0")
    }

    enum CodingKeys: String, CodingKey {
        case learningRate = "lr", beta1, beta2, eps, weightDecay = "weight_decay"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(learningRate: try c.decode(Double.self, forKey: .learningRate),
                  beta1: try c.decodeIfPresent(Double.self, forKey: .beta1) ?? 0.9,
                  beta2: try c.decodeIfPresent(Double.self, forKey: .beta2) ?? 0.999,
                  eps: try c.decodeIfPresent(Double.self, forKey: .eps) ?? 1e-8,
                  weightDecay: try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? 0)
        try validate()
    }
}

/// The moments and update shared by ``Adam`` (weight decay coupled to the gradient) and
/// ``AdamW`` (decoupled), following PyTorch's single-tensor implementation operation by
/// operation so that trajectories agree to float rounding.
final class AdamCore {
    /// One parameter's state, made at its first gradient.
    final class Moments {
        var expAvg: [Float]
        var expAvgSq: [Float]
        var step: Int
        init(expAvg: [Float], expAvgSq: [Float], step: Int) {
            self.expAvg = expAvg
            self.expAvgSq = expAvgSq
            self.step = step
        }
    }

    let name: String
    let parameters: [(name: String, parameter: Parameter)]
    let decoupled: Bool
    var hyperparameters: AdamHyperparameters
    var stepCount = 0
    private var moments: [Moments?]

    init(name: String, parameters: [(name: String, parameter: Parameter)], hyperparameters: AdamHyperparameters,
         decoupled: Bool) {
        do { try hyperparameters.validate() } catch { preconditionFailure("\(name): \(error)") }
        checkUniqueNames(parameters, optimizer: name)
        self.name = name
        self.parameters = parameters
        self.hyperparameters = hyperparameters
        self.decoupled = decoupled
        moments = Array(repeating: nil, count: parameters.count)
    }

    var learningRate: Double {
        get { hyperparameters.learningRate }
        set {
            checkLearningRate(newValue, optimizer: name)
            hyperparameters.learningRate = newValue
        }
    }

    /// For each parameter with gradient `g`, its own step count `t`:
    /// ```
    /// p ← p·(1 − lr·wd)                 (AdamW)      g ← g + wd·p   (Adam)
    /// m ← m + (1 − β₁)(g − m)           v ← β₂·v + (1 − β₂)·g²
    /// p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps)
    /// ```
    func step() {
        stepCount += 1
        let h = hyperparameters
        let coupledDecay = decoupled ? 0 : Float(h.weightDecay)
        let shrink = Float(1 - h.learningRate * h.weightDecay)
        let shrinks = decoupled && h.weightDecay != 0
        let w1 = Float(1 - h.beta1), beta2 = Float(h.beta2), w2 = Float(1 - h.beta2), eps = Float(h.eps)
        for (i, entry) in parameters.enumerated() {
            guard let grad = entry.parameter.grad else { continue }
            let state = moments[i] ?? Moments(expAvg: [Float](repeating: 0, count: grad.count),
                                              expAvgSq: [Float](repeating: 0, count: grad.count), step: 0)
            moments[i] = state
            state.step += 1
            let t = Double(state.step)
            let stepSize = Float(-(h.learningRate / (1 - Foundation.pow(h.beta1, t))))
            let correction2 = Float((1 - Foundation.pow(h.beta2, t)).squareRoot())
            entry.parameter.update { p in
                let pp = p
                grad.withUnsafeBufferPointer { g in
                    state.expAvg.withUnsafeMutableBufferPointer { m in
                        state.expAvgSq.withUnsafeMutableBufferPointer { v in
                            let mm = m, vv = v
                            parallelChunks(pp.count, minimumPerChunk: optimizerChunk) { range in
                                for j in range {
                                    if shrinks { pp[j] = pp[j] * shrink }
                                    var d = g[j]
                                    if coupledDecay != 0 { d = d + coupledDecay * pp[j] }
                                    mm[j] = lerp(mm[j], d, w1)
                                    vv[j] = vv[j] * beta2 + w2 * d * d
                                    let denominator = vv[j].squareRoot() / correction2 + eps
                                    pp[j] = pp[j] + stepSize * (mm[j] / denominator)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Step counts and moments back to 0, in place (``ReusableOptimizer/reset()``): a zero
    /// moment with step 0 is what ``step()`` makes for a parameter's first gradient.
    func reset() {
        stepCount = 0
        for state in moments {
            guard let state else { continue }
            state.step = 0
            state.expAvg.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            state.expAvgSq.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
    }

    func stateDict() -> [String: Tensor] {
        var out = ["step": stepTensor(stepCount)]
        for (i, entry) in parameters.enumerated() {
            guard let state = moments[i] else { continue }
            out["\(entry.name).exp_avg"] = stateTensor(entry.parameter.shape, state.expAvg)
            out["\(entry.name).exp_avg_sq"] = stateTensor(entry.parameter.shape, state.expAvgSq)
            out["\(entry.name).step"] = stepTensor(state.step)
        }
        return out
    }

    func load(stateDict: [String: Tensor]) throws {
        var reader = OptimizerStateReader(stateDict)
        let steps = try reader.step("step")
        var loaded: [Moments?] = []
        for entry in parameters {
            let keys = ["exp_avg", "exp_avg_sq", "step"].map { "\(entry.name).\($0)" }
            guard reader.containsAny(keys) else {
                loaded.append(nil)
                continue
            }
            let shape = entry.parameter.shape
            loaded.append(Moments(expAvg: try reader.scalars(keys[0], shape: shape),
                                  expAvgSq: try reader.scalars(keys[1], shape: shape),
                                  step: try reader.step(keys[2])))
        }
        try reader.checkAllConsumed()
        stepCount = steps
        moments = loaded
    }
}

/// `torch.lerp(start, end, weight)` as PyTorch's CPU kernel computes it.
@inline(__always)
private func lerp(_ start: Float, _ end: Float, _ weight: Float) -> Float {
    Swift.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
}
