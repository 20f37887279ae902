/// An optimizer updates named parameters in place from their accumulated gradients, as
/// `torch.optim.Optimizer` does.
///
/// ```swift
/// let optimizer = SGD(model.namedParameters(), learningRate: 0.01, momentum: 0.9)
/// for (t, batch) in batches.enumerated() {
///     optimizer.learningRate = schedule.learningRate(at: t)
///     optimizer.zeroGrad()
///     loss(model(batch.x), batch.y).backward()
///     optimizer.step()
/// }
/// ```
/// Updates are not recorded by autograd. A parameter with no gradient at a step is skipped and
/// its optimizer state is left as it was (PyTorch's behaviour for `grad is None`).
public protocol Optimizer: AnyObject {
    /// The parameters updated, with the names (from `Module.namedParameters()`) that key the
    /// optimizer's state dict.
    var parameters: [(name: String, parameter: Parameter)] { get }

    /// The learning rate used by the next ``step()``. Must be finite and ≥ 0.
    var learningRate: Double { get set }

    /// The number of ``step()`` calls so far (saved in the state dict under `"step"`).
    var stepCount: Int { get }

    /// Applies one update to every parameter that has a gradient.
    func step()

    /// Forgets every parameter's gradient.
    func zeroGrad()

    /// The optimizer's state (moment buffers, step counts) by key, e.g.
    /// `"layers.0.fc1.weight.momentum_buffer"` and `"step"`. Hyper-parameters are not included.
    func stateDict() -> [String: Tensor]

    /// Restores a state saved by ``stateDict()`` of an optimizer of the same kind over
    /// parameters with the same names and shapes.
    /// - Throws: ``OptimizerStateError``; on error nothing changes.
    func load(stateDict: [String: Tensor]) throws
}

extension Optimizer {
    public func zeroGrad() {
        for entry in parameters { entry.parameter.zeroGrad() }
    }
}

/// Stops with a clear message unless parameter names are unique (they key the state dict).
func checkUniqueNames(_ parameters: [(name: String, parameter: Parameter)], optimizer: String) {
    var seen = Set<String>()
    for (name, _) in parameters {
        precondition(seen.insert(name).inserted, "\(optimizer): parameter name \"\(name)\" appears twice")
    }
}

/// Stops with a clear message unless a learning rate set in code is usable.
func checkLearningRate(_ value: Double, optimizer: String) {
    precondition(value.isFinite && value >= 0, "\(optimizer): learning rate \(value) must be finite and ≥ 0")
}

/// Elements per chunk above which an update loop is split over the cores.
let optimizerChunk = 1 << 16
