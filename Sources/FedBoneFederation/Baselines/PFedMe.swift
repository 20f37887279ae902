/// pFedMe (Dinh, Tran and Nguyen, NeurIPS 2020): personalised models through Moreau envelopes.
///
/// Each client keeps a personalised model θ_i and a local copy w_i of the global model. For
/// each mini-batch it approximately solves min_θ f_i(θ) + λ/2‖θ − w_i‖² with K gradient steps
/// of rate α on θ, then moves w_i towards the solution, w_i ← w_i − η λ (w_i − θ_i). The server
/// mixes the clients' w_i into the global model, w ← (1 − β) w + β · mean_i w_i. A client is
/// evaluated with θ_i. These are the three rules, on flat vectors.
public enum PFedMe {
    /// One step of the inner problem: θ − α (∇f(θ) + λ (θ − w)).
    public static func personalStep(personal: [Float], gradient: [Float], local: [Float], lambda: Float, rate: Float) -> [Float] {
        precondition(personal.count == gradient.count && personal.count == local.count, "PFedMe.personalStep: lengths differ")
        return (0..<personal.count).map { j in personal[j] - rate * (gradient[j] + lambda * (personal[j] - local[j])) }
    }

    /// The local model's step towards the personalised one: w − η λ (w − θ).
    public static func localStep(local: [Float], personal: [Float], lambda: Float, rate: Float) -> [Float] {
        precondition(personal.count == local.count, "PFedMe.localStep: lengths differ")
        return (0..<local.count).map { j in local[j] - rate * lambda * (local[j] - personal[j]) }
    }

    /// The server's mix: (1 − β) w + β · mean.
    public static func serverStep(global: [Float], mean: [Float], beta: Float) -> [Float] {
        precondition(global.count == mean.count, "PFedMe.serverStep: lengths differ")
        return (0..<global.count).map { j in (1 - beta) * global[j] + beta * mean[j] }
    }
}

extension WholeModelClient {
    /// pFedMe's local training (``PFedMe``): the model holds θ_i; `local` holds w_i by parameter
    /// name and is updated in place. Returns the mean inner loss, the mini-batches and the samples.
    func trainRoundPFedMe(_ round: Int, local: inout [String: [Float]], epochs: Int, batchSize: Int, learningRate: Double,
                          options: BaselineConfig, generator: inout SeededGenerator,
                          observer: StepObserver? = nil) -> (loss: Double, steps: Int, samples: Int) {
        model.train()
        let epochBatches = self.epochBatches(epochs, batchSize: batchSize, generator: &generator)
        let total = epochBatches.reduce(0) { $0 + $1.count }
        let lambda = Float(options.pfedmeLambda), alpha = Float(options.pfedmePersonalLearningRate), eta = Float(learningRate)
        let parameters = model.namedParameters()
        for entry in parameters where local[entry.name] == nil { local[entry.name] = entry.parameter.value.scalars }
        var lossSum = 0.0, step = 0, samples = 0
        for batch in epochBatches.joined() {
            var innerLoss = 0.0
            for _ in 0..<options.pfedmeInnerSteps {
                model.zeroGrad()
                let loss = taskLoss(task: task, prediction: model(batch.input), target: batch.target, options: lossOptions)
                loss.backward()
                innerLoss = Double(loss.item)
                for (name, parameter) in parameters {
                    guard let w = local[name] else { continue }
                    let theta = parameter.value.scalars
                    let next = PFedMe.personalStep(personal: theta, gradient: parameter.grad?.scalars ?? [Float](repeating: 0, count: theta.count),
                                                   local: w, lambda: lambda, rate: alpha)
                    parameter.update { v in for j in 0..<v.count { v[j] = next[j] } }
                }
            }
            for (name, parameter) in parameters {
                guard let w = local[name] else { continue }
                local[name] = PFedMe.localStep(local: w, personal: parameter.value.scalars, lambda: lambda, rate: eta)
            }
            lossSum += innerLoss
            samples += batch.count
            step += 1
            observer?(round, id.name, step, total, innerLoss)
        }
        model.zeroGrad()
        return (step > 0 ? lossSum / Double(step) : 0, step, samples)
    }
}
