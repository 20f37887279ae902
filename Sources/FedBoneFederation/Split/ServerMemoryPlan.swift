import Foundation

/// What the general-model server holds in memory for a round, as a function of the general
/// model's parameter count D, the participants per round K and the live replicas R (4-byte
/// floats throughout), and how many replicas a memory budget allows.
///
/// - Always: θ and its gradients (2·D), θ^t kept for the updates (D), Δ^{t−1} (D), the
///   aggregate and θ^{t+1} while aggregating (2·D), and the round's updates Δ_k (K·D: gradient
///   sums, or replica updates taken at each EndRound).
/// - Per live replica (replica mode): its parameters, gradients and optimizer state
///   ((2 + s)·D, s = 2 for Adam and AdamW, 1 for SGD with momentum, else 0).
/// - Not counted: activations of pending Forwards, which grow with the batch and the image
///   size, not with D (PERFORMANCE.md measures them).
public struct ServerMemoryPlan: Sendable, Equatable {
    /// D, the general model's parameters.
    public let parameters: Int
    /// K, the participants of a round.
    public let participants: Int
    /// How the server turns mini-batches into updates.
    public let update: ServerConfig.Update
    /// s, the optimizer's D-sized state tensors per replica.
    public let optimizerCopies: Int
    /// The budget in bytes.
    public let budget: Int
    /// Whether the budget is the default (no `server.memoryBudgetGB`).
    public let budgetIsDefault: Bool

    /// The plan for `config` with a general model of `parameters` parameters and `participants` per round.
    public init(config: ExperimentConfig, parameters: Int, participants: Int) {
        self.parameters = parameters
        self.participants = participants
        update = config.server.update
        optimizerCopies = config.server.optimization.optimizer.stateCopies
        budget = Int(((config.server.memoryBudgetGB ?? Self.defaultBudgetGB) * 1e9).rounded(.down))
        budgetIsDefault = config.server.memoryBudgetGB == nil
    }

    /// The default budget: three quarters of the machine's physical memory, in GB.
    public static var defaultBudgetGB: Double { Double(ProcessInfo.processInfo.physicalMemory) * 0.75 / 1e9 }

    /// Bytes the server holds whatever the replicas.
    public var fixedBytes: Int { (6 + participants) * parameters * 4 }

    /// Bytes of one live replica.
    public var replicaBytes: Int { (2 + optimizerCopies) * parameters * 4 }

    /// Bytes with `replicas` live replicas (0 in gradient mode).
    public func bytes(replicas: Int) -> Int { fixedBytes + (update == .replica ? replicas * replicaBytes : 0) }

    /// The most replicas alive at once: `requested` (`server.maxConcurrentReplicas`) or as many
    /// as the budget holds, at most K; nil in gradient mode.
    /// - Throws: ``ServerMemoryError/doesNotFit(neededGB:budget:advice:)`` when the server
    ///   cannot fit the round (with one replica in replica mode), or the requested bound does not fit.
    public func replicaBound(requested: Int?) throws -> Int? {
        let minimum = update == .replica ? 1 : 0
        guard bytes(replicas: minimum) <= budget else {
            throw ServerMemoryError.doesNotFit(neededGB: Self.gb(bytes(replicas: minimum)), budget: budgetText, advice: advice)
        }
        guard update == .replica else { return nil }
        let fits = min((budget - fixedBytes) / replicaBytes, max(participants, 1))
        guard let requested else { return fits }
        guard bytes(replicas: requested) <= budget else {
            throw ServerMemoryError.doesNotFit(neededGB: Self.gb(bytes(replicas: requested)), budget: budgetText,
                                               advice: "lower server.maxConcurrentReplicas to \(fits) or less, or raise server.memoryBudgetGB")
        }
        return requested
    }

    private var advice: String {
        update == .replica
            ? "raise server.memoryBudgetGB, sample fewer clients per round (training.clientsPerRound), choose a smaller model.general, or set server.update: gradient (no replicas)"
            : "raise server.memoryBudgetGB, sample fewer clients per round (training.clientsPerRound) or choose a smaller model.general"
    }

    private var budgetText: String {
        let gb = String(format: "%.3g GB", Double(budget) / 1e9)
        return budgetIsDefault ? "\(gb) (the default: three quarters of this machine's memory)" : "\(gb) (server.memoryBudgetGB)"
    }

    /// Bytes in GB, rounded up to 0.01.
    private static func gb(_ bytes: Int) -> Double { (Double(bytes) / 1e7).rounded(.up) / 100 }
}

/// The server's round does not fit its memory budget.
public enum ServerMemoryError: Error, Equatable, CustomStringConvertible {
    /// A round needs `neededGB`; `budget` says the budget and where it comes from.
    case doesNotFit(neededGB: Double, budget: String, advice: String)

    public var description: String {
        switch self {
        case let .doesNotFit(needed, budget, advice):
            return "the general-model server needs \(needed) GB for a round but its memory budget is \(budget): \(advice)"
        }
    }
}
