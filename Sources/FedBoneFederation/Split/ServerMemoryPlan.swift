import Foundation

/// What the general-model server holds in memory for a round, as a function of the general
/// model's parameter count D, the participants per round K and the live replicas R (4-byte
/// floats throughout), and how many replicas a memory budget allows.
///
/// - Always: θ and its gradients (2·D), θ^t kept for the updates (D), Δ^{t−1} (D), the
///   aggregate and θ^{t+1} while aggregating (2·D), and — unless they are spilled to
///   memory-mapped files (``spillsUpdates``, `server.spill`) — the round's updates Δ_k (K·D:
///   gradient sums, or replica updates taken at each EndRound), and with batched passes of N
///   clients (`server.batchClients`) the N per-client parameter gradients a batched backward
///   holds until it ends (N·D).
/// - Per live replica (replica mode): its parameters, gradients and optimizer state
///   ((2 + s)·D, s = 2 for Adam and AdamW, 1 for SGD with momentum, else 0).
/// - Per sample of a pending Forward: the activations its autograd graph keeps until the
///   Backward (``activationBytesPerSample(_:grid:)``), which grow with the batch and the token
///   grid, not with D. They set the per-request batch cap (``batchCap(_:grid:replicas:)``).
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
    /// Where the round's updates go (`server.spill`).
    public let spill: ServerConfig.Spill
    /// Whether pending Forwards keep only their embeddings and features (`server.recomputeActivations`).
    public let recomputesActivations: Bool
    /// N, the most clients in one batched pass (`server.batchClients` in gradient mode, at most
    /// K; 1: one pass per client).
    public let batchClients: Int

    /// The plan for `config` with a general model of `parameters` parameters and `participants` per round.
    public init(config: ExperimentConfig, parameters: Int, participants: Int) {
        self.parameters = parameters
        self.participants = participants
        update = config.server.update
        optimizerCopies = config.server.optimization.optimizer.stateCopies
        budget = Int(((config.server.memoryBudgetGB ?? Self.defaultBudgetGB) * 1e9).rounded(.down))
        budgetIsDefault = config.server.memoryBudgetGB == nil
        recomputesActivations = config.server.recomputeActivations
        spill = config.server.spill
        batchClients = config.server.update == .gradient ? max(1, min(config.server.batchClients, participants)) : 1
    }

    /// Whether the round's updates live in memory-mapped files instead of memory: `server.spill:
    /// always`, or `auto` when the round (with one replica in replica mode) does not fit the
    /// budget with them in memory.
    public var spillsUpdates: Bool {
        switch spill {
        case .always: return true
        case .never: return false
        case .auto: return alwaysHeldBytes + updateBytes + (update == .replica ? replicaBytes : 0) > budget
        }
    }

    /// θ, its gradients, θ^t, Δ^{t−1}, Δ and θ^{t+1}: 6·D·4 bytes, and a batched backward's
    /// N per-client gradients, N·D·4 bytes (none unbatched).
    private var alwaysHeldBytes: Int { (6 + (batchClients > 1 ? batchClients : 0)) * parameters * 4 }

    /// The round's updates: K·D·4 bytes, in memory or spilled.
    private var updateBytes: Int { participants * parameters * 4 }

    /// The default budget: three quarters of the machine's physical memory, in GB.
    public static var defaultBudgetGB: Double { Double(ProcessInfo.processInfo.physicalMemory) * 0.75 / 1e9 }

    /// Bytes the server holds whatever the replicas (the updates only when not spilled).
    public var fixedBytes: Int { alwaysHeldBytes + (spillsUpdates ? 0 : updateBytes) }

    /// Bytes of disk the spilled updates take during a round (0 when they stay in memory).
    public var spilledBytes: Int { spillsUpdates ? updateBytes : 0 }

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

    /// An upper estimate of the bytes one sample's pending Forward keeps alive through the
    /// general model `general` for one sample's embeddings of `embeddingShape` (a token grid
    /// `[h, w, C]`, or a sequence `[L, C]` for a transformer). Per block with N tokens (Swin: padded
    /// to whole windows), C channels, h heads, attention span w² (Swin: its window; transformer:
    /// all N tokens) and MLP ratio r, (14 + 2r)·N·C floats of block activations plus 2·h·N·w² of
    /// attention scores and probabilities, and 3·N·C per Swin patch merging.
    /// `ActivationEstimateTests` checks it against the heap growth of a held Forward.
    public static func activationBytesPerSample(_ general: GeneralModelConfiguration, embeddingShape: [Int]) -> Int {
        switch general {
        case let .swin(c):
            return swinActivationBytes(c, grid: (embeddingShape[0], embeddingShape.count > 2 ? embeddingShape[1] : 1))
        case let .transformer(c):
            let n = embeddingShape.dropLast().reduce(1, *)
            let block = Int((14 + 2 * Double(c.mlpRatio)) * Double(n * c.embedDim)) + 2 * c.numHeads * n * n
            return (c.depth * block + 2 * n * c.embedDim) * 4
        }
    }

    private static func swinActivationBytes(_ general: SwinConfiguration, grid: (height: Int, width: Int)) -> Int {
        var floats = 0
        var h = grid.height, w = grid.width
        for stage in general.depths.indices {
            let c = general.dim(stage: stage), heads = general.numHeads[stage]
            let wh = min(general.windowSize, h), ww = min(general.windowSize, w)
            let padded = ((h + wh - 1) / wh * wh) * ((w + ww - 1) / ww * ww)
            let block = Int((14 + 2 * Double(general.mlpRatio)) * Double(padded * c)) + 2 * heads * padded * wh * ww
            floats += general.depths[stage] * block
            if stage + 1 < general.depths.count {
                floats += 3 * h * w * c
                h = (h + 1) / 2
                w = (w + 1) / 2
            }
        }
        return floats * 4
    }

    /// The largest batch one Forward or Infer may carry for one sample's `embeddingShape`: the budget left
    /// after the round's fixed bytes and `replicas` live replicas, shared by the Forwards that can
    /// be pending at once (one per live replica in replica mode, one per participant in gradient
    /// mode). 0 when not one sample fits.
    ///
    /// With ``recomputesActivations`` a pending Forward keeps only its embeddings and features
    /// (at most 2·|embedding| floats per sample: no general model here has more feature values
    /// than embedding values) and one Backward at a time rebuilds a whole graph (of N clients,
    /// batched), so the cap b solves pending·b·2·|e|·4 + N·b·A ≤ free.
    public func batchCap(_ general: GeneralModelConfiguration, embeddingShape: [Int], replicas: Int) -> Int {
        let free = max(budget - bytes(replicas: replicas), 0)
        let pending = max(update == .replica ? replicas : participants, 1)
        let activations = max(Self.activationBytesPerSample(general, embeddingShape: embeddingShape), 1)
        guard recomputesActivations else { return free / pending / activations }
        return free / (pending * 2 * embeddingShape.reduce(1, *) * 4 + batchClients * activations)
    }

    private var advice: String {
        update == .replica
            ? "raise server.memoryBudgetGB, sample fewer clients per round (training.clientsPerRound), choose a smaller model.general, or set server.update: gradient (no replicas)"
            : "raise server.memoryBudgetGB, sample fewer clients per round (training.clientsPerRound), choose a smaller model.general"
                + (batchClients > 1 ? " or lower server.batchClients" : "")
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
