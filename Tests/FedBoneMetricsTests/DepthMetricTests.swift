import Testing
import FedBoneMetrics

@Suite struct DepthMetricTests {
    @Test func handComputedRMSEAndMAEOverValidPixels() {
        // Errors 0, (invalid), 2, 2 → RMSE = sqrt(8/3), MAE = 4/3.
        var metric = DepthMetric()
        metric.update(prediction: Tensor(uncheckedShape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]),
                      target: .map(Tensor(uncheckedShape: [1, 1, 2, 2], scalars: [1, 0, 1, 2])))
        let s = metric.summary()
        #expect(close(s["rmse"], (8.0 / 3).squareRoot(), 1e-6))
        #expect(close(s["mae"], 4.0 / 3, 1e-6))
        #expect(s.primary.name == "rmse" && !s.primary.higherIsBetter)
        #expect(metric.validPixels == 3)
    }

    @Test func rmseIsPooledOverPixelsNotAveragedOverBatches() {
        // Batch 1: one valid pixel, error 3. Batch 2: three valid pixels, error 1 each.
        // Pooled: sqrt((9 + 3) / 4) = sqrt(3); a mean of batch RMSEs would be 2.
        var metric = DepthMetric()
        metric.update(prediction: Tensor(uncheckedShape: [1, 1, 1, 2], scalars: [4, 9]),
                      target: .map(Tensor(uncheckedShape: [1, 1, 1, 2], scalars: [1, 0])))
        metric.update(prediction: Tensor(uncheckedShape: [1, 1, 1, 3], scalars: [2, 3, 4]),
                      target: .map(Tensor(uncheckedShape: [1, 1, 1, 3], scalars: [1, 2, 3])))
        #expect(close(metric.summary()["rmse"], 3.0.squareRoot(), 1e-6))
        #expect(close(metric.summary()["mae"], 1.5, 1e-6))
        #expect(metric.summary().samples == 2)
    }

    @Test func perfectPredictionGivesZero() {
        let depth = Tensor(uncheckedShape: [2, 1, 1, 2], scalars: [1.5, 2, 0.5, 7])
        var metric = DepthMetric()
        metric.update(prediction: depth, target: .map(depth))
        #expect(metric.summary()["rmse"] == 0)
        #expect(metric.summary()["mae"] == 0)
    }

    @Test func allInvalidPixelsGiveNaN() {
        var metric = DepthMetric()
        metric.update(prediction: .ones([1, 1, 2, 2]), target: .map(.zeros([1, 1, 2, 2])))
        #expect(metric.summary()["rmse"]?.isNaN == true)
        #expect(metric.summary()["mae"]?.isNaN == true)
        #expect(metric.summary().primary.value.isNaN)
    }
}
