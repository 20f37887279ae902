/// Why an optimizer state dict could not be loaded. Loading checks everything first, so after
/// any of these errors the optimizer is unchanged.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    /// A required key is absent (`"step"`, or one buffer of a parameter that has others).
    case missingKey(String)
    /// A key names no parameter or buffer of this optimizer (another model or optimizer kind).
    case unexpectedKey(String)
    /// A tensor has the wrong shape.
    case shapeMismatch(key: String, expected: [Int], actual: [Int])
    /// A step count is not a non-negative whole number.
    case invalidStep(key: String, value: Float)

    public var description: String {
        switch self {
        case let .missingKey(key):
            return "optimizer state: key \"\(key)\" is missing"
        case let .unexpectedKey(key):
            return "optimizer state: key \"\(key)\" does not belong to this optimizer (different model or optimizer kind?)"
        case let .shapeMismatch(key, expected, actual):
            return "optimizer state: \"\(key)\" should have shape \(expected) but has \(actual)"
        case let .invalidStep(key, value):
            return "optimizer state: \"\(key)\" is \(value), not a step count (a whole number ≥ 0)"
        }
    }
}

/// Reads an optimizer state dict, validating every entry before the caller applies any.
struct OptimizerStateReader {
    let stateDict: [String: Tensor]
    private var consumed: Set<String> = []

    init(_ stateDict: [String: Tensor]) { self.stateDict = stateDict }

    /// Whether any of the keys is present.
    func containsAny(_ keys: [String]) -> Bool { keys.contains { stateDict[$0] != nil } }

    /// The scalars under `key`, which must have `shape`.
    mutating func scalars(_ key: String, shape: [Int]) throws(OptimizerStateError) -> [Float] {
        guard let tensor = stateDict[key] else { throw .missingKey(key) }
        guard tensor.shape == shape else { throw .shapeMismatch(key: key, expected: shape, actual: tensor.shape) }
        consumed.insert(key)
        return tensor.scalars
    }

    /// The step count under `key`: a rank-0 tensor holding a whole number ≥ 0.
    mutating func step(_ key: String) throws(OptimizerStateError) -> Int {
        let value = try scalars(key, shape: [])[0]
        guard value.isFinite, value >= 0, value == value.rounded(), value < Float(1 << 24) else {
            throw .invalidStep(key: key, value: value)
        }
        return Int(value)
    }

    /// Throws for the first key (in sorted order) that was never read.
    func checkAllConsumed() throws(OptimizerStateError) {
        if let extra = stateDict.keys.filter({ !consumed.contains($0) }).sorted().first {
            throw .unexpectedKey(extra)
        }
    }
}

/// A step count as a rank-0 tensor (exact up to 2²⁴ steps).
func stepTensor(_ count: Int) -> Tensor { Tensor(Float(count)) }

/// A state tensor from scalars known to fill `shape` (buffers kept with their parameter's shape).
func stateTensor(_ shape: [Int], _ scalars: [Float]) -> Tensor {
    do { return try Tensor(shape: shape, scalars: scalars) } catch {
        preconditionFailure("internal: optimizer buffer does not fit its parameter: \(error)")
    }
}
