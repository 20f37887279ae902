import Foundation
import GRPCCore
import Synchronization

/// The federation's ``GeneralModelServer`` behind the gRPC transport: the adapter that makes
/// the in-process general-model service serve ``SplitTrainingBackend``.
///
/// - Ids: the transport's `UInt32` client ids map to the federation's ``ClientID`` names
///   (the names the experiment gives its clients, e.g. `segmentation-0`).
/// - Rounds: a driver (``runRound()``) opens each round for the clients sampled for it
///   (`training.clientsPerRound`, the simulation's seeded sampler over the members) that have
///   joined, in federation order (the experiment's clients first, in its order, so the
///   aggregation sees its updates in the same order as the in-process simulation). The others
///   wait: ``status(client:)`` tells each client whether it trains the open round and the next
///   round it is sampled for. A Forward for a round that has not begun yet waits for it; at
///   most ``maxWaitingForwards`` of one client wait at a time (more get RESOURCE_EXHAUSTED). A
///   waiting Forward whose task or RPC is cancelled (its deadline passed, the client went away)
///   stops waiting at once, releases its embeddings and never runs.
/// - EndRound is a barrier: the call suspends (no thread is blocked) until every participant
///   of the round has ended it, or was dropped, and the aggregation is done. An EndRound of a
///   client that already ended the round (a retry, or two sent at once) waits with the first and
///   gets the same answer, also when it arrives just after the round closed.
/// - Faults: a participant that leaves, rejoins mid-round or has not ended the round within
///   `roundTimeout` is dropped from the round's aggregation. It stays registered: the next
///   round counts it in, and it takes part once it joins again (a join of a participant that
///   has not trained a step of the open round keeps it in). A client that joins while a round
///   runs, was sampled for it and was not dropped from it, is admitted to it. A round none of
///   whose sampled clients (or fewer than `minClients`) has joined is abandoned at once. A round keeps counting while at
///   least `minClients` participants remain; with fewer it is abandoned (θ unchanged).
///
/// The general model runs inside the actor, so requests of different clients are serialised;
/// the replicas (or per-client gradient sums) keep clients independent, so the result does
/// not depend on the order in which requests arrive. Status is answered outside the actor,
/// from a snapshot the actor publishes at every change of the round's state, so no client's
/// long Forward delays the others' Status calls.
public actor FederationBackend: SplitTrainingBackend {
    /// One configured client: its transport id, its name and what the experiment says of it.
    /// Its task, classes and training-sample count otherwise come with its Join.
    public struct Member: Sendable, Equatable {
        public var id: UInt32
        public var name: String
        /// The task the experiment gives this client; nil when the experiment does not describe it.
        public var task: TaskKind?
        /// The classes the experiment states for it; nil: whatever its Join states.
        public var classes: Int?

        public init(id: UInt32, name: String, task: TaskKind? = nil, classes: Int? = nil) {
            self.id = id
            self.name = name
            self.task = task
            self.classes = classes
        }
    }

    /// How a round ended.
    public enum RoundClose: Sendable, Equatable {
        /// Aggregated with these participants (in client order).
        case aggregated(round: Int, clients: [String])
        /// Abandoned: fewer than `minClients` participants remained, or no update was fit to
        /// aggregate (``rejectedUpdates``).
        case abandoned(round: Int)

        /// The round that closed.
        public var round: Int {
            switch self {
            case let .aggregated(round, _), let .abandoned(round): round
            }
        }
    }

    let server: GeneralModelServer
    private nonisolated let config: ExperimentConfig
    private nonisolated let members: [Member]
    private let minClients: Int
    private let roundTimeout: Duration
    private nonisolated let streams: RandomStreams
    /// What ``status(client:)`` answers from (``publishStatus()``; a fresh server is at round 1).
    private nonisolated let statusSnapshot = Mutex(StatusSnapshot())
    /// When a client last called (any call).
    private nonisolated let lastCall = Mutex(ContinuousClock.now)
    /// The server's memory model and budget (``ServerMemoryPlan``).
    public nonisolated let memoryPlan: ServerMemoryPlan
    private var joined: Set<UInt32> = []
    /// The task each client stated at its latest Join.
    public private(set) var joinedTasks: [UInt32: TaskSpec] = [:]
    private var droppedThisRound: Set<UInt32> = []
    private var stopping = false
    /// Seconds spent in the general model's forward and backward (for the load check).
    public internal(set) var modelSeconds = 0.0
    /// Forwards and Backwards waiting to join a batched pass (`server.batchClients`).
    let batcher: PassBatcher
    private var roundOpen = false
    /// Forwards waiting for their round, by waiter id, with their clients.
    private var roundWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    private var waitingClients: [UUID: UInt32] = [:]
    private var cancelledWaiters: Set<UUID> = []
    private var heldEmbeddings: [UUID: Tensor] = [:]
    /// How many Forwards of one client may wait for their round at once: the call and one retry.
    public static let maxWaitingForwards = 2
    /// How many Forwards are waiting for their round now.
    var waitingForwardCount: Int { waitingClients.count }
    private var barrierWaiters: [CheckedContinuation<RoundBarrierResult, Never>] = []
    private var joinWaiters: [CheckedContinuation<Void, Never>] = []
    private var roundDone: CheckedContinuation<RoundClose, Never>?
    private var closing: RoundClose?
    /// The clients' metrics reports by round, then client.
    private var reports: [Int: [UInt32: MetricsReport]] = [:]
    /// The last round whose reports were collected (later reports of it are dropped).
    private var collectedThrough = -1
    /// The clients that have ended the open round.
    private var endedThisRound: Set<UInt32> = []
    /// The last closed round, the clients that had ended it and the barrier's answer to them.
    private var lastBarrier: (round: Int, ended: Set<UInt32>, result: RoundBarrierResult)?

    /// A backend over a fresh general model built from `config` (the same seed stream as
    /// ``SplitFederation``) for `members`, in federation order (the experiment's clients first,
    /// in its order): the aggregation's order. Each member weighs 1 sample until its Join states
    /// its own count.
    /// - Parameters:
    ///   - minClients: the fewest participants for which a round with dropped clients still counts (≥ 1).
    ///   - roundTimeout: how long a round waits for its participants' EndRound before dropping the late ones.
    public init(config: ExperimentConfig, members: [Member], minClients: Int, roundTimeout: Duration) throws {
        precondition(minClients >= 1, "FederationBackend: minClients must be at least 1")
        let streams = RandomStreams(seed: config.seed)
        let general = try config.model.general.resolved()
        let model = try general.makeModel(imageSize: (config.data.imageSize, config.data.imageSize), seed: streams.modelSeed(0))
        server = GeneralModelServer(model: model, clients: members.map { (ClientID($0.name), 1) },
                                    update: config.server.update, replicaOptimizer: config.server.optimization.optimizer,
                                    aggregator: config.effectiveAggregator, seed: streams.aggregationSeed)
        memoryPlan = ServerMemoryPlan(config: config, parameters: model.parameterCount,
                                      participants: config.training.clientsPerRound.perRound(of: members.count))
        try server.apply(memoryPlan, settings: config.server)
        self.config = config
        self.members = members
        self.minClients = minClients
        self.roundTimeout = roundTimeout
        self.streams = streams
        batcher = PassBatcher(limit: server.canBatchPasses ? config.server.batchClients : 1,
                              wait: .milliseconds(config.server.batchWaitMs))
    }

    /// The round's state as ``status(client:)`` reports it.
    private struct StatusSnapshot: Sendable {
        var round = 1
        var roundOpen = false
        var participants: Set<String> = []
        var ended: Set<String> = []
        var joined = 0
    }

    /// How long no client has called the server.
    public nonisolated var silence: Duration { ContinuousClock.now - lastCall.withLock { $0 } }

    /// Notes a client's call (for ``silence``).
    private nonisolated func heard() { lastCall.withLock { $0 = ContinuousClock.now } }

    /// Publishes the round's state for ``status(client:)``.
    private func publishStatus() {
        let snapshot = StatusSnapshot(round: server.round, roundOpen: roundOpen, participants: Set(server.roundParticipants.map(\.name)),
                                      ended: Set(server.endedParticipants.map(\.name)), joined: joined.count)
        statusSnapshot.withLock { $0 = snapshot }
    }

    /// The members sampled to train `round`, in federation order.
    public nonisolated func sampled(round: Int) -> [Member] {
        streams.sampledClients(round: round, of: members.count, sampling: config.training.clientsPerRound).map { members[$0] }
    }

    /// How many members train per round.
    public var perRound: Int { config.training.clientsPerRound.perRound(of: members.count) }

    /// Clients with an open session.
    public var clientsJoined: Int { joined.count }

    // MARK: Driver

    /// The round the next ``runRound()`` trains (1-based).
    public var nextRound: Int { server.round }

    /// True once every configured round has been run.
    public var finished: Bool { server.round > config.rounds }

    /// Waits until at least `count` clients have joined.
    public func waitForClients(_ count: Int) async {
        while joined.count < count {
            await withCheckedContinuation { joinWaiters.append($0) }
        }
    }

    /// Opens the next round for the clients that have joined (waiting for `minClients` of
    /// them), and returns once it is aggregated or abandoned.
    public func runRound() async throws -> RoundClose {
        await waitForClients(minClients)
        let round = server.round
        let participants = sampled(round: round).filter { joined.contains($0.id) }.map { ClientID($0.name) }
        guard participants.count >= minClients else {
            server.abandonRound()
            publishStatus()
            return .abandoned(round: round)
        }
        try server.beginRound(round, participants: participants, replicaLearningRate: config.replicaLearningRate(round: round),
                              serverLearningRate: config.serverLearningRate(round: round))
        roundOpen = true
        closing = nil
        droppedThisRound = []
        endedThisRound = []
        resumeRoundWaiters()
        let timeout = roundTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(round: round)
        }
        defer { timer.cancel() }
        if let closing { return closing }
        return await withCheckedContinuation { roundDone = $0 }
    }

    /// Writes θ and Δ^{t−1} into `directory` (`general.safetensors`, `server.safetensors`),
    /// the server's part of ``SplitFederation/save(to:)``; refuses a non-finite model
    /// (``GeneralModelCheckpointError``) before writing anything.
    public func save(to directory: URL) throws {
        try server.save(to: directory)
    }

    /// Restores what ``save(to:)`` wrote; the next round is `nextRound`.
    public func restore(from directory: URL, nextRound: Int) throws {
        try server.restore(from: directory, nextRound: nextRound)
        collectedThrough = nextRound - 1
        publishStatus()
    }

    /// The most replicas alive at once (nil: gradient mode, no replicas).
    public var replicaBound: Int? { server.maxConcurrentReplicas }

    /// How many general-model passes have served several clients' Forwards at once (`server.batchClients`).
    public var batchedPasses: Int { server.batchedPasses }

    /// The general model's parameter count.
    public var generalParameters: Int { server.model.parameterCount }

    /// The updates the last closed round left out of its aggregation, and why.
    public var rejectedUpdates: [UpdateRejection] { server.lastRejections }

    /// Stops between rounds: calls waiting for the next round fail with UNAVAILABLE (the
    /// clients retry, and find the server again once it is restarted with `--resume`).
    public func stop() {
        stopping = true
        resumeRoundWaiters()
    }

    /// Waits until every client has left (or `timeout` passes), so that clients can still
    /// evaluate with the final model after the last round.
    public func waitUntilAllLeft(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while !joined.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: SplitTrainingBackend

    public func join(_ registration: ClientRegistration) async throws -> JoinAcceptance {
        heard()
        let member = try self.member(registration.clientID)
        let task = try JoinCheck.task(of: registration, member: member)
        do { try server.model.validate(embeddingShape: registration.embeddingShape) } catch {
            throw SplitTrainingBackendError.invalidArgument("embedding shape \(registration.embeddingShape) cannot be served: \(error)")
        }
        let maxBatch = batchCap(embeddingShape: registration.embeddingShape)
        guard maxBatch >= 1 else {
            throw SplitTrainingBackendError.resourceExhausted(
                "the server's memory budget leaves no room for one sample of embeddings \(registration.embeddingShape) (\(ServerMemoryPlan.activationBytesPerSample(server.model.generalConfiguration, embeddingShape: registration.embeddingShape)) bytes of activations); the server needs a larger server.memoryBudgetGB or fewer clients per round")
        }
        var round = server.round
        let id = ClientID(member.name)
        try server.setSamples(registration.trainSamples, for: id)
        joinedTasks[member.id] = task
        let fresh = roundOpen && server.roundParticipants.contains(id) && !server.endedParticipants.contains(id) && !server.hasProgress(id)
        if roundOpen, !fresh {
            drop(member)
            if roundOpen, !droppedThisRound.contains(member.id), !server.endedParticipants.contains(id),
               sampled(round: server.round).contains(member),
               try mapped({ try server.admit(id) }) || server.roundParticipants.contains(id) {
                round = server.round
            } else {
                round = server.round + (roundOpen ? 1 : 0)
            }
        }
        joined.insert(member.id)
        publishStatus()
        resumeAll(&joinWaiters)
        return JoinAcceptance(round: round, totalRounds: config.rounds, federationIndex: try index(of: member.id), maxBatch: maxBatch)
    }

    /// The per-request batch cap for a client with embeddings of `embeddingShape` `[H/p, W/p, C]`
    /// (``ServerMemoryPlan/batchCap(_:embeddingShape:replicas:)``, at most `Int32.max`).
    public func batchCap(embeddingShape: [Int]) -> Int {
        let cap = memoryPlan.batchCap(server.model.generalConfiguration, embeddingShape: embeddingShape,
                                      replicas: server.maxConcurrentReplicas ?? 0)
        return min(cap, Int(Int32.max))
    }

    public nonisolated func forward(client: UInt32, round: Int, step: Int, embeddings: sending Tensor,
                                    lengths: [Int]?) async throws -> sending Tensor {
        heard()
        let call = UUID()
        await hold(embeddings, for: call)
        return try await withRPCCancellationHandler {
            try await forward(call, client: client, round: round, step: step, lengths: lengths)
        } onCancelRPC: {
            Task { await self.cancelWaiter(call) }
        }
    }

    /// Keeps the embeddings of the Forward `call` until it runs or is cancelled.
    private func hold(_ embeddings: sending Tensor, for call: UUID) {
        heldEmbeddings[call] = embeddings
    }

    /// ``forward(client:round:step:embeddings:lengths:)`` as the call `call`, whose embeddings
    /// ``hold(_:for:)`` keeps and which ``cancelWaiter(_:)`` can cancel.
    private func forward(_ call: UUID, client: UInt32, round: Int, step: Int, lengths: [Int]?) async throws -> sending Tensor {
        defer { heldEmbeddings[call] = nil }
        guard heldEmbeddings[call] != nil else { throw CancellationError() }
        let member = try self.member(client)
        try await waitForRound(round, client: client, call: call, for: ClientID(member.name))
        guard let embeddings = heldEmbeddings.removeValue(forKey: call) else { throw CancellationError() }
        let request = ForwardRequest(client: ClientID(member.name), round: round, step: step, embeddings: embeddings, lengths: lengths)
        if batcher.batches { return try await batchedForward(request) }
        let started = ContinuousClock.now
        let features = try mapped { try server.forward(client: request.client, round: round, step: step, embeddings: request.embeddings, lengths: lengths) }
        modelSeconds += Self.seconds(ContinuousClock.now - started)
        return Self.copy(shape: features.shape, scalars: features.scalars)
    }

    /// Waits until `round` is open and, in replica mode, a replica slot is free for `participant`
    /// (``GeneralModelServer/maxConcurrentReplicas``), unless the call is cancelled first (then
    /// it throws `CancellationError`).
    private func waitForRound(_ round: Int, client: UInt32, call id: UUID, for participant: ClientID) async throws {
        let ready = { self.roundOpen && round == self.server.round && self.server.hasReplicaSlot(for: participant) }
        guard !ready() else { return }
        guard waitingClients.values.filter({ $0 == client }).count < Self.maxWaitingForwards else {
            throw SplitTrainingBackendError.resourceExhausted(
                "client \(client) already has \(Self.maxWaitingForwards) Forwards waiting for round \(round); wait for their answers")
        }
        waitingClients[id] = client
        defer {
            waitingClients[id] = nil
            cancelledWaiters.remove(id)
        }
        while !ready() {
            guard !stopping else { throw SplitTrainingBackendError.unavailable("the server is stopping; retry") }
            guard round >= server.round, !finished else {
                throw SplitTrainingBackendError.failedPrecondition("round \(round) is over (the server is at round \(server.round))")
            }
            guard !cancelledWaiters.contains(id), !Task.isCancelled else { throw CancellationError() }
            await withTaskCancellationHandler {
                await withCheckedContinuation { roundWaiters[id] = $0 }
            } onCancel: {
                Task { await self.cancelWaiter(id) }
            }
        }
        guard !cancelledWaiters.contains(id), !Task.isCancelled else { throw CancellationError() }
    }

    /// The call `id` was cancelled: wake it so that it gives up.
    private func cancelWaiter(_ id: UUID) {
        heldEmbeddings[id] = nil
        guard waitingClients[id] != nil else { return }
        cancelledWaiters.insert(id)
        roundWaiters.removeValue(forKey: id)?.resume()
    }

    public func backward(client: UInt32, round: Int, step: Int, featureGradient: sending Tensor) async throws -> sending Tensor {
        heard()
        let member = try self.member(client)
        if batcher.batches, server.batchedPass(of: ClientID(member.name)) != nil {
            return try await batchedBackward(BackwardRequest(client: ClientID(member.name), round: round, step: step, featureGradient: featureGradient))
        }
        let started = ContinuousClock.now
        let gradient = try mapped {
            try server.backward(client: ClientID(member.name), round: round, step: step, featureGradient: featureGradient)
        }
        modelSeconds += Self.seconds(ContinuousClock.now - started)
        return Self.copy(shape: gradient.shape, scalars: gradient.scalars)
    }

    public func infer(client: UInt32, embeddings: sending Tensor, lengths: [Int]?) async throws -> sending Tensor {
        heard()
        let member = try self.member(client)
        let features = try mapped { try server.infer(client: ClientID(member.name), embeddings: embeddings, lengths: lengths) }
        return Self.copy(shape: features.shape, scalars: features.scalars)
    }

    public func endRound(client: UInt32, round: Int) async throws -> RoundBarrierResult {
        heard()
        let member = try self.member(client)
        let id = ClientID(member.name)
        if let last = lastBarrier, last.round == round, last.ended.contains(client) { return last.result }
        if roundOpen, round == server.round, endedThisRound.contains(client) {
            return await withCheckedContinuation { barrierWaiters.append($0) }
        }
        guard roundOpen, round == server.round, server.roundParticipants.contains(id) else {
            throw SplitTrainingBackendError.aborted("client '\(member.name)' is not a participant of round \(round) (dropped, or the round is over); join again")
        }
        let after = try mapped { try server.endRound(client: id, round: round) }
        endedThisRound.insert(client)
        resumeRoundWaiters()
        if after > round {
            closeAfterAggregation(round: round)
            return barrierResult
        }
        return await withCheckedContinuation { barrierWaiters.append($0) }
    }

    public nonisolated func status(client: UInt32) async throws -> TrainingStatus {
        heard()
        return try currentStatus(client: client)
    }

    /// ``status(client:)`` at once, from the published snapshot: it never waits for the actor.
    public nonisolated func currentStatus(client: UInt32) throws -> TrainingStatus {
        let member = try self.member(client)
        let s = statusSnapshot.withLock { $0 }
        let finished = s.round > config.rounds
        let phase: TrainingPhase = finished ? .finished : s.roundOpen ? .training : .waitingForClients
        let trainsNow = s.roundOpen ? s.participants.contains(member.name) && !s.ended.contains(member.name)
            : sampled(round: s.round).contains(member)
        let selected = !finished && trainsNow
        let later = stride(from: s.round + 1, through: config.rounds, by: 1).first { sampled(round: $0).contains(member) }
        return TrainingStatus(round: s.round, phase: phase, clientsJoined: s.joined, clientsExpected: members.count,
                              selected: selected, nextRound: selected ? s.round : later)
    }

    public func reportMetrics(client: UInt32, report: MetricsReport) async throws {
        heard()
        let member = try self.member(client)
        guard report.round <= config.rounds, report.round == 0 || report.round < server.round else {
            throw SplitTrainingBackendError.failedPrecondition(
                "client '\(member.name)' reports round \(report.round), which has not closed (the server is at round \(server.round) of \(config.rounds))")
        }
        guard report.round > collectedThrough else { return }
        reports[report.round, default: [:]][client] = report
    }

    public func leave(client: UInt32) async throws {
        heard()
        let member = try self.member(client)
        joined.remove(member.id)
        if roundOpen { drop(member) }
        publishStatus()
    }

    // MARK: Reports

    /// The members that report `round`: after round 0 and every evaluation round, every joined
    /// client; otherwise the clients that trained it (`trained`).
    public func reporters(round: Int, trained: [String]) -> [Member] {
        let evaluates = round == 0 || config.evaluates(afterRound: round)
        return members.filter { joined.contains($0.id) && (evaluates || trained.contains($0.name)) }
    }

    /// Waits until each of `expected` that is still joined has reported `round`, or `timeout`
    /// passes; returns the reports of `round` by client id. Reports of `round` or earlier that
    /// arrive later are dropped.
    public func collectReports(round: Int, expected: [Member], timeout: Duration) async -> [UInt32: MetricsReport] {
        let deadline = ContinuousClock.now + timeout
        while expected.contains(where: { joined.contains($0.id) && reports[round]?[$0.id] == nil }), ContinuousClock.now < deadline, !stopping {
            try? await Task.sleep(for: .milliseconds(20))
        }
        collectedThrough = max(collectedThrough, round)
        let got = reports[round] ?? [:]
        reports = reports.filter { $0.key > round }
        return got
    }

    /// The members whose task is known (stated at Join or given by the experiment), in federation order.
    public var knownMembers: [(member: Member, task: TaskSpec)] {
        members.compactMap { m in task(of: m).map { (m, $0) } }
    }

    /// The aggregation record of the last closed round, if it was aggregated.
    public var lastAggregation: AggregationRecord? { server.lastRecord }

    /// The task each member states or the experiment gives it (nil: neither yet).
    public func task(of member: Member) -> TaskSpec? {
        joinedTasks[member.id] ?? member.task.map { TaskSpec($0, classes: member.classes ?? 0) }
    }

    // MARK: Rounds

    private var barrierResult: RoundBarrierResult {
        RoundBarrierResult(nextRound: server.round, finished: finished)
    }

    /// Drops `member` from the open round if it takes part and has not ended it; closes the
    /// round when that leaves everyone else done, or abandons it below `minClients`.
    private func drop(_ member: Member) {
        let id = ClientID(member.name)
        guard roundOpen, server.roundParticipants.contains(id), !server.endedParticipants.contains(id) else { return }
        let round = server.round
        droppedThisRound.insert(member.id)
        defer { resumeRoundWaiters() }
        if server.roundParticipants.count - 1 < minClients {
            server.abandonRound()
            close(.abandoned(round: round))
        } else if server.drop(client: id) {
            closeAfterAggregation(round: round)
        }
    }

    /// Closes `round` once the server has aggregated it: with its record, or as abandoned when
    /// every update was left out.
    private func closeAfterAggregation(round: Int) {
        if let record = server.lastRecord, record.round == round {
            close(.aggregated(round: round, clients: record.clients))
        } else {
            close(.abandoned(round: round))
        }
    }

    /// The round timed out: drops every participant that has not ended it.
    private func expire(round: Int) {
        guard roundOpen, server.round == round else { return }
        let late = members.filter { m in
            let id = ClientID(m.name)
            return server.roundParticipants.contains(id) && !server.endedParticipants.contains(id)
        }
        for member in late where roundOpen { drop(member) }
    }

    /// Marks the round closed and wakes the barrier and the driver.
    private func close(_ outcome: RoundClose) {
        roundOpen = false
        closing = outcome
        let result = barrierResult
        lastBarrier = (outcome.round, endedThisRound, result)
        endedThisRound = []
        let waiters = barrierWaiters
        barrierWaiters = []
        for waiter in waiters { waiter.resume(returning: result) }
        resumeRoundWaiters()
        roundDone?.resume(returning: outcome)
        roundDone = nil
    }

    /// Publishes the round's state and wakes the Forwards waiting for it (every change of the
    /// round's state ends here).
    private func resumeRoundWaiters() {
        publishStatus()
        let all = roundWaiters.values
        roundWaiters = [:]
        for waiter in all { waiter.resume() }
    }

    private func resumeAll(_ waiters: inout [CheckedContinuation<Void, Never>]) {
        let all = waiters
        waiters = []
        for waiter in all { waiter.resume() }
    }

    /// The member's place in the federation order.
    private nonisolated func index(of id: UInt32) throws -> Int {
        guard let index = members.firstIndex(where: { $0.id == id }) else {
            throw SplitTrainingBackendError.failedPrecondition("client \(id) is not part of this experiment")
        }
        return index
    }

    nonisolated func member(_ id: UInt32) throws -> Member {
        guard let member = members.first(where: { $0.id == id }) else {
            throw SplitTrainingBackendError.failedPrecondition("client \(id) is not part of this experiment")
        }
        return member
    }

    /// Runs a service call, turning its refusals into transport statuses.
    func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as GeneralModelServiceError {
            switch error {
            case .badEmbeddings, .badFeatureGradient: throw SplitTrainingBackendError.invalidArgument(error.description)
            case .unknownClient, .notInRound, .outOfOrder: throw SplitTrainingBackendError.failedPrecondition(error.description)
            case .replicasBusy: throw SplitTrainingBackendError.unavailable(error.description)
            }
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// A tensor with no ties to the actor's state.
    static func copy(shape: [Int], scalars: [Float]) -> Tensor {
        Tensor(uncheckedShape: shape, scalars: scalars)
    }
}
