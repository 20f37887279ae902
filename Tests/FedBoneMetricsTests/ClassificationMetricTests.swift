import Testing
import FedBoneMetrics

@Suite struct ClassificationMetricTests {
    @Test func handComputedAccuracyAndMacroF1() {
        // Truth 0 0 1 2 (255 ignored), predicted 0 1 1 1. F1_0 = 2/3, F1_1 = 2/4, F1_2 = 0,
        // class 3 absent from both → excluded.
        var metric = ClassificationMetric(task: TaskSpec(.classification, classes: 4))
        metric.update(prediction: oneHotLogits([0, 1, 1, 1, 3], k: 4, batch: 5), target: .labels([0, 0, 1, 2, 255]))
        let s = metric.summary()
        #expect(close(s["accuracy"], 0.5))
        #expect(close(s["macroF1"], (2.0 / 3 + 0.5 + 0) / 3))
        #expect(s.primary.name == "accuracy" && s.primary.higherIsBetter)
        #expect(s.samples == 4)
    }

    @Test func perfectPredictionGivesOne() {
        var metric = ClassificationMetric(task: TaskSpec(.classification, classes: 3))
        metric.update(prediction: oneHotLogits([2, 0, 1], k: 3, batch: 3), target: .labels([2, 0, 1]))
        #expect(metric.summary()["accuracy"] == 1)
        #expect(metric.summary()["macroF1"] == 1)
    }

    @Test func noSampleGivesNaN() {
        let metric = ClassificationMetric(task: TaskSpec(.classification, classes: 3))
        #expect(metric.summary()["accuracy"]?.isNaN == true)
        #expect(metric.summary()["macroF1"]?.isNaN == true)
    }
}
