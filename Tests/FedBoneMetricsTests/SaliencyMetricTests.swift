import Testing
import FedBoneMetrics

@Suite struct SaliencyMetricTests {
    func maxF(_ probabilities: [Double], _ truth: [Float]) -> MetricSummary {
        var metric = SaliencyMetric()
        let n = probabilities.count
        metric.update(prediction: Tensor(uncheckedShape: [1, 1, 1, n], scalars: probabilities.map(logit)),
                      target: .map(Tensor(uncheckedShape: [1, 1, 1, n], scalars: truth)))
        return metric.summary()
    }

    @Test func handComputedMaxF() {
        // Truth 1 1 0 0 (and one ignored pixel). t ≤ 0.30: P = 2/3, R = 1 → F = 0.8667/1.2;
        // t = 0.35, 0.40: P = R = 0.5 → F = 0.5; 0.45 ≤ t ≤ 0.90: P = 1, R = 0.5 →
        // F = 1.3·0.5/(0.3 + 0.5) = 0.8125; t = 0.95: nothing predicted → F = 0.
        let s = maxF([0.9, 0.32, 0.42, 0.02, 0.99], [1, 1, 0, 0, 255])
        #expect(close(s["maxF"], 0.8125))
        #expect(close(s["maxFThreshold"], 0.45, 1e-6))
        #expect(close(s["precision"], 1))
        #expect(close(s["recall"], 0.5))
        #expect(s.primary.name == "maxF" && s.primary.higherIsBetter)
    }

    @Test func perfectPredictionGivesOne() {
        #expect(maxF([0.99, 0.01, 0.99], [1, 0, 1])["maxF"] == 1)
    }

    @Test func emptyMaps() {
        #expect(maxF([0.01, 0.01], [0, 0])["maxF"] == 1)
        #expect(maxF([0.01, 0.01], [1, 0])["maxF"] == 0)
        #expect(maxF([0.99, 0.99], [0, 0])["maxF"] == 0)
    }

    @Test func countsArePooledOverImages() {
        // Image 1: one salient pixel found. Image 2: three salient pixels, one found, one false alarm.
        // For 0.05 ≤ t ≤ 0.9: TP = 2, PP = 3, AP = 4 → P = 2/3, R = 1/2, F = 1.3·(1/3)/(0.2 + 0.5).
        var metric = SaliencyMetric()
        metric.update(prediction: Tensor(uncheckedShape: [1, 1, 1, 2], scalars: [logit(0.9), logit(0.01)]),
                      target: .map(Tensor(uncheckedShape: [1, 1, 1, 2], scalars: [1, 0])))
        metric.update(prediction: Tensor(uncheckedShape: [1, 1, 1, 4], scalars: [0.9, 0.01, 0.01, 0.9].map(logit)),
                      target: .map(Tensor(uncheckedShape: [1, 1, 1, 4], scalars: [1, 1, 1, 0])))
        #expect(close(metric.summary()["maxF"], 1.3 * (1.0 / 3) / 0.7))
    }
}
