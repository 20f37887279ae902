/// Which optimizer to build and its hyper-parameters, for run configurations.
///
/// In JSON it is one flat object: `"name"` (`"sgd"`, `"adam"` or `"adamw"`) beside the
/// hyper-parameters named as PyTorch's arguments, e.g.
/// `{"name": "sgd", "lr": 0.01, "momentum": 0.9}` or `{"name": "adamw", "lr": 0.001}`.
/// Absent values take PyTorch's defaults (AdamW's weight decay is 0.01); decoding validates
/// them and throws ``OptimizerConfigurationError`` for values PyTorch rejects.
public enum OptimizerConfiguration: Codable, Equatable, Sendable {
    case sgd(SGDHyperparameters)
    case adam(AdamHyperparameters)
    case adamW(AdamHyperparameters)

    /// Builds the optimizer over `parameters` (usually `module.namedParameters()`).
    public func makeOptimizer(_ parameters: [(name: String, parameter: Parameter)]) -> any Optimizer {
        switch self {
        case let .sgd(h): return SGD(parameters, h)
        case let .adam(h): return Adam(parameters, h)
        case let .adamW(h): return AdamW(parameters, h)
        }
    }

    /// How many parameter-sized state tensors the optimizer keeps (its memory is this many
    /// copies of the parameters): Adam's and AdamW's two moments, SGD's
    /// momentum buffer when it has momentum.
    public var stateCopies: Int {
        switch self {
        case let .sgd(h): return h.momentum > 0 ? 1 : 0
        case .adam, .adamW: return 2
        }
    }

    private enum NameKey: String, CodingKey { case name }

    public init(from decoder: any Decoder) throws {
        let name = try decoder.container(keyedBy: NameKey.self).decode(String.self, forKey: .name)
        switch name.lowercased() {
        case "sgd":
            self = .sgd(try SGDHyperparameters(from: decoder))
        case "adam":
            self = .adam(try AdamHyperparameters(from: decoder))
        case "adamw":
            var h = try AdamHyperparameters(from: decoder)
            let c = try decoder.container(keyedBy: AdamHyperparameters.CodingKeys.self)
            if !c.contains(.weightDecay) { h.weightDecay = 1e-2 }
            self = .adamW(h)
        default:
            throw OptimizerConfigurationError.unknownOptimizer(name)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: NameKey.self)
        switch self {
        case let .sgd(h):
            try c.encode("sgd", forKey: .name)
            try h.encode(to: encoder)
        case let .adam(h):
            try c.encode("adam", forKey: .name)
            try h.encode(to: encoder)
        case let .adamW(h):
            try c.encode("adamw", forKey: .name)
            try h.encode(to: encoder)
        }
    }
}
