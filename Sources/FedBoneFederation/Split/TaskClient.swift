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
        let started = ContinuousClock.now
        optimizer.learningRate = learningRate
        model.train()
        var epochBatches: [[Batch]] = []
        for _ in 0..<epochs { epochBatches.append(dataset.trainBatches(batchSize: batchSize, generator: &generator)) }
        let total = epochBatches.reduce(0) { $0 + $1.count }
        var lossSum = 0.0, step = 0, samples = 0, sent = 0, received = 0
        for batch in epochBatches.joined() {
            optimizer.zeroGrad()
            let embeddings = model.embed(batch.input)
            let lengths = batch.input.lengths
            sent += 4 * embeddings.count + 4 * (lengths?.count ?? 0)
            let features = try service.forward(client: id, round: round, step: step, embeddings: embeddings.detached(), lengths: lengths)
            received += 4 * features.count
            let leaf = features.detached().requiringGrad()
            let loss = taskLoss(task: model.task, prediction: model.predict(features: leaf, input: batch.input), target: batch.target,
                                options: lossOptions)
            loss.backward()
            let featureGradient = leaf.grad ?? .zeros(leaf.shape)
            sent += 4 * featureGradient.count
            let embeddingGradient = try service.backward(client: id, round: round, step: step, featureGradient: featureGradient)
            received += 4 * embeddingGradient.count
            embeddings.backward(embeddingGradient)
            optimizer.step()
            lossSum += Double(loss.item)
            samples += batch.count
            step += 1
            observer?(round, id.name, step, total, Double(loss.item))
        }
        optimizer.zeroGrad()
        _ = try service.endRound(client: id, round: round)
        return ClientRoundStats(client: id.name, loss: step > 0 ? lossSum / Double(step) : 0, steps: step, samples: samples,
                                bytesSent: sent, bytesReceived: received, seconds: seconds(since: started))
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
