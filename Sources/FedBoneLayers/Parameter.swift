/// A trainable tensor owned by a module. It is a reference so that the module, the optimizer
/// and checkpoint code all see the same value; its tensor is an autograd leaf, so after
/// `backward()` its gradient is in ``grad``.
public final class Parameter {
    /// The current value (an autograd leaf).
    public private(set) var value: Tensor

    /// A parameter starting at `initial`.
    public init(_ initial: Tensor) {
        value = initial.detached().requiringGrad()
    }

    /// The gradient accumulated since the last ``zeroGrad()``.
    public var grad: Tensor? { value.grad }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { value.zeroGrad() }

    /// Replaces the value's scalars (same shape), keeping the parameter's identity. Not recorded
    /// by autograd.
    /// - Throws: `TensorError.shapeMismatch` when the shape differs.
    public func assign(_ newValue: Tensor) throws { try value.assign(newValue) }

    /// Updates the scalars in place (optimizer steps).
    public func update(_ body: (inout UnsafeMutableBufferPointer<Float>) -> Void) {
        value.withUnsafeMutableBufferPointer(body)
    }
}

/// A non-trainable tensor that belongs to a module's state (e.g. batch-norm running
/// statistics): saved and loaded with the parameters, never given to an optimizer.
public final class Buffer {
    /// The current value.
    public var value: Tensor

    /// A buffer starting at `initial`.
    public init(_ initial: Tensor) { value = initial.detached() }
}
