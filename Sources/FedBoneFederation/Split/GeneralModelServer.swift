import Foundation

/// The cloud side of FedBone (DESIGN §2): the general model θ, per-client replicas (`replica`
/// mode) or gradient accumulators (`gradient` mode), and GP aggregation at the end of a round.
///
/// A round: ``beginRound(_:participants:replicaLearningRate:serverLearningRate:)``, then the
/// participants' ``forward(client:round:step:embeddings:lengths:)``/``backward(client:round:step:featureGradient:)``
/// pairs in any interleaving, then each participant's ``endRound(client:round:)``; the last one
/// aggregates: Δ = GPAggregate({Δ_k}, Δ^{t−1}), θ^{t+1} = θ^t − η_s Δ. The updates Δ_k are taken in
/// registration order, and replicas never interact, so the result does not depend on the order
/// in which requests arrive.
///
/// Every request is validated before anything changes; a refused request leaves the server as it was.
///
/// Poison: features that come out NaN or infinite (finite but huge embeddings) refuse the
/// Forward, and gradients that come out NaN or infinite refuse the Backward (the step stays
/// pending). At the end of the round each update Δ_k passes the ``screen`` (finite, and a norm
/// at most 100 times the median of the others'); an update that fails it is left out of the
/// aggregation (``lastRejections``), and a round whose θ^{t+1} would not be finite is abandoned.
///
/// Retries: a ``forward(client:round:step:embeddings:lengths:)`` of the step that awaits its
/// backward, with the same embeddings (same shape and values) and lengths, is a retry of a call whose answer was lost:
/// it returns the same features without running the model again. The same step with other
/// embeddings is refused (``GeneralModelServiceError/outOfOrder(client:reason:)``).
public final class GeneralModelServer: GeneralModelService {
    /// θ, the general model (θ^t during round t).
    public let model: any GeneralModel
    /// How the server turns mini-batches into updates.
    public let update: ServerConfig.Update
    /// The aggregation of the round's updates.
    public var aggregator: GPAggregate
    /// The optimizer that steps each replica (fresh at the start of each round).
    public let replicaOptimizer: OptimizerConfiguration
    /// The most replicas alive at once (replica mode; nil: as many as there are participants).
    /// A participant's replica lives from its first Forward of the round to its EndRound, when
    /// its update Δ_k is taken and the replica is handed to the next participant, so a bound
    /// caps the server's memory without changing any result (replicas never interact).
    /// ``hasReplicaSlot(for:)`` says whether a participant's Forward can start now.
    public var maxConcurrentReplicas: Int?
    /// The registered clients in registration order, with their training sample counts.
    public private(set) var clients: [(id: ClientID, samples: Int)]
    /// The round being trained (1-based); between rounds, the next one.
    public private(set) var round = 1
    /// Δ^{t−1}, the previous round's aggregate (`nil` before the first aggregation).
    public private(set) var previousUpdate: [Float]?
    /// The last aggregation's record.
    public private(set) var lastRecord: AggregationRecord?
    /// GradVac's cosine targets φ̂_ij between registered clients (`clients` order, C×C), carried
    /// from round to round (`aggregation.conflict: gradvac`). Checkpoints do not hold them: they
    /// start at 0, and start again at 0 on ``restore(general:previousUpdate:nextRound:)``.
    public private(set) var alignmentTargets: [[Double]]
    /// Where the round's updates live: nil in memory; a folder, in memory-mapped files there
    /// (``spillUpdates(to:)``). Results do not depend on it.
    public private(set) var spillDirectory: URL?
    /// Whether a Forward keeps only its embeddings and features, and its Backward runs the
    /// forward pass again to rebuild the graph (`server.recomputeActivations`): a pending step
    /// then holds 2 tensors instead of every activation, for one more forward pass per step.
    /// The rebuilt pass is the same computation (same θ or replica, same drop-path draws), so
    /// results do not depend on it.
    public var recomputeActivations = false
    /// Which updates may be aggregated.
    public var screen = UpdateScreen()
    /// The updates the last closed round left out, and why.
    public private(set) var lastRejections: [UpdateRejection] = []
    /// How many general-model passes have served the Forwards of several clients at once
    /// (``forward(batch:)``), since the server was made.
    public internal(set) var batchedPasses = 0

    /// θ's parameters in order (a module walks its tree to list them: once here, not per step).
    let modelParameters: [Parameter]
    /// Each replica's parameters in order, listed once (the replica is held, so its identifier
    /// stays its own).
    private var replicaParameters: [ObjectIdentifier: (replica: any GeneralModel, parameters: [Parameter])] = [:]
    private let seed: UInt64
    private var participants: [ClientID] = []
    private var ended: Set<ClientID> = []
    private var roundStart: [Float] = []
    private var serverLearningRate = 1.0
    private var replicaLearningRate = 0.0
    /// The participants' live replicas.
    private var replicas: [ClientID: any GeneralModel] = [:]
    /// Replicas no participant holds, kept for the next ones (never more than were live at once),
    /// each with its optimizer when that can be reset instead of made again (Adam, AdamW).
    private var spareReplicas: [(model: any GeneralModel, optimizer: (any ReusableOptimizer)?)] = []
    /// Δ_k of the participants that ended the round (replica mode).
    private var replicaUpdates: [ClientID: UpdateVector] = [:]
    private var optimizers: [ClientID: any Optimizer] = [:]
    /// Each participant's gradient sum, from its first Forward of the round (gradient mode).
    var gradientSums: [ClientID: UpdateVector] = [:]
    /// Each participant's trained steps in the open round.
    var batches: [ClientID: Int] = [:]
    var pending: [ClientID: PendingStep] = [:]

    /// What a forward leaves for its backward: the graph from `input` to `output`, or (with
    /// `recompute`) the two tensors alone, the graph to be rebuilt by the backward. A step of a
    /// batched pass (``forward(batch:)``) holds its own embeddings and features and the pass
    /// in `group`; without the group (its pass ran without it) it is recomputed alone.
    struct PendingStep {
        var step: Int
        var input: Tensor
        var lengths: [Int]?
        var output: Tensor
        var recompute: Bool
        var group: BatchedPass? = nil
    }

    /// A server over `model` for `clients` (ids with their training sample counts).
    /// - Parameter seed: seeds the aggregation's per-round shuffles and each step's drop-path
    ///   draws (from the round, the client's place in `clients` and the step).
    public init(model: any GeneralModel, clients: [(id: ClientID, samples: Int)], update: ServerConfig.Update,
                replicaOptimizer: OptimizerConfiguration, aggregator: GPAggregate, seed: UInt64) {
        precondition(Set(clients.map(\.id)).count == clients.count, "GeneralModelServer: client ids must be unique")
        self.model = model
        self.clients = clients
        self.update = update
        self.replicaOptimizer = replicaOptimizer
        self.aggregator = aggregator
        self.seed = seed
        modelParameters = model.parameters()
        alignmentTargets = Self.zeroTargets(clients.count)
    }

    /// Starts round `round` for `participants` (registered ids). θ^t is the current model.
    /// - Parameters:
    ///   - replicaLearningRate: the replica optimizer's learning rate this round (replica mode).
    ///   - serverLearningRate: η_s for this round's θ^{t+1} = θ^t − η_s Δ.
    public func beginRound(_ round: Int, participants: [ClientID], replicaLearningRate: Double, serverLearningRate: Double) throws {
        for id in participants where !clients.contains(where: { $0.id == id }) { throw GeneralModelServiceError.unknownClient(id) }
        let chosen = Set(participants)
        self.round = round
        self.participants = clients.map(\.id).filter { chosen.contains($0) }
        self.serverLearningRate = serverLearningRate
        ended = []
        pending = [:]
        gradientSums = [:]
        batches = [:]
        releaseReplicas()
        roundStart = model.flatParameters()
        model.train()
        self.replicaLearningRate = replicaLearningRate
    }

    /// Takes the memory settings of a round's `plan` and of `settings` (the config's `server`):
    /// the replica bound, spilled updates and recomputed activations.
    /// - Throws: ``ServerMemoryError`` when the round cannot fit the budget (or the requested
    ///   bound does not); ``UpdateVectorError`` when the spill folder cannot take a file.
    public func apply(_ plan: ServerMemoryPlan, settings: ServerConfig) throws {
        maxConcurrentReplicas = try plan.replicaBound(requested: settings.maxConcurrentReplicas)
        if plan.spillsUpdates { try spillUpdates(to: settings.spillFolder) }
        recomputeActivations = settings.recomputeActivations
    }

    /// From now on, keeps the round's updates in memory-mapped files in `directory` (spilled:
    /// the kernel writes them back and evicts them under memory pressure) instead of memory.
    /// - Throws: ``UpdateVectorError`` when a file cannot be made there (checked now).
    public func spillUpdates(to directory: URL) throws {
        _ = try UpdateVector(zeros: 1, spillDirectory: directory)
        spillDirectory = directory
    }

    /// Whether `client`'s next Forward can run now: it holds a replica, a replica slot is free,
    /// or the server trains θ itself (gradient mode).
    public func hasReplicaSlot(for client: ClientID) -> Bool {
        update != .replica || replicas[client] != nil || replicas.count < (maxConcurrentReplicas ?? Int.max)
    }

    /// A replica of θ^t (θ does not change during a round in replica mode) with a fresh
    /// optimizer for `id`, from the spare ones when there is one (a spare optimizer is reset:
    /// the same steps as a new one, without allocating its D-sized moments again).
    private func prepareReplica(_ id: ClientID) throws {
        let spare = spareReplicas.popLast()
        let replica = try spare?.model ?? model.sameShape(seed: 0)
        try replica.load(stateDict: model.stateDict())
        replica.train()
        replicas[id] = replica
        let optimizer: any Optimizer
        if let reused = spare?.optimizer {
            reused.reset()
            optimizer = reused
        } else {
            optimizer = replicaOptimizer.makeOptimizer(replica.namedParameters())
        }
        optimizer.learningRate = replicaLearningRate
        optimizers[id] = optimizer
    }

    /// Hands `client`'s replica, with its optimizer when that can be reset, to the spare ones.
    private func releaseReplica(_ client: ClientID) {
        if let replica = replicas.removeValue(forKey: client) {
            spareReplicas.append((replica, optimizers[client] as? any ReusableOptimizer))
        }
        optimizers[client] = nil
    }

    /// Releases every live replica and forgets the round's replica updates.
    private func releaseReplicas() {
        for id in Array(replicas.keys) { releaseReplica(id) }
        optimizers = [:]
        replicaUpdates = [:]
    }

    /// Sets the training sample count of a registered client (its weight with
    /// `aggregation.weighting: samples`), as a networked client states it when it joins.
    public func setSamples(_ samples: Int, for client: ClientID) throws {
        guard let index = clients.firstIndex(where: { $0.id == client }) else { throw GeneralModelServiceError.unknownClient(client) }
        clients[index].samples = samples
    }

    /// True when `client` has trained a step of the open round or has a forward awaiting its backward.
    public func hasProgress(_ client: ClientID) -> Bool {
        batches[client] != nil || pending[client] != nil
    }

    /// Adds a registered client that joined late to the open round (θ is still θ^t during a
    /// round: only replicas and gradient sums change). Returns false when no round is open or
    /// the client already takes part.
    @discardableResult
    public func admit(_ client: ClientID) throws -> Bool {
        guard clients.contains(where: { $0.id == client }) else { throw GeneralModelServiceError.unknownClient(client) }
        guard !participants.isEmpty, !participants.contains(client) else { return false }
        let chosen = Set(participants + [client])
        participants = clients.map(\.id).filter { chosen.contains($0) }
        return true
    }

    /// Restores θ, Δ^{t−1} and the next round from a checkpoint.
    public func restore(general: [String: Tensor], previousUpdate: [Float]?, nextRound: Int) throws {
        if let previousUpdate, previousUpdate.count != model.parameterCount {
            throw ModelError.checkpointMismatch("previous update has \(previousUpdate.count) values, the general model \(model.parameterCount) parameters")
        }
        try model.load(stateDict: general)
        self.previousUpdate = previousUpdate
        alignmentTargets = Self.zeroTargets(clients.count)
        round = nextRound
        participants = []
    }

    // MARK: GeneralModelService

    public func forward(client: ClientID, round: Int, step: Int, embeddings: Tensor, lengths: [Int]?) throws -> Tensor {
        try checkParticipant(client, round: round)
        if let p = pending[client] {
            guard p.step == step else {
                throw GeneralModelServiceError.outOfOrder(client: client, reason: "forward of step \(step) while step \(p.step) awaits its backward")
            }
            guard p.input.shape == embeddings.shape, p.lengths == lengths, p.input.scalars == embeddings.scalars else {
                throw GeneralModelServiceError.outOfOrder(
                    client: client, reason: "step \(step) was already run with other embeddings; a retried Forward must send the same embeddings")
            }
            return p.output.detached()
        }
        try validate(embeddings, lengths: lengths, of: client)
        if update == .replica, replicas[client] == nil {
            guard hasReplicaSlot(for: client) else {
                throw GeneralModelServiceError.replicasBusy(client: client, limit: maxConcurrentReplicas ?? replicas.count)
            }
            try prepareReplica(client)
        }
        try prepareGradientSum(client)
        let network = self.network(of: client)
        reseedDropPath(network, client: client, step: step)
        clearGradients(of: network)
        let input = recomputeActivations ? embeddings.detached() : embeddings.detached().requiringGrad()
        let output = recomputeActivations ? withoutGrad { network(input, lengths: lengths) } : network(input, lengths: lengths)
        guard output.scalars.allSatisfy(\.isFinite) else {
            throw GeneralModelServiceError.nonFiniteFeatures(client: client)
        }
        pending[client] = PendingStep(step: step, input: input, lengths: lengths, output: output, recompute: recomputeActivations)
        return output.detached()
    }

    /// Starts `client`'s gradient sum at its first Forward of the round (gradient mode).
    func prepareGradientSum(_ client: ClientID) throws {
        if update == .gradient, gradientSums[client] == nil {
            gradientSums[client] = try UpdateVector(zeros: roundStart.count, spillDirectory: spillDirectory)
        }
    }

    /// Adds one step's parameter gradients (θ's parameters in order; nil: zero) to `client`'s
    /// sum, in place (a flat copy would cost D floats per step). A spilled sum hands its pages
    /// back at once, so that the round's sums do not all stay resident.
    func accumulate(_ client: ClientID, gradients: [Tensor?]) {
        guard let sum = gradientSums[client] else { return }
        var offset = 0
        for (parameter, gradient) in zip(modelParameters, gradients) {
            if let gradient { sum.add(gradient.scalars, at: offset) }
            offset += parameter.value.count
        }
        sum.releaseResidentPages()
    }

    /// `network`'s parameters in order: θ's or a replica's, from lists made once.
    func parameters(of network: any GeneralModel) -> [Parameter] {
        if network === model { return modelParameters }
        let key = ObjectIdentifier(network)
        if let entry = replicaParameters[key] { return entry.parameters }
        let parameters = network.parameters()
        replicaParameters[key] = (network, parameters)
        return parameters
    }

    /// Forgets `network`'s parameter gradients.
    func clearGradients(of network: any GeneralModel) {
        for parameter in parameters(of: network) { parameter.zeroGrad() }
    }

    /// Seeds `network`'s drop-path draws for `client`'s `step` of this round (the same draws
    /// when a Backward runs the forward pass again).
    private func reseedDropPath(_ network: any GeneralModel, client: ClientID, step: Int) {
        guard network.generalConfiguration.dropPathRate > 0 else { return }
        network.reseedDropPath(dropPathGenerator(client: client, step: step))
    }

    /// The drop-path draws of `client`'s `step` of this round: from the round, the client's
    /// place in `clients` and the step.
    func dropPathGenerator(client: ClientID, step: Int) -> SeededGenerator {
        let index = clients.firstIndex(where: { $0.id == client }) ?? clients.count
        let stream = UInt64(truncatingIfNeeded: round) << 40 ^ UInt64(index) << 24 ^ UInt64(truncatingIfNeeded: step)
        return SeededGenerator(seed: seed).fork(dropPathStream ^ stream)
    }

    public func backward(client: ClientID, round: Int, step: Int, featureGradient: Tensor) throws -> Tensor {
        try checkParticipant(client, round: round)
        let p = try pendingStep(client: client, step: step, featureGradient: featureGradient)
        if p.group != nil {
            return try backward(batch: [BackwardRequest(client: client, round: round, step: step, featureGradient: featureGradient)])[0].get()
        }
        let network = self.network(of: client)
        var graph = p
        if p.recompute {
            reseedDropPath(network, client: client, step: step)
            graph.input = p.input.requiringGrad()
            graph.output = network(graph.input, lengths: p.lengths)
        }
        graph.output.backward(featureGradient.detached())
        let embeddingGradient = graph.input.grad ?? .zeros(p.input.shape)
        guard embeddingGradient.scalars.allSatisfy(\.isFinite),
              parameters(of: network).allSatisfy({ $0.grad?.scalars.allSatisfy(\.isFinite) ?? true }) else {
            clearGradients(of: network)
            graph.input.zeroGrad()
            throw GeneralModelServiceError.nonFiniteGradients(client: client)
        }
        pending[client] = nil
        switch update {
        case .replica:
            if let optimizer = optimizers[client] {
                optimizer.step()
                optimizer.zeroGrad()
            }
        case .gradient:
            accumulate(client, gradients: modelParameters.map(\.grad))
            clearGradients(of: model)
        }
        batches[client, default: 0] += 1
        return embeddingGradient
    }

    /// Checks embeddings from `client` before they reach the model.
    /// - Throws: ``GeneralModelServiceError/badEmbeddings(client:reason:)`` saying what is wrong.
    func validate(_ embeddings: Tensor, lengths: [Int]?, of client: ClientID) throws {
        do { try model.validate(embeddings: embeddings, lengths: lengths) } catch {
            throw GeneralModelServiceError.badEmbeddings(client: client, reason: "\(error)")
        }
    }

    /// `client`'s pending step `step`, when `featureGradient` fits it (shape, finite).
    func pendingStep(client: ClientID, step: Int, featureGradient: Tensor) throws -> PendingStep {
        guard let p = pending[client], p.step == step else {
            throw GeneralModelServiceError.outOfOrder(client: client, reason: "backward of step \(step) without its forward")
        }
        guard featureGradient.shape == p.output.shape else {
            throw GeneralModelServiceError.badFeatureGradient(client: client, reason: "expected shape \(p.output.shape), got \(featureGradient.shape)")
        }
        do { try featureGradient.checkFinite(name: "feature gradient") } catch {
            throw GeneralModelServiceError.badFeatureGradient(client: client, reason: "\(error)")
        }
        return p
    }

    public func infer(client: ClientID, embeddings: Tensor, lengths: [Int]?) throws -> Tensor {
        guard clients.contains(where: { $0.id == client }) else { throw GeneralModelServiceError.unknownClient(client) }
        try validate(embeddings, lengths: lengths, of: client)
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let features = withoutGrad { model(embeddings.detached(), lengths: lengths) }
        guard features.scalars.allSatisfy(\.isFinite) else {
            throw GeneralModelServiceError.nonFiniteFeatures(client: client)
        }
        return features
    }

    public func endRound(client: ClientID, round: Int) throws -> Int {
        try checkParticipant(client, round: round)
        if pending[client] != nil {
            throw GeneralModelServiceError.outOfOrder(client: client, reason: "end of round while a step awaits its backward")
        }
        if update == .replica {
            if let replica = replicas[client] {
                let delta = try UpdateVector(copying: replica.flatParameters(), spillDirectory: spillDirectory)
                delta.subtract(from: roundStart)
                delta.releaseResidentPages()
                replicaUpdates[client] = delta
            }
            releaseReplica(client)
        }
        ended.insert(client)
        guard ended.count == participants.count else { return round }
        aggregate()
        return self.round
    }

    // MARK: Faults

    /// The participants of the open round, in registration order (empty between rounds).
    public var roundParticipants: [ClientID] { participants }

    /// The participants of the open round that have ended it.
    public var endedParticipants: Set<ClientID> { ended }

    /// Drops `client` from the open round (it disconnected or timed out): its replica or
    /// gradient sum takes no part in the aggregation. When every remaining participant has
    /// already ended the round, the round is aggregated now; when none remains, it is
    /// abandoned (``abandonRound()``). Returns true when the round closed.
    @discardableResult
    public func drop(client: ClientID) -> Bool {
        guard let index = participants.firstIndex(of: client) else { return false }
        participants.remove(at: index)
        ended.remove(client)
        pending[client] = nil
        gradientSums[client] = nil
        releaseReplica(client)
        replicaUpdates[client] = nil
        batches[client] = nil
        guard !participants.isEmpty else {
            abandonRound()
            return true
        }
        guard ended.count == participants.count else { return false }
        aggregate()
        return true
    }

    /// Closes the open round without aggregating: θ and Δ^{t−1} stay as they were and the
    /// server moves on to the next round (a round with too few clients does not count).
    public func abandonRound() {
        lastRecord = nil
        lastRejections = []
        round += 1
        participants = []
        ended = []
        pending = [:]
        gradientSums = [:]
        batches = [:]
        releaseReplicas()
    }

    // MARK: Aggregation

    /// Takes Δ_k of a participant out of the round's state (no copy): θ^t − θ_k, taken at its
    /// EndRound (replica), or its mean gradient, divided in place (gradient). Zero for a
    /// participant that trained no step.
    private func takeUpdate(_ id: ClientID) -> UpdateVector {
        switch update {
        case .replica:
            return replicaUpdates.removeValue(forKey: id) ?? UpdateVector(zeros: roundStart.count)
        case .gradient:
            guard let sum = gradientSums.removeValue(forKey: id) else { return UpdateVector(zeros: roundStart.count) }
            sum.divide(by: Float(max(batches[id] ?? 0, 1)))
            sum.releaseResidentPages()
            return sum
        }
    }

    /// Separates the drop-path streams from the aggregation's (which fork by the round alone).
    private let dropPathStream: UInt64 = 0xD809_0000_0000_0000

    /// Aggregates the updates that pass the ``screen`` (abandons the round when none does, or
    /// when θ^{t+1} would not be finite) and moves to the next round.
    private func aggregate() {
        let updates = participants.map(takeUpdate)
        let reasons = screen.reasons(for: updates)
        let rejections = zip(participants, reasons).compactMap { id, reason in reason.map { UpdateRejection(client: id, reason: $0) } }
        let kept = participants.indices.filter { reasons[$0] == nil }
        guard !kept.isEmpty else {
            abandonRound()
            lastRejections = rejections
            return
        }
        let counts = kept.map { k in clients.first { $0.id == participants[k] }?.samples ?? 0 }
        let generator = SeededGenerator(seed: seed).fork(UInt64(round))
        let keptIDs = kept.map { participants[$0] }
        let places = keptIDs.compactMap { id in clients.firstIndex { $0.id == id } }
        let targets = places.map { i in places.map { j in alignmentTargets[i][j] } }
        let result = aggregator.aggregate(kept.map { updates[$0] }, previous: previousUpdate, sampleCounts: counts,
                                          generator: generator, alignmentTargets: targets)
        let eta = Float(serverLearningRate)
        let next = zip(roundStart, result.aggregate).map { $0 - eta * $1 }
        guard next.allSatisfy(\.isFinite) else {
            abandonRound()
            lastRejections = rejections + keptIDs.map { UpdateRejection(client: $0, reason: "the round's aggregate is not finite; the round is abandoned") }
            return
        }
        model.assignFlatParameters(next)
        for (a, i) in places.enumerated() {
            for (b, j) in places.enumerated() { alignmentTargets[i][j] = result.alignmentTargets[a][b] }
        }
        previousUpdate = result.aggregate
        lastRejections = rejections
        lastRecord = AggregationRecord(round: round, clients: kept.map { participants[$0].name }, result: result,
                                       serverLearningRate: serverLearningRate)
        round += 1
        participants = []
        ended = []
        gradientSums = [:]
        releaseReplicas()
    }

    /// C×C zeros: GradVac's targets before any round.
    private static func zeroTargets(_ count: Int) -> [[Double]] {
        [[Double]](repeating: [Double](repeating: 0, count: count), count: count)
    }

    /// The network that serves `client`'s steps: its replica (replica mode) or θ.
    func network(of client: ClientID) -> any GeneralModel {
        update == .replica ? (replicas[client] ?? model) : model
    }

    func checkParticipant(_ client: ClientID, round: Int) throws {
        guard clients.contains(where: { $0.id == client }) else { throw GeneralModelServiceError.unknownClient(client) }
        guard round == self.round, participants.contains(client), !ended.contains(client) else {
            throw GeneralModelServiceError.notInRound(client: client, round: round, currentRound: self.round)
        }
    }
}
