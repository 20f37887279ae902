import Foundation
import Testing
import FedBoneFederation
import FedBoneModels
import FedBoneTensor

/// FedEM's E-step, M-step and mixture on cases computed by hand, and rounds of the method.
@Suite struct FedEMTests {
    @Test func theEStepWeighsEachComponentByItsPriorAndItsLikelihood() {
        // π = (½, ½); losses (1, 2) → q ∝ (e⁻¹, e⁻²) = (0.731059, 0.268941);
        // losses (3, 1) → q ∝ (e⁻³, e⁻¹) = (0.119203, 0.880797).
        let q = FedEM.responsibilities(losses: [[1, 2], [3, 1]], weights: [0.5, 0.5])
        #expect(abs(q[0][0] - 0.731059) < 1e-6 && abs(q[0][1] - 0.268941) < 1e-6)
        #expect(abs(q[1][0] - 0.119203) < 1e-6 && abs(q[1][1] - 0.880797) < 1e-6)
        // π = (0.9, 0.1) with equal losses: q = π. Losses of 1000 and 1001 do not underflow:
        // q ∝ (e⁰, e⁻¹) = (0.731059, 0.268941).
        let prior = FedEM.responsibilities(losses: [[4, 4]], weights: [0.9, 0.1])[0]
        #expect(abs(prior[0] - 0.9) < 1e-12 && abs(prior[1] - 0.1) < 1e-12)
        let far = FedEM.responsibilities(losses: [[1000, 1001]], weights: [0.5, 0.5])[0]
        #expect(abs(far[0] - 0.731059) < 1e-6)
    }

    @Test func theMStepSetsTheWeightsToTheMeanResponsibility() {
        // ((0.731059 + 0.119203) / 2, (0.268941 + 0.880797) / 2) = (0.425131, 0.574869).
        let pi = FedEM.mixtureWeights([[0.731059, 0.268941], [0.119203, 0.880797]])
        #expect(abs(pi[0] - 0.425131) < 1e-6 && abs(pi[1] - 0.574869) < 1e-6)
    }

    @Test func theMixtureAveragesProbabilitiesOrValuesByTask() throws {
        // Two classes, logits (0, 0) and (ln 3, 0): probabilities (½, ½) and (¾, ¼); with
        // π = (0.2, 0.8): (0.7, 0.3), returned as log-probabilities.
        let a = try Tensor(shape: [1, 2], scalars: [0, 0]), b = try Tensor(shape: [1, 2], scalars: [Float(log(3.0)), 0])
        let classes = FedEM.mixture(task: .classification, predictions: [a, b], weights: [0.2, 0.8])
        #expect(abs(classes.scalars[0] - Float(log(0.7))) < 1e-6 && abs(classes.scalars[1] - Float(log(0.3))) < 1e-6)
        // Binary maps: σ(0) = ½ and σ(ln 3) = ¾ → 0.7 → logit ln(0.7 / 0.3).
        let edges = FedEM.mixture(task: .boundaries, predictions: [try Tensor(shape: [1, 1, 1, 1], scalars: [0]),
                                                                   try Tensor(shape: [1, 1, 1, 1], scalars: [Float(log(3.0))])],
                                  weights: [0.2, 0.8])
        #expect(abs(edges.scalars[0] - Float(log(0.7 / 0.3))) < 1e-6)
        // Depth: 0.2 · 1 + 0.8 · 2 = 1.8.
        let depth = FedEM.mixture(task: .depth, predictions: [try Tensor(shape: [1, 1, 1, 1], scalars: [1]),
                                                              try Tensor(shape: [1, 1, 1, 1], scalars: [2])],
                                  weights: [0.2, 0.8])
        #expect(abs(depth.scalars[0] - 1.8) < 1e-6)
    }

    @Test func perSampleLossesAverageToTheBatchLossAndCarryGradients() throws {
        let task = TaskSpec(.classification, classes: 3)
        let logits = try Tensor(shape: [2, 3], scalars: [1, 0, -1, 0.5, 2, 0]).requiringGrad()
        let target = TaskTarget.labels([0, 1])
        let each = FedEM.sampleLosses(task: task, prediction: logits, target: target, options: .init())
        let batch = taskLoss(task: task, prediction: logits, target: target)
        #expect(each.count == 2 && abs((each[0].item + each[1].item) / 2 - batch.item) < 1e-6)
        (each[1] * 2).backward()
        // Only sample 1's row gets a gradient: 2 (softmax − onehot).
        let g = try #require(logits.grad).scalars
        #expect(g[0..<3].allSatisfy { $0 == 0 } && abs(g[3..<6].reduce(0, +)) < 1e-6 && g[4] < 0)
    }

    @Test func aRoundOfFedEMTrainsEveryComponentAndLearnsTheWeights() throws {
        let config = try ExperimentConfig.load(yaml: SimulationTests.tinyYAML,
                                               overrides: ["rounds=2", "method=fedem", "baselines.fedemComponents=2"])
        #expect(config.baselines.fedemComponents == 2)
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: SimulationTests.tinyYAML, overrides: ["baselines.fedemComponents=0"]) }
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let federation = try FedEMFederation(config: config, datasets: try DatasetFactory.makeClientDatasets(
            data: config.data, tasks: config.tasks, seed: RandomStreams(seed: config.seed).dataSeed))
        #expect(federation.components.allSatisfy { $0.count == 2 })
        let before = federation.global.map { $0["shared"]?["patch_embed.proj.weight"]?.scalars }
        #expect(before[0] != before[1], "the components start from different seeds")
        let outcome = try federation.trainRound(1, participants: [0, 1, 2], observer: nil)
        #expect(outcome.clients.count == 3 && outcome.clients.allSatisfy { $0.loss.isFinite && $0.steps > 0 })
        for weights in federation.mixtureWeights {
            #expect(abs(weights.reduce(0, +) - 1) < 1e-6 && weights != [0.5, 0.5])
        }
        #expect(federation.global.map { $0["shared"]?["patch_embed.proj.weight"]?.scalars } != before)
        let evaluation = try federation.evaluate()
        #expect(evaluation.allSatisfy { $0.primary.value.isFinite })
    }
}
