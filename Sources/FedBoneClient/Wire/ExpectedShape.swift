/// A shape that a tensor received over the network must have, with the leading (batch)
/// dimension free or fixed.
public struct ExpectedShape: Sendable, Equatable, CustomStringConvertible {
    /// A required size for each dimension; `nil` accepts any size ≥ `minimumFree`.
    public var dimensions: [Int?]
    /// Smallest size accepted for a free dimension.
    public var minimumFree: Int

    /// A shape whose every dimension is fixed.
    public static func exactly(_ shape: [Int]) -> ExpectedShape {
        ExpectedShape(dimensions: shape.map { $0 }, minimumFree: 1)
    }

    /// `[batch] + rest`, with any batch ≥ 1.
    public static func batched(_ rest: [Int]) -> ExpectedShape {
        ExpectedShape(dimensions: [nil] + rest.map { $0 }, minimumFree: 1)
    }

    /// Creates an expected shape; `nil` dimensions accept any size ≥ `minimumFree`.
    public init(dimensions: [Int?], minimumFree: Int = 1) {
        self.dimensions = dimensions
        self.minimumFree = minimumFree
    }

    /// True when `shape` satisfies every dimension.
    public func matches(_ shape: [Int]) -> Bool {
        guard shape.count == dimensions.count else { return false }
        for (size, required) in zip(shape, dimensions) {
            if let required {
                if size != required { return false }
            } else if size < minimumFree {
                return false
            }
        }
        return true
    }

    /// Throws ``WireTensorError/shapeMismatch(name:expected:actual:)`` unless `tensor` matches.
    public func check(_ tensor: Tensor, name: String) throws(WireTensorError) {
        guard matches(tensor.shape) else {
            throw .shapeMismatch(name: name, expected: description, actual: tensor.shape)
        }
    }

    /// The shape with free dimensions written as `N`, e.g. `[N, 49, 96]`.
    public var description: String {
        "[" + dimensions.map { $0.map(String.init) ?? "N" }.joined(separator: ", ") + "]"
    }
}
