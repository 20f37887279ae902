import Foundation
import GRPCCore

/// What one networked client did: its rounds and its final test results.
public struct ClientRunSummary: Sendable {
    /// The client's name.
    public var client: String
    /// One entry per round it trained.
    public var rounds: [ClientRoundStats]
    /// Its test results with the final general model; nil when it stopped early (`stopAfter`).
    public var evaluation: EvaluationSummary?
}

/// Why a client could not take part.
public enum FederationClientError: Error, CustomStringConvertible {
    /// The experiment has no client of this name.
    case unknownClient(String, known: [String])
    /// The client was dropped or refused more often than it may rejoin.
    case tooManyRejoins(String)
    /// The checkpoint directory holds another experiment's checkpoints.
    case foreignCheckpoint(URL, reason: String)
    /// The training batch is larger than the server accepts from this client.
    case batchAboveServerCap(batch: Int, cap: Int)

    public var description: String {
        switch self {
        case let .unknownClient(name, known):
            return "the experiment has no client '\(name)' (its clients: \(known.joined(separator: ", "))); give a client of your own its data with --data DIR --task KIND"
        case let .tooManyRejoins(name): return "client '\(name)' was dropped too often; giving up"
        case let .foreignCheckpoint(url, reason):
            return "the checkpoints in \(url.path) are not this experiment's (\(reason)); give another --checkpoints directory"
        case let .batchAboveServerCap(batch, cap):
            return "training.batchSize \(batch) is above the \(cap) samples per Forward the server accepts from this client (its memory budget); lower training.batchSize, or ask for a larger server.memoryBudgetGB"
        }
    }
}

/// One FedBone edge client over gRPC (`fedbone join`): takes its data from the experiment's
/// description of it (the same ``DatasetFactory`` call and seed as the in-process simulation,
/// keeping only its own split) or from a folder of its own (``ClientDataSource/folder(_:task:classes:)``),
/// joins the server stating its task, classes, training-sample count and embedding shape, builds
/// its client model with the seed of its place in the federation (`federation_index`, as the
/// simulation seeds its k-th client) and trains through ``RemoteGeneralModelService`` with the
/// federation's unchanged ``TaskClient``.
///
/// After round 0 and every evaluation round (`evaluation.every`, and the last round) the client
/// evaluates on its test split and sends the results with ReportMetrics, with its training
/// results of each round it trained (``RoundReporter``); the server writes them to its run log.
///
/// With a checkpoint directory the client writes its model and optimizer state there after
/// every round (`round-N/`, as the simulation's checkpoints, keeping `checkpoints.keep`), and a
/// client started again restores the newest one before the round the server is at: a client
/// restarted between rounds then trains on exactly as if it had never stopped.
public enum FederationClientRunner {
    /// Joins the server, trains every round the server runs, evaluates on the client's test
    /// split with the final general model and leaves.
    /// - Parameters:
    ///   - name: the client's name: in the experiment (`<task>-<i>`, e.g. `depth-0`) or, with data
    ///     of its own, in the server config.
    ///   - data: where the client's data comes from.
    ///   - maxRejoins: how often the client joins again after being dropped from a round.
    ///   - checkpoints: where the client keeps its own checkpoints (nil: none).
    ///   - stopAfter: stop after this round, without evaluating or leaving (a restart test).
    ///   - statusInterval: the longest wait between Status calls while the client waits for a
    ///     round it trains (with client sampling, the rounds it was not sampled for pass by).
    ///   - log: receives one line per round.
    public static func run(experiment config: ExperimentConfig, client name: String, data: ClientDataSource = .experiment,
                           transport: TransportClientConfig, maxRejoins: Int = 5, checkpoints: URL? = nil, stopAfter: Int? = nil,
                           statusInterval: Duration = .seconds(1), log: @escaping @Sendable (String) -> Void = { _ in }) async throws -> ClientRunSummary {
        try await FedBoneTransportClient.withClient(config: transport) { connection in
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    do {
                        let summary = try train(config: config, name: name, data: data, connection: connection, maxRejoins: maxRejoins,
                                                checkpoints: checkpoints.map(CheckpointStore.init(directory:)),
                                                stopAfter: stopAfter, statusInterval: statusInterval, log: log)
                        continuation.resume(returning: summary)
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.stackSize = 16 << 20
                thread.start()
            }
        }
    }

    /// The training loop, on a thread of its own (the service blocks it on each call).
    private static func train(config: ExperimentConfig, name: String, data: ClientDataSource, connection: FedBoneTransportClient,
                              maxRejoins: Int, checkpoints: CheckpointStore?, stopAfter: Int?, statusInterval: Duration,
                              log: @Sendable (String) -> Void) throws -> ClientRunSummary {
        let streams = RandomStreams(seed: config.seed)
        let dataset = try data.dataset(client: name, experiment: config)
        let general = try config.model.general.resolved()
        let embeddingShape = try general.embeddingShape(input: dataset.input)
        let service = RemoteGeneralModelService(connection: connection)
        let task = dataset.task.kind.rawValue
        let classes = dataset.task.kind.hasClasses ? dataset.task.classes : 0
        let trainSamples = dataset.trainCount
        func join() throws -> JoinInfo {
            let info = try RemoteGeneralModelService.blocking {
                try await connection.join(name: name, task: task, embeddingShape: embeddingShape, classes: classes, trainSamples: trainSamples)
            }
            log("\(name): joined as client \(info.clientID), round \(info.round) of \(info.totalRounds)")
            if let cap = info.maxBatch, config.training.batchSize > cap {
                throw FederationClientError.batchAboveServerCap(batch: config.training.batchSize, cap: cap)
            }
            return info
        }
        let joined = try join()
        var round = joined.round
        let index = joined.federationIndex
        let model = try makeClientModel(task: dataset.task, input: dataset.input, general: general,
                                        adaptation: config.model.adaptation, seed: streams.modelSeed(index + 1))
        model.matchOutputPrior(to: dataset)
        let client = TaskClient(id: ClientID(name), model: model, optimizer: config.client.optimizer, dataset: dataset,
                                lossOptions: config.training.loss)
        if let checkpoints {
            try restore(client, from: checkpoints, before: round, config: config, log: log)
        }
        var rejoins = 0
        var stats: [ClientRoundStats] = []
        /// The client's model and optimizer state at the start of the round it trains, to train
        /// that round again from the same start when the server asks for it again (a server
        /// restarted mid-round resumes from the round's start).
        var roundStart: (round: Int, model: [String: Tensor], optimizer: [String: Tensor])?
        var reporter = RoundReporter(config: config, testSamples: dataset.testCount, connection: connection) {
            try evaluate(task: model.task, batches: dataset.testBatches(batchSize: config.evaluation.batchSize),
                         lossOptions: config.training.loss) { try client.predict($0, service: service) }
        }
        rounds: while round <= config.rounds {
            var generator = streams.training(round: round, client: index)
            do {
                try reporter.catchUp(before: round)
                switch try RoundTurn.await(round, connection: connection, interval: statusInterval) {
                case .finished: break rounds
                case let .passed(serverRound):
                    if let stopAfter, serverRound > stopAfter { return ClientRunSummary(client: name, rounds: stats, evaluation: nil) }
                    round = serverRound
                    continue rounds
                case .train: break
                }
                roundStart = (round, client.model.stateDict(), client.optimizer.stateDict())
                let result = try client.trainRound(round, epochs: config.training.localEpochs, batchSize: config.training.batchSize,
                                                   learningRate: config.clientLearningRate(round: round), service: service,
                                                   generator: &generator)
                stats.append(result)
                let barrier = service.lastBarrier ?? RoundBarrierResult(nextRound: round + 1, finished: round >= config.rounds)
                log("\(name): round \(round) done, loss " + String(format: "%.4f", result.loss) + ", \(result.steps) steps")
                try reporter.report(round, training: result)
                if let checkpoints {
                    let state = CheckpointState(round: round, seed: config.seed, rootGenerator: SeededGenerator(seed: config.seed).stateWords,
                                                method: config.method.rawValue)
                    try checkpoints.write(round: round, state: state, keep: config.checkpoints.keep) { directory in
                        try ClientCheckpointFiles(directory: directory, name: name).save(client.model, optimizer: client.optimizer)
                    }
                }
                if round == stopAfter { return ClientRunSummary(client: name, rounds: stats, evaluation: nil) }
                if barrier.finished { break }
                round = barrier.nextRound
            } catch let error as RPCError where error.code == .aborted || error.code == .failedPrecondition {
                rejoins += 1
                guard rejoins <= maxRejoins else { throw FederationClientError.tooManyRejoins(name) }
                log("\(name): dropped from round \(round) (\(error.message)); joining again")
                round = try join().round
                if let start = roundStart, round <= start.round {
                    if round == start.round {
                        try client.model.load(stateDict: start.model)
                        try client.optimizer.load(stateDict: start.optimizer)
                        log("\(name): training round \(round) again from its start")
                    } else if let checkpoints {
                        try restore(client, from: checkpoints, before: round, config: config, log: log)
                    } else {
                        log("\(name): the server went back to round \(round); without --checkpoints this client keeps its later model")
                    }
                    roundStart = nil
                }
            }
        }
        try reporter.catchUp(before: config.rounds + 1)
        let evaluation = try reporter.lastEvaluation ?? reporter.evaluate()
        log("\(name): test \(evaluation.primary.name) " + String(format: "%.4f", evaluation.primary.value))
        try RemoteGeneralModelService.blocking { try await connection.leave(reason: "done") }
        return ClientRunSummary(client: name, rounds: stats, evaluation: evaluation)
    }

    /// Loads the client's newest checkpoint of a round before `round` (the round the server is
    /// at), if there is one; checks that it is this experiment's.
    private static func restore(_ client: TaskClient, from checkpoints: CheckpointStore, before round: Int,
                                config: ExperimentConfig, log: @Sendable (String) -> Void) throws {
        guard let saved = try checkpoints.rounds().last(where: { $0 < round }) else { return }
        let state = try checkpoints.state(round: saved)
        guard state.seed == config.seed, state.method == config.method.rawValue else {
            throw FederationClientError.foreignCheckpoint(checkpoints.directory,
                                                         reason: "seed \(state.seed), method \(state.method); this run: seed \(config.seed), method \(config.method.rawValue)")
        }
        let files = ClientCheckpointFiles(directory: checkpoints.url(round: saved), name: client.id.name)
        guard FileManager.default.fileExists(atPath: files.model.path) else {
            throw FederationClientError.foreignCheckpoint(checkpoints.directory, reason: "round \(saved) has no \(files.model.lastPathComponent)")
        }
        try files.restore(client.model, optimizer: client.optimizer)
        let missed = round - saved - 1
        log("\(client.id.name): restored its model and optimizer from round \(saved)"
            + (missed > 0 ? " (the server trained \(missed) round\(missed == 1 ? "" : "s") without it since)" : ""))
    }
}
