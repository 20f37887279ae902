/// A client of the baselines: the whole model (embedding, backbone, adaptation, head) on the
/// client, trained locally.
public final class WholeModelClient {
    public let id: ClientID
    public let model: FullModel
    public let task: TaskSpec
    public let optimizer: any Optimizer
    public let dataset: any ClientDataset
    public let lossOptions: TaskLossOptions

    public init(id: ClientID, model: FullModel, task: TaskSpec, optimizer: OptimizerConfiguration, dataset: any ClientDataset,
                lossOptions: TaskLossOptions = .init()) {
        self.id = id
        self.model = model
        self.task = task
        self.optimizer = optimizer.makeOptimizer(model.namedParameters())
        self.dataset = dataset
        self.lossOptions = lossOptions
    }

    /// Trains `epochs` local epochs. With `proximal` (FedProx), the loss gains μ/2‖w − w_global‖²
    /// over the parameters named in `anchor`, i.e. their gradients gain μ(w − w_global). With
    /// `trainable` (FedRep's phases), only the parameters whose names it accepts are updated:
    /// the others' gradients are dropped before each step, so the optimizer skips them.
    public func trainRound(_ round: Int, epochs: Int, batchSize: Int, learningRate: Double,
                           proximal: (mu: Double, anchor: [String: Tensor])?, trainable: ((String) -> Bool)? = nil,
                           generator: inout SeededGenerator,
                           observer: StepObserver? = nil) -> (loss: Double, steps: Int, samples: Int) {
        optimizer.learningRate = learningRate
        model.train()
        let epochBatches = self.epochBatches(epochs, batchSize: batchSize, generator: &generator)
        let total = epochBatches.reduce(0) { $0 + $1.count }
        let anchored: [(Parameter, Tensor)] = proximal.map { prox in
            model.namedParameters().compactMap { entry in prox.anchor[entry.name].map { (entry.parameter, $0) } }
        } ?? []
        let mu = Float(proximal?.mu ?? 0)
        let frozen = trainable.map { accepts in model.namedParameters().filter { !accepts($0.name) }.map(\.parameter) } ?? []
        var lossSum = 0.0, step = 0, samples = 0
        for batch in epochBatches.joined() {
            optimizer.zeroGrad()
            let loss = taskLoss(task: task, prediction: model(batch.input), target: batch.target, options: lossOptions)
            loss.backward()
            if mu > 0 {
                for (parameter, global) in anchored {
                    let grad = parameter.grad ?? .zeros(parameter.shape)
                    let pull = zip(parameter.value.scalars, global.scalars).map { mu * ($0 - $1) }
                    parameter.value.setGrad(Tensor(uncheckedShape: grad.shape, scalars: zip(grad.scalars, pull).map { $0 + $1 }))
                }
            }
            for parameter in frozen { parameter.zeroGrad() }
            optimizer.step()
            lossSum += Double(loss.item)
            samples += batch.count
            step += 1
            observer?(round, id.name, step, total, Double(loss.item))
        }
        optimizer.zeroGrad()
        return (step > 0 ? lossSum / Double(step) : 0, step, samples)
    }

    /// The mini-batches of `epochs` passes over the training split, in the generator's order.
    func epochBatches(_ epochs: Int, batchSize: Int, generator: inout SeededGenerator) -> [[Batch]] {
        (0..<epochs).map { _ in dataset.trainBatches(batchSize: batchSize, generator: &generator) }
    }

    /// Predictions for `input` (evaluation mode).
    public func predict(_ input: ModelInput) -> Tensor {
        model.eval()
        defer { model.train() }
        return withoutGrad { model(input) }
    }

    /// Multiply-adds of one sample through the whole model (``InputDescription/probe``).
    func multiplyAddsPerSample() -> Int {
        let probe = dataset.input.probe
        model.eval()
        defer { model.train() }
        return withoutGrad { FlopCounter.count { model(probe) } }.0
    }
}
