import Testing
import FedBoneLayers

/// Expected values are printed by `python3 tools/optimizer_reference.py` (torch 2.13, the
/// `schedule(...)` calls), which steps the torch schedulers named in each comment.
@Suite struct LearningRateScheduleTests {
    private func expectRates(_ schedule: some LearningRateSchedule, at indices: [Int], _ expected: [Double]) {
        for (t, want) in zip(indices, expected) {
            let got = schedule.learningRate(at: t)
            #expect(Swift.abs(got - want) <= 1e-8 * Swift.max(1, Swift.abs(want)) + 1e-12, "t = \(t): \(got) vs \(want)")
        }
    }

    @Test func constantNeverChanges() {
        expectRates(ConstantSchedule(0.01), at: [0, 1, 1000], [0.01, 0.01, 0.01])
    }

    @Test func stepScheduleMatchesTorchStepLR() {
        // StepLR(step_size=50, gamma=0.1): the FedBone paper's 0.01 × 0.1 every 50 rounds.
        expectRates(StepSchedule(base: 0.01, stepSize: 50, gamma: 0.1), at: [0, 1, 49, 50, 99, 100, 149, 150],
                    [0.01, 0.01, 0.01, 0.001, 0.001, 0.0001, 0.0001, 1e-05])
    }

    @Test func cosineMatchesTorchCosineAnnealingLR() {
        // CosineAnnealingLR(T_max=100, eta_min=1e-4)
        expectRates(CosineSchedule(base: 0.01, total: 100, minimum: 1e-4), at: [0, 1, 25, 50, 75, 99, 100],
                    [0.01, 0.00999755747, 0.00855017857, 0.00505, 0.00154982143, 0.000102442526, 0.0001])
    }

    @Test func cosineWithWarmupMatchesTorchSequentialLR() {
        // SequentialLR([LinearLR(start_factor=0.1, total_iters=10), CosineAnnealingLR(T_max=90, eta_min=1e-4)], [10])
        expectRates(CosineSchedule(base: 0.01, total: 100, minimum: 1e-4, warmupSteps: 10, warmupStartFactor: 0.1),
                    at: [0, 1, 5, 9, 10, 11, 55, 99, 100],
                    [0.001, 0.0019, 0.0055, 0.0091, 0.01, 0.00999698459, 0.00505, 0.000103015406, 0.0001])
    }

    @Test func cosineStaysAtMinimumAfterTotal() {
        let schedule = CosineSchedule(base: 0.01, total: 100, minimum: 1e-4)
        #expect(schedule.learningRate(at: 150) == schedule.learningRate(at: 100))
    }
}
