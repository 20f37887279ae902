import Testing
import FedBoneFederation

/// pFedMe's three update rules on a case computed by hand, and one round of the method.
@Suite struct PFedMeTests {
    @Test func thePersonalStepFollowsTheGradientPlusThePullTowardsTheLocalModel() {
        // θ = (1, −2), ∇f = (0.5, 1), w = (0, 0), λ = 15, α = 0.01:
        // θ − α (∇f + λ (θ − w)) = (1 − 0.01·15.5, −2 − 0.01·(1 − 30)) = (0.845, −1.71).
        let next = PFedMe.personalStep(personal: [1, -2], gradient: [0.5, 1], local: [0, 0], lambda: 15, rate: 0.01)
        #expect(abs(next[0] - 0.845) < 1e-6 && abs(next[1] + 1.71) < 1e-6)
    }

    @Test func theLocalModelMovesTowardsThePersonalisedOne() {
        // w − η λ (w − θ) with w = (2, 0), θ = (0, 1), η = 0.004, λ = 15: (2 − 0.12, 0 + 0.06).
        let next = PFedMe.localStep(local: [2, 0], personal: [0, 1], lambda: 15, rate: 0.004)
        #expect(abs(next[0] - 1.88) < 1e-6 && abs(next[1] - 0.06) < 1e-6)
    }

    @Test func theServerMixesTheOldGlobalModelAndTheMean() {
        // (1 − β) w + β mean with β = 2 (the paper also tries β > 1): (−1·4 + 2·3, −1·0 + 2·1) = (2, 2).
        #expect(PFedMe.serverStep(global: [4, 0], mean: [3, 1], beta: 2) == [2, 2])
        #expect(PFedMe.serverStep(global: [4, 0], mean: [3, 1], beta: 1) == [3, 1])
    }

    @Test func aRoundOfPFedMeTrainsEveryClientAndItsConfigIsRead() throws {
        let config = try ExperimentConfig.load(yaml: SimulationTests.tinyYAML,
                                               overrides: ["rounds=1", "method=pfedme", "baselines.pfedmeInnerSteps=2", "baselines.pfedmeBeta=1.5"])
        #expect(config.baselines.pfedmeInnerSteps == 2 && config.baselines.pfedmeBeta == 1.5 && config.baselines.pfedmeLambda == 15)
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: SimulationTests.tinyYAML, overrides: ["baselines.pfedmeLambda=0"]) }
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let result = try Simulation(config: config, runDirectory: scratch.url.appendingPathComponent("run"), progress: RunProgress.quiet).run()
        #expect(result.final.allSatisfy { $0.primary.value.isFinite })
        #expect(result.final.map(\.primary.value) != result.initial.map(\.primary.value))
    }
}
