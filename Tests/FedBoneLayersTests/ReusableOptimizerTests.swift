import Testing
import FedBoneLayers

/// A reset Adam or AdamW takes exactly the steps a new one takes from the same parameters.
@Suite struct ReusableOptimizerTests {
    static func expectResetIsNew(_ make: ([(name: String, parameter: Parameter)]) -> any ReusableOptimizer) throws {
        let used = try LeastSquaresProblem(), fresh = try LeastSquaresProblem()
        let reused = make(used.named)
        _ = used.train(reused, steps: 5)
        // Both problems start again from the same parameter values.
        for (a, b) in zip(used.named, fresh.named) { try a.parameter.assign(b.parameter.value) }
        reused.reset()
        #expect(reused.stepCount == 0)
        let new = make(fresh.named)
        let lossesReused = used.train(reused, steps: 4), lossesNew = fresh.train(new, steps: 4)
        #expect(lossesReused == lossesNew)
        for (a, b) in zip(used.named, fresh.named) { #expect(a.parameter.value.scalars == b.parameter.value.scalars, "\(a.name)") }
        #expect(reused.stepCount == new.stepCount)
    }

    @Test func aResetAdamStepsLikeANewOne() throws {
        try Self.expectResetIsNew { Adam($0, learningRate: 0.05, weightDecay: 0.1) }
    }

    @Test func aResetAdamWStepsLikeANewOne() throws {
        try Self.expectResetIsNew { AdamW($0, learningRate: 0.05, weightDecay: 0.01) }
    }
}
