import Foundation

/// The baselines with whole models on the clients (DESIGN §2): `local` (no federation),
/// `fedavg`, `fedprox`, `fedper`, `fedrep` and `pfedme`.
///
/// FedAvg keeps a global state: the parts every client shares (`patch_embed.*`, `backbone.*`)
/// and, with `baselines.shareHeadsWithinTask`, one copy of the adaptation module and head per
/// task. A participant loads the global parts at the start of a round, trains locally, and the
/// participants' states (parameters and buffers) are averaged weighted by training samples:
/// shared parts over all participants, task parts over the participants of that task. The new
/// global state is sent back to the participants. Each client keeps its optimizer state across
/// rounds. FedProx adds μ/2‖w − w_global‖² over the global parts to the local loss. FedPer
/// averages only the shared parts: adaptation modules and heads stay with their clients. FedRep
/// averages the same parts and trains locally in two phases: `baselines.headEpochs` epochs of
/// the client's own parts with the shared ones frozen, then `training.localEpochs` epochs of the
/// shared parts with its own frozen (a frozen parameter's gradient is dropped before the
/// optimizer steps, so its optimizer state does not move either). pFedMe (``PFedMe``) shares
/// the parts FedAvg shares: each client's model is its personalised θ_i (what it is evaluated
/// with), its w_i is averaged (weighted as FedAvg's), and the server mixes the mean into the
/// global parts with β.
public final class WholeModelFederation: FederatedAlgorithm {
    public let clients: [WholeModelClient]
    public let config: ExperimentConfig
    /// The global parts by group (`shared`, or a task kind's name) and parameter name.
    public private(set) var global: [String: [String: Tensor]] = [:]
    private let streams: RandomStreams
    private let parts: SharedParts

    public init(config: ExperimentConfig, datasets: [(name: String, dataset: any ClientDataset)]) throws {
        precondition(!config.method.isSplit && config.method != .fedem, "WholeModelFederation runs the whole-model baselines but FedEM, not \(config.method.rawValue)")
        self.config = config
        let streams = RandomStreams(seed: config.seed)
        self.streams = streams
        let general = try config.model.general.resolved()
        let size = (config.data.imageSize, config.data.imageSize)
        clients = try datasets.enumerated().map { i, entry in
            let model = try fullModel(task: entry.dataset.task, input: entry.dataset.input, general: general,
                                      backboneImageSize: size, adaptation: config.model.adaptation, seed: streams.modelSeed(i + 1))
            model.client.matchOutputPrior(to: entry.dataset)
            return WholeModelClient(id: ClientID(entry.name), model: model, task: entry.dataset.task,
                                    optimizer: config.client.optimizer, dataset: entry.dataset, lossOptions: config.training.loss)
        }
        parts = SharedParts(sharesHeads: config.baselines.shareHeadsWithinTask && config.method != .fedper && config.method != .fedrep)
        if isFederated {
            global = parts.initialGlobal(states: clients.map { ($0.task, $0.model.stateDict()) })
            if config.method == .pfedme {
                for client in clients { try client.model.load(stateDict: globalState(for: client), strict: false) }
            }
        }
    }

    public var clientNames: [String] { clients.map(\.id.name) }
    public var datasets: [any ClientDataset] { clients.map(\.dataset) }

    private var isFederated: Bool { config.method != .local }

    /// The global parts `client` receives.
    private func globalState(for client: WholeModelClient) -> [String: Tensor] {
        parts.state(for: client.task, in: global)
    }

    public func trainRound(_ round: Int, participants: [Int], observer: StepObserver?) throws -> RoundOutcome {
        let lr = learningRate(config.client, round: round, rounds: config.rounds)
        var stats: [ClientRoundStats] = []
        /// pFedMe: each participant's local model w_i this round, by parameter name.
        var localModels: [Int: [String: [Float]]] = [:]
        for i in participants {
            let client = clients[i]
            let started = ContinuousClock.now
            var bytes = 0
            var proximal: (mu: Double, anchor: [String: Tensor])?
            if isFederated {
                let state = globalState(for: client)
                bytes = 4 * state.values.reduce(0) { $0 + $1.count }
                if config.method == .pfedme {
                    // w_i starts each round at the global parts (and θ_i elsewhere); θ_i is the
                    // client's own, from the global parts at the start (init).
                    let names = Set(client.model.namedParameters().map(\.name))
                    localModels[i] = state.filter { names.contains($0.key) }.mapValues(\.scalars)
                } else {
                    try client.model.load(stateDict: state, strict: false)
                    if config.method == .fedprox { proximal = (config.baselines.proximalMu, state) }
                }
            }
            var generator = streams.training(round: round, client: i)
            let r: (loss: Double, steps: Int, samples: Int)
            if config.method == .pfedme {
                r = client.trainRoundPFedMe(round, local: &localModels[i, default: [:]], epochs: config.training.localEpochs,
                                            batchSize: config.training.batchSize, learningRate: lr, options: config.baselines,
                                            generator: &generator, observer: observer)
            } else if config.method == .fedrep {
                let head = client.trainRound(round, epochs: config.baselines.headEpochs, batchSize: config.training.batchSize,
                                             learningRate: lr, proximal: nil, trainable: { !SharedParts.isShared($0) },
                                             generator: &generator, observer: observer)
                let base = client.trainRound(round, epochs: config.training.localEpochs, batchSize: config.training.batchSize,
                                             learningRate: lr, proximal: nil, trainable: SharedParts.isShared,
                                             generator: &generator, observer: observer)
                let steps = head.steps + base.steps
                r = ((head.loss * Double(head.steps) + base.loss * Double(base.steps)) / Double(max(steps, 1)),
                     steps, head.samples + base.samples)
            } else {
                r = client.trainRound(round, epochs: config.training.localEpochs, batchSize: config.training.batchSize,
                                      learningRate: lr, proximal: proximal, generator: &generator, observer: observer)
            }
            stats.append(ClientRoundStats(client: client.id.name, loss: r.loss, steps: r.steps, samples: r.samples,
                                          bytesSent: bytes, bytesReceived: bytes, seconds: seconds(since: started)))
        }
        if isFederated { try average(participants, localModels: localModels) }
        return RoundOutcome(clients: stats, aggregation: nil)
    }

    /// FedAvg: sample-weighted means of the participants' states, group by group, sent back.
    /// pFedMe averages the participants' local models w_i (`localModels`) in place of their states.
    private func average(_ participants: [Int], localModels: [Int: [String: [Float]]]) throws {
        let states = participants.map { i -> [String: Tensor] in
            var state = clients[i].model.stateDict()
            for (key, w) in localModels[i] ?? [:] { if let t = state[key] { state[key] = Tensor(uncheckedShape: t.shape, scalars: w) } }
            return state
        }
        let beta = config.method == .pfedme ? Float(config.baselines.pfedmeBeta) : 1
        global = parts.averaged(global, states: states, tasks: participants.map { clients[$0].task },
                                samples: participants.map { clients[$0].dataset.trainCount }) { current, mean in
            beta == 1 ? mean : PFedMe.serverStep(global: current.scalars, mean: mean, beta: beta)
        }
        guard config.method != .pfedme else { return }
        for i in participants { try clients[i].model.load(stateDict: globalState(for: clients[i]), strict: false) }
    }

    public func evaluate(client index: Int) throws -> EvaluationSummary {
        let client = clients[index]
        return FedBoneFederation.evaluate(task: client.task, batches: client.dataset.testBatches(batchSize: config.evaluation.batchSize),
                                          lossOptions: config.training.loss) { client.predict($0) }
    }

    public func predict(client index: Int, input: ModelInput) throws -> Tensor {
        clients[index].predict(input)
    }

    public func save(to directory: URL) throws {
        var flat: [String: Tensor] = [:]
        for (group, state) in global {
            for (key, value) in state { flat["\(group)/\(key)"] = value }
        }
        if !flat.isEmpty { try Safetensors.write(flat, to: directory.appendingPathComponent("global.safetensors")) }
        for client in clients {
            try ClientCheckpointFiles(directory: directory, name: client.id.name).save(client.model, optimizer: client.optimizer)
        }
    }

    public func restore(from directory: URL, nextRound: Int) throws {
        if isFederated {
            let flat = try Safetensors.read(contentsOf: directory.appendingPathComponent("global.safetensors"))
            var restored: [String: [String: Tensor]] = [:]
            for (name, value) in flat {
                guard let slash = name.firstIndex(of: "/") else {
                    throw ModelError.checkpointMismatch("global state key '\(name)' has no group")
                }
                restored[String(name[..<slash]), default: [:]][String(name[name.index(after: slash)...])] = value
            }
            guard Set(restored.keys) == Set(global.keys) else {
                throw ModelError.checkpointMismatch("global state groups \(restored.keys.sorted()) differ from \(global.keys.sorted())")
            }
            global = restored
        }
        for client in clients {
            try ClientCheckpointFiles(directory: directory, name: client.id.name).restore(client.model, optimizer: client.optimizer)
        }
    }

    public func cost() -> CostReport {
        let perClient = clients.map { client -> CostReport.Client in
            let macs = client.multiplyAddsPerSample()
            return .init(client: client.id.name, task: client.task.kind.rawValue, parameters: client.model.parameterCount,
                         gflopsPerSample: Double(macs) / 1e9)
        }
        return CostReport(clients: perClient, serverParameters: 0, serverGflopsPerSample: 0)
    }
}
