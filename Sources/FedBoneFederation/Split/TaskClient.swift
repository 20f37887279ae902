/// What one client did in one round.
public struct ClientRoundStats: Sendable, Equatable, Codable {
    /// The client.
    public var client: String
    /// Mean training loss over the round's mini-batches.
    public var loss: Double
    /// Mini-batches trained.
    public var steps: Int
    /// Training samples seen (over all local epochs).
    public var samples: Int
    /// Bytes the client sent (embeddings and feature gradients; whole-model weights in the baselines).
    public var bytesSent: Int
    /// Bytes the client received (features and embedding gradients; whole-model weights in the baselines).
    public var bytesReceived: Int
    /// Wall-clock seconds of the client's local training.
    public var seconds: Double

    public init(client: String, loss: Double, steps: Int, samples: Int, bytesSent: Int, bytesReceived: Int, seconds: Double) {
        self.client = client
        self.loss = loss
        self.steps = steps
        self.samples = samples
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.seconds = seconds
    }
}

/// Called after every local mini-batch: (round, client, step, steps in the round, loss).
public typealias StepObserver = (_ round: Int, _ client: String, _ step: Int, _ steps: Int, _ loss: Double) -> Void

/// An edge client of FedBone: its client model (embedding ζ, adaptation η, head ϕ; of images or
/// of token sequences), its optimizer and its private data. It reaches the general model only
/// through a ``GeneralModelService``.
public final class TaskClient {
    public let id: ClientID
    public let model: any SplitClientModel
    public let optimizer: any Optimizer
    public let dataset: any ClientDataset
    /// Loss options of its task.
    public let lossOptions: TaskLossOptions

    public init(id: ClientID, model: any SplitClientModel, optimizer: OptimizerConfiguration, dataset: any ClientDataset,
                lossOptions: TaskLossOptions = .init()) {
        self.id = id
        self.model = model
        self.optimizer = optimizer.makeOptimizer(model.namedParameters())
        self.dataset = dataset
        self.lossOptions = lossOptions
    }

    /// Trains `epochs` local epochs of split mini-batches in round `round`, then ends the round
    /// with the service. `generator` shuffles and augments the batches.
    public func trainRound(_ round: Int, epochs: Int, batchSize: Int, learningRate: Double,
                           service: any GeneralModelService, generator: inout SeededGenerator,
                           observer: StepObserver? = nil) throws -> ClientRoundStats {
        let local = startRound(round, epochs: epochs, batchSize: batchSize, learningRate: learningRate,
                               generator: &generator, observer: observer)
        try local.trainSteps(service: service)
        return try local.end(service: service)
    }

    /// Starts round `round`'s local training, to be driven step by step (``LocalRound``):
    /// `epochs` local epochs of split mini-batches, shuffled and augmented by `generator`.
    public func startRound(_ round: Int, epochs: Int, batchSize: Int, learningRate: Double,
                           generator: inout SeededGenerator, observer: StepObserver? = nil) -> LocalRound {
        optimizer.learningRate = learningRate
        model.train()
        var epochBatches: [[Batch]] = []
        for _ in 0..<epochs { epochBatches.append(dataset.trainBatches(batchSize: batchSize, generator: &generator)) }
        return LocalRound(client: self, round: round, batches: Array(epochBatches.joined()), observer: observer)
    }

    /// Predictions for `input` with the service's current general model (evaluation mode).
    public func predict(_ input: ModelInput, service: any GeneralModelService) throws -> Tensor {
        model.eval()
        defer { model.train() }
        let embeddings = withoutGrad { model.embed(input) }
        let features = try service.infer(client: id, embeddings: embeddings, lengths: input.lengths)
        return withoutGrad { model.predict(features: features, input: input) }
    }
}

/// Seconds elapsed since `start`.
public func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// One client's local round, step by step: ``nextEmbeddings()`` (the client's embedding of its
/// next mini-batch, for the server's Forward), ``featureGradient(features:)`` (the loss on the
/// server's features), ``finishStep(embeddingGradient:)`` (the client's backward and optimizer
/// step), and at the end ``end(service:)``. ``SplitFederation`` drives many of them in lockstep
/// to batch their server passes; ``TaskClient/trainRound(_:epochs:batchSize:learningRate:service:generator:observer:)``
/// drives one.
public final class LocalRound {
    public let client: TaskClient
    public let round: Int
    private let batches: [Batch]
    private let observer: StepObserver?
    private let started = ContinuousClock.now
    private var step = 0, lossSum = 0.0, samples = 0, sent = 0, received = 0
    /// The open step's embeddings (with the client model's graph) and, once computed, its loss.
    private var open: (embeddings: Tensor, loss: Tensor?)?

    init(client: TaskClient, round: Int, batches: [Batch], observer: StepObserver?) {
        self.client = client
        self.round = round
        self.batches = batches
        self.observer = observer
    }

    /// Whether a step remains.
    public var hasNextStep: Bool { step < batches.count }

    /// Opens the next step: its index and the embeddings (and lengths) to send; nil when the
    /// round's steps are done.
    public func nextEmbeddings() -> (step: Int, embeddings: Tensor, lengths: [Int]?)? {
        guard hasNextStep else { return nil }
        let batch = batches[step]
        client.optimizer.zeroGrad()
        let embeddings = client.model.embed(batch.input)
        let lengths = batch.input.lengths
        sent += 4 * embeddings.count + 4 * (lengths?.count ?? 0)
        open = (embeddings, nil)
        return (step, embeddings.detached(), lengths)
    }

    /// The loss of the open step on the server's `features`, back-propagated: the feature
    /// gradient to send.
    public func featureGradient(features: Tensor) -> Tensor {
        guard let current = open else { preconditionFailure("LocalRound: featureGradient without an open step") }
        let batch = batches[step]
        received += 4 * features.count
        let leaf = features.detached().requiringGrad()
        let loss = taskLoss(task: client.model.task, prediction: client.model.predict(features: leaf, input: batch.input),
                            target: batch.target, options: client.lossOptions)
        loss.backward()
        let gradient = leaf.grad ?? .zeros(leaf.shape)
        sent += 4 * gradient.count
        open = (current.embeddings, loss)
        return gradient
    }

    /// Closes the open step with the server's `embeddingGradient`: the client model's backward
    /// and optimizer step.
    public func finishStep(embeddingGradient: Tensor) {
        guard let current = open, let loss = current.loss else { preconditionFailure("LocalRound: finishStep before featureGradient") }
        received += 4 * embeddingGradient.count
        current.embeddings.backward(embeddingGradient)
        client.optimizer.step()
        lossSum += Double(loss.item)
        samples += batches[step].count
        step += 1
        open = nil
        observer?(round, client.id.name, step, batches.count, Double(loss.item))
    }

    /// Trains every remaining step through `service`, one Forward and its Backward at a time.
    /// - Throws: the service's refusal of a call.
    public func trainSteps(service: any GeneralModelService) throws {
        while let (step, embeddings, lengths) = nextEmbeddings() {
            let features = try service.forward(client: client.id, round: round, step: step, embeddings: embeddings, lengths: lengths)
            let gradient = featureGradient(features: features)
            finishStep(embeddingGradient: try service.backward(client: client.id, round: round, step: step, featureGradient: gradient))
        }
    }

    /// Ends the round with the service and says what the client did.
    public func end(service: any GeneralModelService) throws -> ClientRoundStats {
        client.optimizer.zeroGrad()
        _ = try service.endRound(client: client.id, round: round)
        return ClientRoundStats(client: client.id.name, loss: step > 0 ? lossSum / Double(step) : 0, steps: step, samples: samples,
                                bytesSent: sent, bytesReceived: received, seconds: seconds(since: started))
    }
}

extension LocalRound {
    /// Trains and ends the rounds `start` opens for clients `0..<count`, in order: with a
    /// `groupSize` of 1 one client after another, each ending its round before the next one's
    /// batches are made (its EndRound frees its replica for the next); above 1 every client's
    /// step s together (``trainInLockstep(_:groupSize:service:)``), the rounds ended in order
    /// at the end.
    /// - Throws: the first refused request's error.
    public static func trainAndEnd(count: Int, groupSize: Int, service: any BatchedGeneralModelService,
                                   start: (Int) -> LocalRound) throws -> [ClientRoundStats] {
        guard groupSize > 1 else {
            return try (0..<count).map { i in
                let local = start(i)
                try local.trainSteps(service: service)
                return try local.end(service: service)
            }
        }
        let local = (0..<count).map(start)
        try trainInLockstep(local, groupSize: groupSize, service: service)
        return try local.map { try $0.end(service: service) }
    }

    /// Trains `local` (rounds of distinct clients) with every client's step s together: the
    /// Forwards of up to `groupSize` clients (in `local`'s order) as one batch to `service`, then
    /// their Backwards as one (``GeneralModelServer/forward(batch:)``). Each client's own
    /// computations are those of a round trained alone, and a batching server keeps each
    /// client's gradient apart, so the round ends as it would one client after another (to
    /// float tolerance in the server's passes). The rounds are left open: end each with
    /// ``end(service:)``.
    /// - Throws: the first refused request's error.
    public static func trainInLockstep(_ local: [LocalRound], groupSize: Int, service: any BatchedGeneralModelService) throws {
        precondition(groupSize >= 1, "trainInLockstep: groupSize must be at least 1")
        while case let active = local.filter(\.hasNextStep), !active.isEmpty {
            for start in stride(from: 0, to: active.count, by: groupSize) {
                let group = Array(active[start..<min(start + groupSize, active.count)])
                let opened = group.compactMap { local -> ForwardRequest? in
                    local.nextEmbeddings().map { ForwardRequest(client: local.client.id, round: local.round, step: $0.step,
                                                                embeddings: $0.embeddings, lengths: $0.lengths) }
                }
                let features = service.forward(batch: opened)
                let backwards = try zip(group, zip(opened, features)).map { local, answered -> BackwardRequest in
                    BackwardRequest(client: answered.0.client, round: answered.0.round, step: answered.0.step,
                                    featureGradient: local.featureGradient(features: try answered.1.get()))
                }
                for (local, gradient) in zip(group, service.backward(batch: backwards)) {
                    local.finishStep(embeddingGradient: try gradient.get())
                }
            }
        }
    }
}
