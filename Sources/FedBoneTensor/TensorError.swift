/// Errors raised when a tensor is built from, or checked against, data that came from outside
/// the program (files, network messages, configs). Each message says what to fix.
///
/// Inside model code a shape mismatch is a programming error and stops the program with a
/// `precondition` naming the op and both shapes; data from outside is checked first with the
/// throwing functions that raise these errors, so a bad input never reaches an op.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// The number of scalars does not match the product of the shape.
    case countMismatch(shape: [Int], count: Int)
    /// A dimension is negative.
    case negativeDimension(shape: [Int])
    /// A tensor has a different shape from the one required.
    case shapeMismatch(name: String, expected: [Int], actual: [Int])
    /// A tensor holds NaN or infinity.
    case nonFinite(name: String, index: Int)

    public var description: String {
        switch self {
        case let .countMismatch(shape, count):
            return "shape \(shape) needs \(shape.reduce(1, *)) scalars but \(count) were given"
        case let .negativeDimension(shape):
            return "shape \(shape) has a negative dimension"
        case let .shapeMismatch(name, expected, actual):
            return "\(name): expected shape \(expected), got \(actual)"
        case let .nonFinite(name, index):
            return "\(name): element \(index) is NaN or infinite"
        }
    }
}
