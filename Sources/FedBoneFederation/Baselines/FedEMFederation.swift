import Foundation
import FedBoneLayers
import FedBoneModels
import FedBoneTensor

/// FedEM (``FedEM``) on the baselines' harness: every client holds `baselines.fedemComponents`
/// whole models, the components, each with its own optimizer, and its mixture weights π (uniform
/// at the start). Component m is averaged over the participants as FedAvg averages one model
/// (the same ``SharedParts``: embedding and backbone over all clients, adaptation module and
/// head within a task when `baselines.shareHeadsWithinTask`). Component 0 of a client starts
/// where FedAvg's model of that client starts; component m > 0 from seeds of its own, so the
/// components differ from the start. A client is evaluated with its mixture.
public final class FedEMFederation: FederatedAlgorithm {
    /// `components[i][m]`: client i's component m (model, optimizer and the client's data).
    public let components: [[WholeModelClient]]
    public let config: ExperimentConfig
    /// Each client's mixture weights π over the components (rounded to `Float`).
    public private(set) var mixtureWeights: [[Double]]
    /// `global[m]`: component m's global parts by group and parameter name.
    public private(set) var global: [[String: [String: Tensor]]]
    private let streams: RandomStreams
    private let parts: SharedParts
    private static let weightsFile = "fedem-weights.safetensors"

    public init(config: ExperimentConfig, datasets: [(name: String, dataset: any ClientDataset)]) throws {
        precondition(config.method == .fedem, "FedEMFederation runs fedem, not \(config.method.rawValue)")
        self.config = config
        let streams = RandomStreams(seed: config.seed)
        self.streams = streams
        let general = try config.model.general.resolved()
        let size = (config.data.imageSize, config.data.imageSize)
        let count = config.baselines.fedemComponents
        components = try datasets.enumerated().map { i, entry in
            try (0..<count).map { m in
                let model = try fullModel(task: entry.dataset.task, input: entry.dataset.input, general: general,
                                          backboneImageSize: size, adaptation: config.model.adaptation,
                                          seed: streams.modelSeed(i + 1 + m * datasets.count))
                model.client.matchOutputPrior(to: entry.dataset)
                return WholeModelClient(id: ClientID(entry.name), model: model, task: entry.dataset.task,
                                        optimizer: config.client.optimizer, dataset: entry.dataset, lossOptions: config.training.loss)
            }
        }
        mixtureWeights = datasets.map { _ in [Double](repeating: 1 / Double(count), count: count) }
        let parts = SharedParts(sharesHeads: config.baselines.shareHeadsWithinTask)
        self.parts = parts
        let clientComponents = components
        global = (0..<count).map { m in parts.initialGlobal(states: clientComponents.map { ($0[m].task, $0[m].model.stateDict()) }) }
    }

    public var clientNames: [String] { components.map { $0[0].id.name } }
    public var datasets: [any ClientDataset] { components.map { $0[0].dataset } }

    public func trainRound(_ round: Int, participants: [Int], observer: StepObserver?) throws -> RoundOutcome {
        let lr = learningRate(config.client, round: round, rounds: config.rounds)
        var stats: [ClientRoundStats] = []
        for i in participants {
            let started = ContinuousClock.now
            var bytes = 0
            for (m, component) in components[i].enumerated() {
                let state = parts.state(for: component.task, in: global[m])
                bytes += 4 * state.values.reduce(0) { $0 + $1.count }
                try component.model.load(stateDict: state, strict: false)
            }
            var generator = streams.training(round: round, client: i)
            let r = trainClient(i, round: round, learningRate: lr, generator: &generator, observer: observer)
            stats.append(ClientRoundStats(client: clientNames[i], loss: r.loss, steps: r.steps, samples: r.samples,
                                          bytesSent: bytes, bytesReceived: bytes, seconds: seconds(since: started)))
        }
        let tasks = participants.map { components[$0][0].task }
        let samples = participants.map { components[$0][0].dataset.trainCount }
        for m in global.indices {
            global[m] = parts.averaged(global[m], states: participants.map { components[$0][m].model.stateDict() }, tasks: tasks,
                                       samples: samples)
            for i in participants {
                try components[i][m].model.load(stateDict: parts.state(for: components[i][m].task, in: global[m]), strict: false)
            }
        }
        return RoundOutcome(clients: stats, aggregation: nil)
    }

    /// Client `i`'s round: the E-step on the mini-batches it draws, π, then each component's
    /// weighted epochs. Returns the mean over mini-batches of Σ_m (1/B) Σ_i q(m | i) ℓ_im.
    private func trainClient(_ i: Int, round: Int, learningRate: Double, generator: inout SeededGenerator,
                             observer: StepObserver?) -> (loss: Double, steps: Int, samples: Int) {
        let own = components[i]
        let batches = Array(own[0].epochBatches(config.training.localEpochs, batchSize: config.training.batchSize,
                                                generator: &generator).joined())
        let losses: [[[Double]]] = batches.map { batch in
            let perComponent = own.map { component -> [Double] in
                component.model.eval()
                defer { component.model.train() }
                return withoutGrad {
                    FedEM.sampleLosses(task: component.task, prediction: component.model(batch.input), target: batch.target,
                                       options: component.lossOptions).map { Double($0.item) }
                }
            }
            return (0..<batch.count).map { s in perComponent.map { $0[s] } }
        }
        let q = losses.map { FedEM.responsibilities(losses: $0, weights: mixtureWeights[i]) }
        // π is kept at the precision the checkpoint stores (Float), so a resumed run makes the
        // same E-steps as an uninterrupted one.
        mixtureWeights[i] = FedEM.mixtureWeights(Array(q.joined())).map { Double(Float($0)) }
        var lossSum = [Double](repeating: 0, count: batches.count)
        let total = own.count * batches.count
        for (m, component) in own.enumerated() {
            let weights = q.map { batch in batch.map { $0[m] } }
            let trained = component.trainWeighted(round, batches: batches, weights: weights, learningRate: learningRate,
                                                  stepOffset: m * batches.count, totalSteps: total, observer: observer)
            for b in lossSum.indices { lossSum[b] += trained[b] }
        }
        let samples = batches.reduce(0) { $0 + $1.count }
        return (batches.isEmpty ? 0 : lossSum.reduce(0, +) / Double(batches.count), total, samples * own.count)
    }

    /// The mixture's predictions for client `index` (evaluation mode).
    public func predict(client index: Int, input: ModelInput) throws -> Tensor {
        let own = components[index]
        return FedEM.mixture(task: own[0].task.kind, predictions: own.map { $0.predict(input) }, weights: mixtureWeights[index])
    }

    public func evaluate(client index: Int) throws -> EvaluationSummary {
        let client = components[index][0]
        return try FedBoneFederation.evaluate(task: client.task, batches: client.dataset.testBatches(batchSize: config.evaluation.batchSize),
                                              lossOptions: config.training.loss) { try predict(client: index, input: $0) }
    }

    public func save(to directory: URL) throws {
        var flat: [String: Tensor] = [:]
        for (m, groups) in global.enumerated() {
            for (group, state) in groups {
                for (key, value) in state { flat["\(m)/\(group)/\(key)"] = value }
            }
        }
        try Safetensors.write(flat, to: directory.appendingPathComponent("global.safetensors"))
        var weights: [String: Tensor] = [:]
        for (i, name) in clientNames.enumerated() {
            weights[name] = Tensor(uncheckedShape: [mixtureWeights[i].count], scalars: mixtureWeights[i].map { Float($0) })
            for (m, component) in components[i].enumerated() {
                try ClientCheckpointFiles(directory: directory, name: "\(name).component-\(m)").save(component.model, optimizer: component.optimizer)
            }
        }
        try Safetensors.write(weights, to: directory.appendingPathComponent(Self.weightsFile))
    }

    public func restore(from directory: URL, nextRound: Int) throws {
        let flat = try Safetensors.read(contentsOf: directory.appendingPathComponent("global.safetensors"))
        var restored = global.map { _ in [String: [String: Tensor]]() }
        for (name, value) in flat {
            let fields = name.split(separator: "/", maxSplits: 2).map(String.init)
            guard fields.count == 3, let m = Int(fields[0]), restored.indices.contains(m) else {
                throw ModelError.checkpointMismatch("FedEM global key '\(name)' is not <component>/<group>/<name> of \(global.count) components")
            }
            restored[m][fields[1], default: [:]][fields[2]] = value
        }
        for m in global.indices where Set(restored[m].keys) != Set(global[m].keys) {
            throw ModelError.checkpointMismatch("FedEM component \(m)'s groups \(restored[m].keys.sorted()) differ from \(global[m].keys.sorted())")
        }
        let weights = try Safetensors.read(contentsOf: directory.appendingPathComponent(Self.weightsFile))
        var restoredWeights = mixtureWeights
        for (i, name) in clientNames.enumerated() {
            guard let w = weights[name], w.count == mixtureWeights[i].count else {
                throw ModelError.checkpointMismatch("FedEM mixture weights of \(name) are missing or not \(mixtureWeights[i].count) long")
            }
            restoredWeights[i] = w.scalars.map { Double($0) }
            for (m, component) in components[i].enumerated() {
                try ClientCheckpointFiles(directory: directory, name: "\(name).component-\(m)").restore(component.model, optimizer: component.optimizer)
            }
        }
        global = restored
        mixtureWeights = restoredWeights
    }

    public func cost() -> CostReport {
        let perClient = components.map { own -> CostReport.Client in
            let client = own[0]
            let macs = client.multiplyAddsPerSample()
            return .init(client: client.id.name, task: client.task.kind.rawValue, parameters: own.count * client.model.parameterCount,
                         gflopsPerSample: Double(own.count) * Double(macs) / 1e9)
        }
        return CostReport(clients: perClient, serverParameters: 0, serverGflopsPerSample: 0)
    }
}

extension WholeModelClient {
    /// FedEM's M-step of one component: a step per mini-batch on (1/B) Σ_i `weights[b][i]` ℓ_i.
    /// Returns each mini-batch's weighted loss.
    func trainWeighted(_ round: Int, batches: [Batch], weights: [[Double]], learningRate: Double, stepOffset: Int, totalSteps: Int,
                       observer: StepObserver?) -> [Double] {
        optimizer.learningRate = learningRate
        model.train()
        var losses: [Double] = []
        for (b, batch) in batches.enumerated() {
            optimizer.zeroGrad()
            let perSample = FedEM.sampleLosses(task: task, prediction: model(batch.input), target: batch.target, options: lossOptions)
            let scale = 1 / Float(batch.count)
            var loss = perSample[0] * (Float(weights[b][0]) * scale)
            for s in 1..<perSample.count { loss = loss + perSample[s] * (Float(weights[b][s]) * scale) }
            loss.backward()
            optimizer.step()
            losses.append(Double(loss.item))
            observer?(round, id.name, stepOffset + b + 1, totalSteps, Double(loss.item))
        }
        optimizer.zeroGrad()
        return losses
    }
}
