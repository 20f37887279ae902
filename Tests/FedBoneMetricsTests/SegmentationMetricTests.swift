import Testing
import FedBoneMetrics

@Suite struct SegmentationMetricTests {
    let task = TaskSpec(.segmentation, classes: 3)

    @Test func handComputedMeanIoUExcludesAClassAbsentFromPredictionAndTruth() {
        // Predicted 0, 0, 2, 1 against truth 0, 1, 255, 0: the only pixel predicted 2 is ignored,
        // so class 2 appears nowhere. IoU_0 = 1/3, IoU_1 = 0/2, class 2 excluded.
        var metric = SegmentationMetric(task: task)
        metric.update(prediction: oneHotLogits([0, 0, 2, 1], k: 3, height: 2, width: 2), target: .labels([0, 1, 255, 0]))
        let s = metric.summary()
        #expect(close(s["mIoU"], (1.0 / 3 + 0) / 2))
        #expect(close(s["pixelAccuracy"], 1.0 / 3))
        #expect(close(s["IoU/0"], 1.0 / 3))
        #expect(close(s["IoU/1"], 0))
        #expect(s["IoU/2"] == nil)
        #expect(metric.perClassIoU[2] == nil)
        #expect(s.primary.name == "mIoU" && s.primary.higherIsBetter)
        #expect(s.samples == 1)
    }

    @Test func confusionAccumulatesOverTheTestSetBeforeTheMean() {
        // Batch 1: truth 0,0 predicted 0,0. Batch 2: truth 1,1 predicted 0,1.
        // Pooled: IoU_0 = 2/3, IoU_1 = 1/2 → 7/12 (per-batch means would give (1 + 3/4)/2).
        var metric = SegmentationMetric(task: TaskSpec(.parts, classes: 2))
        metric.update(prediction: oneHotLogits([0, 0], k: 2, height: 1, width: 2), target: .labels([0, 0]))
        metric.update(prediction: oneHotLogits([0, 1], k: 2, height: 1, width: 2), target: .labels([1, 1]))
        #expect(close(metric.summary()["mIoU"], 7.0 / 12))
        #expect(close(metric.summary()["pixelAccuracy"], 3.0 / 4))
        #expect(metric.summary().samples == 2)
    }

    @Test func perfectPredictionGivesOne() {
        var metric = SegmentationMetric(task: task)
        let labels = [0, 1, 2, 1, 0, 2]
        metric.update(prediction: oneHotLogits(labels, k: 3, batch: 2, height: 1, width: 3), target: .labels(labels))
        #expect(metric.summary()["mIoU"] == 1)
        #expect(metric.summary()["pixelAccuracy"] == 1)
    }

    @Test func predictedButNeverTrueClassCountsAsZero() {
        var metric = SegmentationMetric(task: task)
        metric.update(prediction: oneHotLogits([0, 2], k: 3, height: 1, width: 2), target: .labels([0, 0]))
        // IoU_0 = 1/2, IoU_2 = 0, class 1 excluded.
        #expect(close(metric.summary()["mIoU"], 0.25))
    }

    @Test func allIgnoredPixelsGiveNaN() {
        var metric = SegmentationMetric(task: task)
        metric.update(prediction: oneHotLogits([0, 1], k: 3, height: 1, width: 2), target: .labels([255, 255]))
        #expect(metric.summary()["mIoU"]?.isNaN == true)
        #expect(metric.summary()["pixelAccuracy"]?.isNaN == true)
    }

    @Test func tiesGoToTheLowestClass() {
        var metric = SegmentationMetric(task: TaskSpec(.segmentation, classes: 2))
        metric.update(prediction: .zeros([1, 2, 1, 1]), target: .labels([0]))
        #expect(metric.summary()["mIoU"] == 1)
    }
}
