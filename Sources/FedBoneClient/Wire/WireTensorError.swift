/// Why a tensor that arrived over the network was refused. Raised before the tensor reaches
/// any model code; each message says what to fix.
public enum WireTensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The tensor field is missing from the message.
    case missing(name: String)
    /// The dtype is unset or not one this build knows (the raw enum value is given).
    case unknownDType(name: String, rawValue: Int)
    /// More dimensions than ``TensorLimits/maxRank``.
    case rankTooLarge(name: String, rank: Int, maxRank: Int)
    /// A dimension is negative.
    case negativeDimension(name: String, shape: [Int64])
    /// The product of the shape is larger than ``TensorLimits/maxElements`` (or overflows).
    case tooManyElements(name: String, shape: [Int64], maxElements: Int)
    /// The byte count is not element count × dtype width.
    case byteCountMismatch(name: String, shape: [Int64], dtype: WireDType, expected: Int, actual: Int)
    /// An element is NaN or infinite (after decoding from the 16-bit formats).
    case nonFinite(name: String, index: Int)
    /// The shape is not the one the protocol requires here.
    case shapeMismatch(name: String, expected: String, actual: [Int])

    public var description: String {
        switch self {
        case let .missing(name):
            return "\(name): the tensor is missing"
        case let .unknownDType(name, rawValue):
            return "\(name): unknown or unset dtype \(rawValue) (expected F32, F16 or BF16)"
        case let .rankTooLarge(name, rank, maxRank):
            return "\(name): \(rank) dimensions, at most \(maxRank) are allowed"
        case let .negativeDimension(name, shape):
            return "\(name): shape \(shape) has a negative dimension"
        case let .tooManyElements(name, shape, maxElements):
            return "\(name): shape \(shape) has more than the allowed \(maxElements) elements"
        case let .byteCountMismatch(name, shape, dtype, expected, actual):
            return "\(name): shape \(shape) in \(dtype.rawValue) needs \(expected) bytes, got \(actual)"
        case let .nonFinite(name, index):
            return "\(name): element \(index) is NaN or infinite"
        case let .shapeMismatch(name, expected, actual):
            return "\(name): expected shape \(expected), got \(actual)"
        }
    }

    /// True for the errors that mean "too big" rather than "malformed" (reported to the peer as
    /// RESOURCE_EXHAUSTED instead of INVALID_ARGUMENT).
    public var isSizeLimit: Bool {
        if case .tooManyElements = self { return true }
        return false
    }
}
