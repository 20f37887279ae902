import Foundation
import Testing
import FedBoneLayers

@Suite struct OptimizerStateTests {
    /// Trains 3 steps, saves, builds a fresh optimizer (and copies the parameters into a fresh
    /// problem), loads, trains 3 more; the parameters must equal a straight 6-step run exactly.
    private func expectResumeIsExact(_ make: ([(name: String, parameter: Parameter)]) -> any Optimizer) throws {
        let straight = try LeastSquaresProblem()
        _ = straight.train(make(straight.named), steps: 6)

        let first = try LeastSquaresProblem()
        let before = make(first.named)
        _ = first.train(before, steps: 3)
        let saved = before.stateDict()

        let resumed = try LeastSquaresProblem()
        for (target, source) in zip(resumed.named, first.named) { try target.parameter.assign(source.parameter.value) }
        let after = make(resumed.named)
        try after.load(stateDict: saved)
        #expect(after.stepCount == 3)
        _ = resumed.train(after, steps: 3)

        #expect(resumed.weight.value.scalars == straight.weight.value.scalars)
        #expect(resumed.bias.value.scalars == straight.bias.value.scalars)
        #expect(after.stepCount == 6)
    }

    @Test func sgdResumesBitForBit() throws {
        try expectResumeIsExact { SGD($0, learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01) }
    }

    @Test func adamResumesBitForBit() throws {
        try expectResumeIsExact { Adam($0, learningRate: 0.05, weightDecay: 0.1) }
    }

    @Test func adamWResumesBitForBit() throws {
        try expectResumeIsExact { AdamW($0, learningRate: 0.05) }
    }

    /// An Adam optimizer after one step, and its saved state.
    private func trainedAdam() throws -> (Adam, [String: Tensor]) {
        let problem = try LeastSquaresProblem()
        let adam = Adam(problem.named, learningRate: 0.05)
        _ = problem.train(adam, steps: 1)
        return (adam, adam.stateDict())
    }

    @Test func loadRejectsBadStateAndChangesNothing() throws {
        let (adam, good) = try trainedAdam()
        var wrongShape = good
        wrongShape["fc.bias.exp_avg"] = .zeros([3])
        var missing = good
        missing["fc.weight.exp_avg_sq"] = nil
        var noStep = good
        noStep["step"] = nil
        var unexpected = good
        unexpected["fc.weigth.exp_avg"] = .zeros([2, 3])
        var badStep = good
        badStep["fc.bias.step"] = Tensor(1.5)

        let cases: [([String: Tensor], OptimizerStateError)] = [
            (wrongShape, .shapeMismatch(key: "fc.bias.exp_avg", expected: [2], actual: [3])),
            (missing, .missingKey("fc.weight.exp_avg_sq")),
            (noStep, .missingKey("step")),
            (unexpected, .unexpectedKey("fc.weigth.exp_avg")),
            (badStep, .invalidStep(key: "fc.bias.step", value: 1.5)),
        ]
        for (state, error) in cases {
            #expect(throws: error) { try adam.load(stateDict: state) }
            #expect(snapshot(adam.stateDict()) == snapshot(good))
        }
    }

    @Test func sgdLoadRejectsAnotherOptimizersState() throws {
        let (_, adamState) = try trainedAdam()
        let problem = try LeastSquaresProblem()
        let sgd = SGD(problem.named, learningRate: 0.1, momentum: 0.9)
        #expect(throws: OptimizerStateError.unexpectedKey("fc.bias.exp_avg")) { try sgd.load(stateDict: adamState) }
        #expect(sgd.stepCount == 0)
    }

    @Test func hyperparametersRoundTripThroughJSON() throws {
        let configs: [OptimizerConfiguration] = [
            .sgd(SGDHyperparameters(learningRate: 0.01, momentum: 0.9, nesterov: true, weightDecay: 5e-4)),
            .adam(AdamHyperparameters(learningRate: 1e-3, beta2: 0.99)),
            .adamW(AdamHyperparameters(learningRate: 1e-3, weightDecay: 0.05)),
        ]
        for config in configs {
            let data = try JSONEncoder().encode(config)
            #expect(try JSONDecoder().decode(OptimizerConfiguration.self, from: data) == config)
        }
    }

    @Test func configurationsTakeTorchDefaults() throws {
        func decode(_ json: String) throws -> OptimizerConfiguration {
            try JSONDecoder().decode(OptimizerConfiguration.self, from: Data(json.utf8))
        }
        #expect(try decode(#"{"name": "sgd", "lr": 0.01, "momentum": 0.9}"#)
            == .sgd(SGDHyperparameters(learningRate: 0.01, momentum: 0.9)))
        #expect(try decode(#"{"name": "adamw", "lr": 0.001}"#)
            == .adamW(AdamHyperparameters(learningRate: 0.001, weightDecay: 0.01)))
        #expect(try decode(#"{"name": "adam", "lr": 0.001}"#) == .adam(AdamHyperparameters(learningRate: 0.001)))
        let problem = try LeastSquaresProblem()
        #expect(try decode(#"{"name": "adamw", "lr": 0.001}"#).makeOptimizer(problem.named) is AdamW)
    }

    @Test func configurationsRejectValuesTorchRejects() {
        func decode(_ json: String) throws {
            _ = try JSONDecoder().decode(OptimizerConfiguration.self, from: Data(json.utf8))
        }
        #expect(throws: OptimizerConfigurationError.nesterovNeedsMomentumWithoutDampening) {
            try decode(#"{"name": "sgd", "lr": 0.01, "nesterov": true}"#)
        }
        #expect(throws: OptimizerConfigurationError.invalidValue(name: "beta2", value: 1, requirement: "in [0, 1)")) {
            try decode(#"{"name": "adam", "lr": 0.01, "beta2": 1.0}"#)
        }
        #expect(throws: OptimizerConfigurationError.invalidValue(name: "lr", value: -1, requirement: "finite and ≥ 0")) {
            try decode(#"{"name": "adamw", "lr": -1}"#)
        }
        #expect(throws: OptimizerConfigurationError.unknownOptimizer("lamb")) {
            try decode(#"{"name": "lamb", "lr": 0.01}"#)
        }
    }
}

/// A comparable view of a state dict.
private func snapshot(_ state: [String: Tensor]) -> [String: [Float]] {
    state.mapValues { $0.shape.map(Float.init) + [-1] + $0.scalars }
}
