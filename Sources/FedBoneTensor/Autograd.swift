import Synchronization

/// Monotonic node counter: a node is always created after its inputs, so sorting by
/// decreasing id is a topological order of the graph.
private let nodeCounter = Atomic<UInt64>(0)

/// One recorded value in the autograd graph.
///
/// A leaf (a parameter or an input made with ``Tensor/requiringGrad()``) has no backward
/// function and keeps its accumulated gradient. An interior node keeps the function that maps
/// the gradient of its output to the gradients of its inputs.
final class AutogradNode: @unchecked Sendable {
    let id: UInt64
    let shape: [Int]
    let inputs: [AutogradNode?]
    let backwardFunction: ((Tensor) -> [Tensor?])?
    /// Accumulated gradient (leaves only).
    var grad: Tensor?

    init(shape: [Int], inputs: [AutogradNode?], backward: ((Tensor) -> [Tensor?])?) {
        self.id = nodeCounter.add(1, ordering: .relaxed).newValue
        self.shape = shape
        self.inputs = inputs
        self.backwardFunction = backward
    }

    var isLeaf: Bool { backwardFunction == nil }
}

/// Whether ops record the autograd graph. Off inside ``withoutGrad(_:)``.
public enum GradMode {
    @TaskLocal static var isEnabled = true

    /// Whether ops currently record gradients.
    public static var enabled: Bool { isEnabled }
}

/// Runs `body` without recording any op for autograd (inference, optimizer updates).
public func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// Whether this tensor takes part in autograd.
    public var requiresGrad: Bool { node != nil }

    /// The gradient accumulated by ``backward(_:)`` for a leaf, or `nil`.
    public var grad: Tensor? { node?.grad }

    /// A leaf copy of this tensor that records the ops applied to it. The copy shares the
    /// scalars; its gradient starts empty.
    public func requiringGrad() -> Tensor {
        var t = self
        t.node = AutogradNode(shape: shape, inputs: [], backward: nil)
        return t
    }

    /// The same values cut off from the autograd graph.
    public func detached() -> Tensor {
        var t = self
        t.node = nil
        return t
    }

    /// Forgets the accumulated gradient of this leaf.
    public func zeroGrad() {
        node?.grad = nil
    }

    /// Replaces the accumulated gradient of this autograd variable (gradient clipping, gradients
    /// received from another party); `nil` forgets it. The new gradient must have this tensor's
    /// shape.
    public func setGrad(_ newGrad: Tensor?) {
        guard let node else { preconditionFailure("setGrad: tensor of shape \(shape) does not require gradients") }
        if let newGrad {
            precondition(newGrad.shape == shape, "setGrad: gradient shape \(newGrad.shape) differs from tensor shape \(shape)")
        }
        node.grad = newGrad?.detached()
    }

    /// Whether two tensors are the same autograd variable (same leaf or same recorded result).
    public func isSameVariable(as other: Tensor) -> Bool {
        guard let a = node, let b = other.node else { return false }
        return a === b
    }

    /// Records `result` as computed from `inputs`, when gradients are on and an input needs
    /// them. `backward` maps the gradient of the result to one gradient per input (`nil` for an
    /// input that does not need one); it runs with gradient recording off.
    static func record(_ result: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return result }
        var out = result
        out.node = AutogradNode(shape: result.shape, inputs: inputs.map(\.node), backward: backward)
        return out
    }

    /// Back-propagates from this tensor. Without a seed the tensor must hold one element and the
    /// seed is 1; with a seed (the gradient of some loss w.r.t. this tensor, as in split
    /// training) the seed must have this tensor's shape. Gradients accumulate in the leaves.
    public func backward(_ seed: Tensor? = nil) {
        guard let root = node else {
            preconditionFailure("backward: tensor of shape \(shape) does not require gradients")
        }
        let start: Tensor
        if let seed {
            precondition(seed.shape == shape, "backward: seed shape \(seed.shape) differs from tensor shape \(shape)")
            start = seed.detached()
        } else {
            precondition(count == 1, "backward: tensor of shape \(shape) is not a scalar; pass a seed gradient")
            start = Tensor(repeating: 1, shape: shape)
        }
        var order: [AutogradNode] = []
        var seen = Set<ObjectIdentifier>()
        var stack = [root]
        while let n = stack.popLast() {
            guard seen.insert(ObjectIdentifier(n)).inserted else { continue }
            order.append(n)
            for case let input? in n.inputs { stack.append(input) }
        }
        order.sort { $0.id > $1.id }
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): start]
        FlopCounter.$current.withValue(nil) { withoutGrad {
            for n in order {
                guard let g = pending.removeValue(forKey: ObjectIdentifier(n)) else { continue }
                guard let fn = n.backwardFunction else {
                    n.grad = n.grad.map { $0.adding(g) } ?? g
                    continue
                }
                let grads = fn(g)
                precondition(grads.count == n.inputs.count, "internal: backward returned \(grads.count) gradients for \(n.inputs.count) inputs")
                for (input, gi) in zip(n.inputs, grads) {
                    guard let input, let gi else { continue }
                    precondition(gi.shape == input.shape, "internal: gradient shape \(gi.shape) differs from input shape \(input.shape)")
                    let key = ObjectIdentifier(input)
                    if let existing = pending[key] {
                        pending[key] = existing.adding(gi)
                    } else {
                        pending[key] = gi
                    }
                }
            }
        } }
    }
}
