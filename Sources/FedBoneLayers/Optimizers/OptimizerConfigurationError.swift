/// An optimizer hyper-parameter outside the range PyTorch accepts (raised when a configuration
/// is decoded or validated).
public enum OptimizerConfigurationError: Error, Equatable, CustomStringConvertible {
    /// `name` is `value`, which breaks `requirement`.
    case invalidValue(name: String, value: Double, requirement: String)
    /// Nesterov momentum needs momentum > 0 and dampening 0.
    case nesterovNeedsMomentumWithoutDampening
    /// A configuration names an optimizer this package does not have.
    case unknownOptimizer(String)

    public var description: String {
        switch self {
        case let .invalidValue(name, value, requirement):
            return "optimizer configuration: \(name) is \(value) but must be \(requirement)"
        case .nesterovNeedsMomentumWithoutDampening:
            return "optimizer configuration: nesterov needs momentum > 0 and dampening = 0"
        case let .unknownOptimizer(name):
            return "optimizer configuration: unknown optimizer \"\(name)\" (use sgd, adam or adamw)"
        }
    }
}

/// Throws unless `value` is finite and within `range`.
func requireValue(_ name: String, _ value: Double, in range: ClosedRange<Double>,
                  _ requirement: String) throws(OptimizerConfigurationError) {
    guard value.isFinite, range.contains(value) else {
        throw .invalidValue(name: name, value: value, requirement: requirement)
    }
}
