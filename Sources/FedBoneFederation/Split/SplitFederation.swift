import Foundation

/// FedBone (and FedBone without GP): task clients with client models, one general-model server,
/// split training through the in-process ``GeneralModelService``.
public final class SplitFederation: FederatedAlgorithm {
    public let server: GeneralModelServer
    public let clients: [TaskClient]
    public let config: ExperimentConfig
    private let streams: RandomStreams

    /// Builds the server and the clients of `config` over `datasets` (named, in client order).
    public init(config: ExperimentConfig, datasets: [(name: String, dataset: any ClientDataset)]) throws {
        self.config = config
        let streams = RandomStreams(seed: config.seed)
        self.streams = streams
        let general = try config.model.general.resolved()
        let size = (config.data.imageSize, config.data.imageSize)
        let model = try general.makeModel(imageSize: size, seed: streams.modelSeed(0))
        clients = try datasets.enumerated().map { i, entry in
            let clientModel = try makeClientModel(task: entry.dataset.task, input: entry.dataset.input, general: general,
                                                  adaptation: config.model.adaptation, seed: streams.modelSeed(i + 1))
            clientModel.matchOutputPrior(to: entry.dataset)
            return TaskClient(id: ClientID(entry.name), model: clientModel, optimizer: config.client.optimizer,
                              dataset: entry.dataset, lossOptions: config.training.loss)
        }
        server = GeneralModelServer(model: model, clients: clients.map { ($0.id, $0.dataset.trainCount) },
                                    update: config.server.update, replicaOptimizer: config.server.optimization.optimizer,
                                    aggregator: config.effectiveAggregator, seed: streams.aggregationSeed)
        let plan = ServerMemoryPlan(config: config, parameters: model.parameterCount,
                                    participants: config.training.clientsPerRound.perRound(of: clients.count))
        try server.apply(plan, settings: config.server)
    }

    public var clientNames: [String] { clients.map(\.id.name) }
    public var datasets: [any ClientDataset] { clients.map(\.dataset) }

    public func trainRound(_ round: Int, participants: [Int], observer: StepObserver?) throws -> RoundOutcome {
        try server.beginRound(round, participants: participants.map { clients[$0].id },
                              replicaLearningRate: learningRate(config.server.optimization, round: round, rounds: config.rounds),
                              serverLearningRate: config.serverLearningRate(round: round))
        let lr = learningRate(config.client, round: round, rounds: config.rounds)
        let stats = try LocalRound.trainAndEnd(count: participants.count, groupSize: server.canBatchPasses ? config.server.batchClients : 1,
                                               service: server) { j in
            let i = participants[j]
            var generator = streams.training(round: round, client: i)
            return clients[i].startRound(round, epochs: config.training.localEpochs, batchSize: config.training.batchSize,
                                         learningRate: lr, generator: &generator, observer: observer)
        }
        return RoundOutcome(clients: stats, aggregation: server.lastRecord)
    }

    public func evaluate(client index: Int) throws -> EvaluationSummary {
        let client = clients[index]
        return try FedBoneFederation.evaluate(task: client.model.task, batches: client.dataset.testBatches(batchSize: config.evaluation.batchSize),
                                              lossOptions: config.training.loss) { try client.predict($0, service: server) }
    }

    public func predict(client index: Int, input: ModelInput) throws -> Tensor {
        try clients[index].predict(input, service: server)
    }

    public func save(to directory: URL) throws {
        try server.save(to: directory)
        for client in clients {
            try ClientCheckpointFiles(directory: directory, name: client.id.name).save(client.model, optimizer: client.optimizer)
        }
    }

    public func restore(from directory: URL, nextRound: Int) throws {
        try server.restore(from: directory, nextRound: nextRound)
        for client in clients {
            try ClientCheckpointFiles(directory: directory, name: client.id.name).restore(client.model, optimizer: client.optimizer)
        }
    }

    public func cost() -> CostReport {
        var serverMACs = 0
        let perClient = clients.map { client -> CostReport.Client in
            let c = SplitCost.measure(client: client.model, general: server.model)
            serverMACs = c.serverMultiplyAdds
            return .init(client: client.id.name, task: client.model.task.kind.rawValue, parameters: c.clientParameters,
                         gflopsPerSample: Double(c.clientMultiplyAdds) / 1e9)
        }
        return CostReport(clients: perClient, serverParameters: server.model.parameterCount,
                          serverGflopsPerSample: Double(serverMACs) / 1e9)
    }
}
