/// One row of `fedbone compare`: a method, or a named FedBone ablation (FedBone with a few
/// config keys changed, applied like `--set`).
public struct ComparisonEntry: Sendable, Equatable {
    /// The row's name (the method's, or the ablation's).
    public let name: String
    /// The method it runs.
    public let method: FederatedMethod
    /// `key.path=value` changes to the compared config.
    public let overrides: [String]

    public init(name: String, method: FederatedMethod, overrides: [String] = []) {
        self.name = name
        self.method = method
        self.overrides = overrides
    }

    /// The method as it is configured.
    public init(_ method: FederatedMethod) { self.init(name: method.rawValue, method: method) }

    /// FedBone's ablations (issue 17): without the rescale step, without the projection, with
    /// CAGrad or GradVac in place of PCGrad, with the server in gradient mode, and without the
    /// task adaptation module (its linear reduction left).
    public static let ablations: [ComparisonEntry] = [
        ComparisonEntry(name: "fedbone-norescale", method: .fedbone, overrides: ["aggregation.rescale=false"]),
        ComparisonEntry(name: "fedbone-noproject", method: .fedbone, overrides: ["aggregation.project=false"]),
        ComparisonEntry(name: "fedbone-cagrad", method: .fedbone, overrides: ["aggregation.conflict=cagrad"]),
        ComparisonEntry(name: "fedbone-gradvac", method: .fedbone, overrides: ["aggregation.conflict=gradvac"]),
        ComparisonEntry(name: "fedbone-gradient", method: .fedbone, overrides: ["server.update=gradient"]),
        ComparisonEntry(name: "fedbone-noadapt", method: .fedbone, overrides: ["model.adaptation.enabled=false"]),
    ]

    /// Every name `--methods` accepts.
    public static var knownNames: [String] { FederatedMethod.allCases.map(\.rawValue) + ablations.map(\.name) }

    /// The method or ablation called `name`, if any.
    public static func named(_ name: String) -> ComparisonEntry? {
        FederatedMethod(rawValue: name).map(ComparisonEntry.init) ?? ablations.first { $0.name == name }
    }

    /// `base` with this entry's method and changes.
    public func config(from base: ExperimentConfig) throws -> ExperimentConfig {
        var config = overrides.isEmpty ? base : try ExperimentConfig.load(yaml: base.yaml(), overrides: overrides)
        config.method = method
        return config
    }
}
