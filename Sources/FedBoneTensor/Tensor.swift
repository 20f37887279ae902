import Foundation

/// An n-dimensional array of `Float` with contiguous row-major storage and value semantics.
///
/// Copies share storage until one of them is mutated (copy-on-write, through Swift's `Array`).
/// A tensor may take part in reverse-mode automatic differentiation: a leaf made with
/// ``requiringGrad()`` records every op applied to it, and ``backward(_:)`` on a result fills
/// the leaf's ``grad``.
///
/// ```swift
/// let w = Tensor.randn([3, 4], generator: &rng).requiringGrad()
/// let loss = (x.matmul(w)).square().mean()
/// loss.backward()
/// print(w.grad!)
/// ```
public struct Tensor {
    /// The size of every dimension, outermost first. A scalar has shape `[]`.
    public internal(set) var shape: [Int]
    /// The scalars in row-major order.
    public internal(set) var scalars: [Float]
    /// The autograd record of this tensor, or `nil` when it does not require gradients.
    var node: AutogradNode?

    /// Creates a tensor from scalars in row-major order.
    /// - Throws: ``TensorError`` when the count does not match the shape.
    public init(shape: [Int], scalars: [Float]) throws {
        if shape.contains(where: { $0 < 0 }) { throw TensorError.negativeDimension(shape: shape) }
        guard shape.reduce(1, *) == scalars.count else {
            throw TensorError.countMismatch(shape: shape, count: scalars.count)
        }
        self.shape = shape
        self.scalars = scalars
        self.node = nil
    }

    /// Creates a tensor from scalars the program computed itself, whose count is known to match
    /// the shape (a mismatch stops the program). Data from outside goes through the throwing
    /// ``init(shape:scalars:)``.
    public init(uncheckedShape shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "internal: shape \(shape) does not match \(scalars.count) scalars")
        self.shape = shape
        self.scalars = scalars
        self.node = nil
    }

    /// Creates a tensor of the given shape, filling its uninitialized storage with `body`.
    init(shape: [Int], fill body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        _ = Allocator.tuned
        let count = shape.reduce(1, *)
        self.shape = shape
        self.scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(buffer)
            initialized = count
        }
        self.node = nil
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        precondition(!shape.contains(where: { $0 < 0 }), "shape \(shape) has a negative dimension")
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
        self.node = nil
    }

    /// A rank-0 tensor holding one value.
    public init(_ value: Float) {
        self.init(uncheckedShape: [], scalars: [value])
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The number of scalars.
    public var count: Int { scalars.count }

    /// The only scalar of a one-element tensor.
    public var item: Float {
        precondition(scalars.count == 1, "item: tensor of shape \(shape) has \(scalars.count) elements, not 1")
        return scalars[0]
    }

    /// Reads the scalars through a buffer pointer, without copying.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Mutates the scalars in place (copying first if the storage is shared). The shape is
    /// unchanged. Use this for optimizer updates; it is not recorded by autograd.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// Replaces the scalars with `values` of the same shape, keeping autograd identity. Used by
    /// optimizers and checkpoint loading.
    /// - Throws: ``TensorError/shapeMismatch(name:expected:actual:)`` when the shapes differ.
    public mutating func assign(_ values: Tensor) throws {
        guard values.shape == shape else {
            throw TensorError.shapeMismatch(name: "assign", expected: shape, actual: values.shape)
        }
        scalars = values.scalars
    }

    /// The dimension at `axis`, where negative axes count from the end.
    public func dim(_ axis: Int) -> Int { shape[normalizeAxis(axis, rank: rank)] }

    /// Throws when any element is NaN or infinite. `name` appears in the error.
    public func checkFinite(name: String) throws {
        if let index = scalars.firstIndex(where: { !$0.isFinite }) {
            throw TensorError.nonFinite(name: name, index: index)
        }
    }

    /// Throws unless the shape equals `expected`. `name` appears in the error.
    public func checkShape(_ expected: [Int], name: String) throws {
        guard shape == expected else {
            throw TensorError.shapeMismatch(name: name, expected: expected, actual: shape)
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        let more = scalars.count > 8 ? ", … (\(scalars.count) total)" : ""
        return "Tensor(shape: \(shape), [\(shown)\(more)]\(requiresGrad ? ", requiresGrad" : ""))"
    }
}

/// Turns a possibly negative axis into an index in `0..<rank`, stopping with a clear message
/// when it is out of range.
@inline(__always)
func normalizeAxis(_ axis: Int, rank: Int) -> Int {
    let a = axis < 0 ? axis + rank : axis
    precondition(a >= 0 && a < max(rank, 1), "axis \(axis) is out of range for rank \(rank)")
    return a
}
