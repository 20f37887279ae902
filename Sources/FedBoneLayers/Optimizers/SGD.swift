/// The hyper-parameters of ``SGD``, named in JSON as `torch.optim.SGD`'s arguments
/// (`lr`, `momentum`, `dampening`, `nesterov`, `weight_decay`); absent keys take PyTorch's
/// defaults, except `lr`, which is required.
public struct SGDHyperparameters: Codable, Equatable, Sendable {
    /// Learning rate, ≥ 0.
    public var learningRate: Double
    /// Momentum factor, ≥ 0 (0: plain SGD, no buffer).
    public var momentum: Double
    /// Dampening of the gradient added to the momentum buffer, in [0, 1].
    public var dampening: Double
    /// Nesterov momentum (needs momentum > 0 and dampening 0).
    public var nesterov: Bool
    /// L2 penalty added to the gradient (`g + weightDecay·p`), ≥ 0.
    public var weightDecay: Double

    public init(learningRate: Double, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    /// Throws unless PyTorch would accept these values.
    public func validate() throws(OptimizerConfigurationError) {
        try requireValue("lr", learningRate, in: 0...Double.greatestFiniteMagnitude, "finite and ≥ 0")
        try requireValue("momentum", momentum, in: 0...Double.greatestFiniteMagnitude, "finite and ≥ 0")
        try requireValue("dampening", dampening, in: 0...1, "in [0, 1]")
        try requireValue("weight_decay", weightDecay, in: 0...Double.greatestFiniteMagnitude, "finite and ≥ 0")
        if nesterov && (momentum <= 0 || dampening != 0) { throw .nesterovNeedsMomentumWithoutDampening }
    }

    enum CodingKeys: String, CodingKey {
        case learningRate = "lr", momentum, dampening, nesterov, weightDecay = "weight_decay"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(learningRate: try c.decode(Double.self, forKey: .learningRate),
                  momentum: try c.decodeIfPresent(Double.self, forKey: .momentum) ?? 0,
                  dampening: try c.decodeIfPresent(Double.self, forKey: .dampening) ?? 0,
                  nesterov: try c.decodeIfPresent(Bool.self, forKey: .nesterov) ?? false,
                  weightDecay: try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? 0)
        try validate()
    }
}

/// Stochastic gradient descent with momentum, exactly as `torch.optim.SGD`.
///
/// For each parameter `p` with gradient `g`, step `t`:
/// ```
/// g ← g + weightDecay·p
/// b ← g                                   (t = 1: buffer made from the first gradient)
/// b ← momentum·b + (1 − dampening)·g      (t > 1)
/// g ← nesterov ? g + momentum·b : b       (when momentum ≠ 0)
/// p ← p − lr·g
/// ```
/// State: `"<name>.momentum_buffer"` (the parameter's shape, only with momentum) and `"step"`.
public final class SGD: Optimizer {
    public let parameters: [(name: String, parameter: Parameter)]
    /// The hyper-parameters (the learning rate is ``learningRate``).
    public private(set) var hyperparameters: SGDHyperparameters
    public private(set) var stepCount = 0
    /// Momentum buffer per parameter, made at its first gradient.
    private var buffers: [[Float]?]

    /// An optimizer over `parameters` (usually `module.namedParameters()`). The values must be
    /// valid (``SGDHyperparameters/validate()``).
    public init(_ parameters: [(name: String, parameter: Parameter)], _ hyperparameters: SGDHyperparameters) {
        do { try hyperparameters.validate() } catch { preconditionFailure("SGD: \(error)") }
        checkUniqueNames(parameters, optimizer: "SGD")
        self.parameters = parameters
        self.hyperparameters = hyperparameters
        buffers = Array(repeating: nil, count: parameters.count)
    }

    /// An optimizer over `parameters` with `torch.optim.SGD`'s arguments.
    public convenience init(_ parameters: [(name: String, parameter: Parameter)], learningRate: Double,
                            momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                            weightDecay: Double = 0) {
        self.init(parameters, SGDHyperparameters(learningRate: learningRate, momentum: momentum, dampening: dampening,
                                                 nesterov: nesterov, weightDecay: weightDecay))
    }

    public var learningRate: Double {
        get { hyperparameters.learningRate }
        set {
            checkLearningRate(newValue, optimizer: "SGD")
            hyperparameters.learningRate = newValue
        }
    }

    public func step() {
        stepCount += 1
        let h = hyperparameters
        let negativeLR = Float(-h.learningRate), decay = Float(h.weightDecay)
        let momentum = Float(h.momentum), keep = Float(1 - h.dampening), nesterov = h.nesterov
        for (i, entry) in parameters.enumerated() {
            guard let grad = entry.parameter.grad else { continue }
            let isFirst = buffers[i] == nil
            var buffer = buffers[i] ?? (momentum != 0 ? [Float](repeating: 0, count: grad.count) : [])
            buffers[i] = nil
            entry.parameter.update { p in
                let pp = p
                grad.withUnsafeBufferPointer { g in
                    buffer.withUnsafeMutableBufferPointer { b in
                        let bb = b
                        parallelChunks(pp.count, minimumPerChunk: optimizerChunk) { range in
                            for j in range {
                                var d = g[j]
                                if decay != 0 { d = d + decay * pp[j] }
                                if momentum != 0 {
                                    bb[j] = isFirst ? d : bb[j] * momentum + keep * d
                                    d = nesterov ? d + momentum * bb[j] : bb[j]
                                }
                                pp[j] = pp[j] + negativeLR * d
                            }
                        }
                    }
                }
            }
            if momentum != 0 { buffers[i] = buffer }
        }
    }

    public func stateDict() -> [String: Tensor] {
        var out = ["step": stepTensor(stepCount)]
        for (i, entry) in parameters.enumerated() {
            guard let buffer = buffers[i] else { continue }
            out["\(entry.name).momentum_buffer"] = stateTensor(entry.parameter.shape, buffer)
        }
        return out
    }

    public func load(stateDict: [String: Tensor]) throws {
        var reader = OptimizerStateReader(stateDict)
        let steps = try reader.step("step")
        var loaded: [[Float]?] = []
        for entry in parameters {
            let key = "\(entry.name).momentum_buffer"
            loaded.append(reader.containsAny([key]) ? try reader.scalars(key, shape: entry.parameter.shape) : nil)
        }
        try reader.checkAllConsumed()
        stepCount = steps
        buffers = loaded
    }
}
