import Foundation

/// Why the networked server could not run.
public enum FederationServerError: Error, CustomStringConvertible {
    /// The experiment is not a split method (only FedBone runs over the network).
    case notSplit(String)
    /// The server config lists no client.
    case noClients
    /// Not enough clients joined in time.
    case joinTimeout(joined: Int, expected: Int)

    public var description: String {
        switch self {
        case let .notSplit(method): return "method \(method) does not split the model; serve runs fedbone or fedbone-nogp"
        case .noClients: return "the server config lists no clients: add an entry (id, name, tokenSHA256) per client"
        case let .joinTimeout(joined, expected): return "only \(joined) of \(expected) clients joined in time"
        }
    }
}

/// `fedbone serve`: the general-model server of an experiment over gRPC. It waits for the
/// configured clients, runs the rounds (each round's EndRound barrier releases the clients
/// once the aggregation is done) and writes `checkpoints/round-N/` (`general.safetensors`,
/// `server.safetensors`, `state.json`) in the run directory after every round, like the
/// in-process simulation. From the clients' `ReportMetrics` it writes the same run log and
/// report as `simulate` (``NetworkRunLog``): after round 0 and every evaluation round it waits
/// (up to the round timeout) for every joined client's report before it opens the next round.
public struct FederationServerRunner: Sendable {
    public var experiment: ExperimentConfig
    public var deployment: ServerDeploymentConfig
    public var tls: ServerTLSSettings?
    /// Where `checkpoints/` goes.
    public var runDirectory: URL
    /// Continue from the run directory's latest complete checkpoint; with none (a server killed
    /// before or while writing its first one), start fresh and say so in the log.
    public var resume: Bool
    /// Stop after this round's checkpoint (to be continued with `resume`), as if the server were killed between rounds.
    public var stopAfter: Int?

    public init(experiment: ExperimentConfig, deployment: ServerDeploymentConfig, tls: ServerTLSSettings?, runDirectory: URL, resume: Bool,
                stopAfter: Int? = nil) {
        self.stopAfter = stopAfter
        self.experiment = experiment
        self.deployment = deployment
        self.tls = tls
        self.runDirectory = runDirectory
        self.resume = resume
    }

    /// Serves until every round has run and the clients have left (or a minute after the last
    /// round). `listening` receives the bound port (the config's, or the system's for port 0).
    /// Returns the latest checkpoint folder.
    @discardableResult
    public func run(listening: @escaping @Sendable (Int) -> Void = { _ in },
                    log: @escaping @Sendable (String) -> Void = { _ in }) async throws -> URL? {
        guard experiment.method.isSplit else { throw FederationServerError.notSplit(experiment.method.rawValue) }
        let federation = FederationMembers(experiment: experiment, deployment: deployment)
        let members = federation.members
        guard !members.isEmpty else { throw FederationServerError.noClients }
        if !federation.unlisted.isEmpty {
            log("the server config lists no entry for \(federation.unlisted.joined(separator: ", ")) of the experiment: they take no part")
        }
        let perRound = experiment.training.clientsPerRound.perRound(of: members.count)
        let minClients = min(max(deployment.minClients ?? perRound, 1), perRound)
        let backend = try FederationBackend(config: experiment, members: members, minClients: minClients,
                                            roundTimeout: .milliseconds(Int(deployment.roundTimeoutSeconds * 1000)))
        log(Self.describe(backend.memoryPlan, replicas: await backend.replicaBound))
        let store = CheckpointStore(directory: runDirectory.appendingPathComponent("checkpoints"))
        var resumedAfter: Int?
        if resume {
            if let (state, url) = try store.latest() {
                try await backend.restore(from: url, nextRound: state.round + 1)
                resumedAfter = state.round
                log("resuming after round \(state.round)")
            } else {
                log("--resume: no complete checkpoint in \(store.directory.path); starting fresh from round 1")
            }
        }
        let runLog = try NetworkRunLog(directory: runDirectory, experiment: experiment, resumingAfter: resumedAfter)
        let registry = try ClientRegistry(clients: deployment.clients)
        let transportConfig = TransportServerConfig(host: deployment.host, port: deployment.port,
                                                    maxMessageBytes: deployment.maxMessageMB << 20, tls: tls)
        let server = FedBoneTransportServer(config: transportConfig, registry: registry, backend: backend)
        let experiment = self.experiment, deployment = self.deployment, stopAfter = self.stopAfter
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            do {
                let port = try await server.listeningPort()
                log("listening on \(deployment.host):\(port)")
                listening(port)
                let last = try await Self.drive(backend: backend, experiment: experiment, deployment: deployment, expected: members.count,
                                                minClients: minClients, store: store, runLog: runLog, stopAfter: stopAfter, log: log)
                server.beginGracefulShutdown()
                try await group.waitForAll()
                return last
            } catch {
                server.beginGracefulShutdown()
                group.cancelAll()
                throw error
            }
        }
    }

    /// One log line: the round's memory and, in replica mode, how many replicas live at once.
    static func describe(_ plan: ServerMemoryPlan, replicas: Int?) -> String {
        let gb = { (bytes: Int) in String(format: "%.2f GB", Double(bytes) / 1e9) }
        let budget = gb(plan.budget)
        let spill = plan.spillsUpdates ? "; the updates (\(gb(plan.spilledBytes))) spilled to memory-mapped files" : ""
        guard let replicas else { return "memory: \(gb(plan.bytes(replicas: 0))) of \(budget) for a round of \(plan.participants) clients (gradient mode)\(spill)" }
        return "memory: \(gb(plan.bytes(replicas: replicas))) of \(budget) for a round of \(plan.participants) clients, at most \(replicas) replica\(replicas == 1 ? "" : "s") at once\(spill)"
    }

    /// Waits for the clients, runs the remaining rounds with a checkpoint after each, then
    /// waits for the clients to leave.
    private static func drive(backend: FederationBackend, experiment: ExperimentConfig, deployment: ServerDeploymentConfig,
                              expected: Int, minClients: Int, store: CheckpointStore, runLog: NetworkRunLog, stopAfter: Int?,
                              log: @Sendable (String) -> Void) async throws -> URL? {
        let serverStarted = ContinuousClock.now
        let reportTimeout = Duration.milliseconds(Int(deployment.roundTimeoutSeconds * 1000))
        let deadline = ContinuousClock.now + .milliseconds(Int(deployment.joinTimeoutSeconds * 1000))
        var joined = await backend.clientsJoined
        while joined < expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            joined = await backend.clientsJoined
        }
        if joined < minClients {
            throw FederationServerError.joinTimeout(joined: joined, expected: expected)
        }
        log("\(joined) of \(expected) clients joined")
        var latest: URL?
        if await backend.nextRound == 1 {
            let reports = await backend.collectReports(round: 0, expected: await backend.reporters(round: 0, trained: []), timeout: reportTimeout)
            try runLog.log(round: 0, members: await backend.knownMembers, reports: reports, aggregation: nil)
        }
        let perRound = await backend.perRound
        while !(await backend.finished) {
            let started = ContinuousClock.now
            if perRound < expected {
                let next = await backend.nextRound
                log("round \(next)/\(experiment.rounds): sampled \(await backend.sampled(round: next).map(\.name).joined(separator: ", "))")
            }
            let outcome = try await backend.runRound()
            let round: Int, trained: [String]
            switch outcome {
            case let .aggregated(r, clients):
                (round, trained) = (r, clients)
                log("round \(r)/\(experiment.rounds) aggregated over \(clients.joined(separator: ", ")) in \(ContinuousClock.now - started)")
            case let .abandoned(r):
                (round, trained) = (r, [])
                log("round \(r)/\(experiment.rounds) abandoned: too few clients or updates")
                let idle = Duration.milliseconds(Int(deployment.joinTimeoutSeconds * 1000))
                if backend.silence >= idle {
                    let saved = (try? store.latest()).flatMap { $0 }?.url.lastPathComponent ?? "none yet"
                    log("no client has called for \(backend.silence) (joinTimeoutSeconds); stopping after round \(r); latest checkpoint: \(saved) (serve --resume continues from it)")
                    await backend.stop()
                    return latest
                }
            }
            for rejection in await backend.rejectedUpdates { log("round \(round)/\(experiment.rounds): \(rejection)") }
            let reports = await backend.collectReports(round: round, expected: await backend.reporters(round: round, trained: trained),
                                                       timeout: reportTimeout)
            try runLog.log(round: round, members: await backend.knownMembers, reports: reports,
                           aggregation: trained.isEmpty ? nil : await backend.lastAggregation)
            if round % experiment.checkpoints.every == 0 || round == experiment.rounds {
                let state = CheckpointState(round: round, seed: experiment.seed, rootGenerator: SeededGenerator(seed: experiment.seed).stateWords,
                                            method: experiment.method.rawValue)
                let folder = store.url(round: round)
                try await backend.checkpoint(directory: store.directory, round: round, state: state, keep: experiment.checkpoints.keep)
                latest = folder
            }
            if let stopAfter, round >= stopAfter, !(await backend.finished) {
                log("stopping after round \(round)")
                await backend.stop()
                return latest
            }
        }
        await backend.waitUntilAllLeft(timeout: .seconds(60))
        try runLog.finish(clients: await backend.knownMembers, lastRound: experiment.rounds, serverParameters: await backend.generalParameters,
                          seconds: FederationBackend.seconds(ContinuousClock.now - serverStarted))
        return latest
    }
}

extension FederationBackend {
    /// Writes the server's checkpoint of `round` into `directory/round-N/` (complete or not at all).
    func checkpoint(directory: URL, round: Int, state: CheckpointState, keep: Int) throws {
        try CheckpointStore(directory: directory).write(round: round, state: state, keep: keep) { try save(to: $0) }
    }
}
