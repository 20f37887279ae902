import Testing
import FedBoneMetrics

@Suite struct BoundaryMetricTests {
    let column = (0..<8).map { ($0, 3) }

    func odsF(prediction: Tensor, truth: Tensor, metric: BoundaryMetric = BoundaryMetric()) -> MetricSummary {
        var metric = metric
        metric.update(prediction: prediction, target: .map(truth))
        return metric.summary()
    }

    @Test func defaultToleranceFollowsTheDiagonal() {
        let metric = BoundaryMetric()
        #expect(metric.tolerance(height: 8, width: 8) == 1)
        #expect(metric.tolerance(height: 64, width: 64) == 1)
        #expect(metric.tolerance(height: 480, width: 640) == 6)
        #expect(BoundaryMetric(tolerancePixels: 3).tolerance(height: 480, width: 640) == 3)
    }

    @Test func perfectPredictionGivesOne() {
        let s = odsF(prediction: pointMap(column, height: 8, width: 8, value: 10, background: -10),
                     truth: pointMap(column, height: 8, width: 8))
        #expect(s["odsF"] == 1)
        #expect(s["oisF"] == 1)
        #expect(s.primary.name == "odsF" && s.primary.higherIsBetter)
    }

    @Test func boundaryShiftedWithinToleranceStillMatches() {
        let shifted = column.map { ($0.0, $0.1 + 1) }
        let s = odsF(prediction: pointMap(shifted, height: 8, width: 8, value: 10, background: -10),
                     truth: pointMap(column, height: 8, width: 8))
        #expect(s["odsF"] == 1)
        // A diagonal shift by (1, 1) is √2 > 1 pixel away: beyond the tolerance…
        let diagonal = column.dropLast().map { ($0.0 + 1, $0.1 + 1) }
        let far = odsF(prediction: pointMap(diagonal, height: 8, width: 8, value: 10, background: -10),
                       truth: pointMap([(0, 3)], height: 8, width: 8))
        #expect(far["odsF"] == 0)
        // …but within a tolerance of 2 pixels.
        let near = odsF(prediction: pointMap([(1, 4)], height: 8, width: 8, value: 10, background: -10),
                        truth: pointMap([(0, 3)], height: 8, width: 8), metric: BoundaryMetric(tolerancePixels: 2))
        #expect(near["odsF"] == 1)
    }

    @Test func boundaryShiftedBeyondToleranceDoesNotMatch() {
        let shifted = column.map { ($0.0, $0.1 + 2) }
        let s = odsF(prediction: pointMap(shifted, height: 8, width: 8, value: 10, background: -10),
                     truth: pointMap(column, height: 8, width: 8))
        #expect(s["odsF"] == 0)
    }

    @Test func handComputedBestThreshold() {
        // Truth: column 2, rows 0…4 (5 pixels). Predictions: (0,2), (1,2) at 0.9; (2,3) at 0.65,
        // one pixel from (2,2); false positives (6,6), (7,7) at 0.245.
        // t ≤ 0.24: P = 5, m = 3 → F = 0.6; 0.25 ≤ t ≤ 0.65: P = 3, m = 3 → precision 1,
        // recall 0.6, F = 0.75; 0.65 < t ≤ 0.9: P = 2, m = 2 → F = 0.8/1.4.
        var logits = [Float](repeating: -10, count: 64)
        logits[0 * 8 + 2] = logit(0.9)
        logits[1 * 8 + 2] = logit(0.9)
        logits[2 * 8 + 3] = logit(0.65)
        logits[6 * 8 + 6] = logit(0.245)
        logits[7 * 8 + 7] = logit(0.245)
        let s = odsF(prediction: Tensor(uncheckedShape: [1, 1, 8, 8], scalars: logits),
                     truth: pointMap((0..<5).map { ($0, 2) }, height: 8, width: 8))
        #expect(close(s["odsF"], 0.75))
        #expect(close(s["odsPrecision"], 1))
        #expect(close(s["odsRecall"], 0.6))
        #expect(close(s["odsThreshold"], 0.25, 1e-6))
        #expect(close(s["oisF"], 0.75))
    }

    @Test func matchingIsOneToOne() {
        // Two predicted pixels next to one true pixel: only one matches.
        let s = odsF(prediction: pointMap([(4, 4), (4, 5)], height: 8, width: 8, value: 10, background: -10),
                     truth: pointMap([(4, 4)], height: 8, width: 8))
        #expect(close(s["odsPrecision"], 0.5))
        #expect(close(s["odsRecall"], 1))
        #expect(close(s["odsF"], 2.0 / 3))
    }

    @Test func greedyMatchingIsMaximalNotMaximum() {
        // Truth (2,2), (2,3); prediction (2,3), (2,4). The exact assignment pairs (2,3)→(2,2) and
        // (2,4)→(2,3); matching nearest first takes the exact (2,3)→(2,3) pair and leaves (2,4)
        // alone: one pair of the possible two (documented approximation).
        let s = odsF(prediction: pointMap([(2, 3), (2, 4)], height: 8, width: 8, value: 10, background: -10),
                     truth: pointMap([(2, 2), (2, 3)], height: 8, width: 8))
        #expect(close(s["odsPrecision"], 0.5))
        #expect(close(s["odsRecall"], 0.5))
    }

    @Test func emptyMaps() {
        let none = Tensor(repeating: -10, shape: [1, 1, 8, 8])
        let empty = Tensor.zeros([1, 1, 8, 8])
        let some = pointMap(column, height: 8, width: 8)
        // Both empty: nothing to find and nothing found wrongly.
        #expect(odsF(prediction: none, truth: empty)["odsF"] == 1)
        // Nothing predicted, boundaries true: recall 0.
        #expect(odsF(prediction: none, truth: some)["odsF"] == 0)
        // Boundaries predicted, none true: precision 0.
        #expect(odsF(prediction: pointMap(column, height: 8, width: 8, value: 10, background: -10), truth: empty)["odsF"] == 0)
    }

    @Test func countsArePooledOverImagesBeforeF() {
        // Image 1: perfect (8 pixels). Image 2: 8 true pixels, nothing predicted.
        // Pooled: precision 1, recall 8/16 → F = 2/3 (a mean of per-image F would be 1/2).
        var metric = BoundaryMetric()
        metric.update(prediction: pointMap(column, height: 8, width: 8, value: 10, background: -10),
                      target: .map(pointMap(column, height: 8, width: 8)))
        metric.update(prediction: Tensor(repeating: -10, shape: [1, 1, 8, 8]),
                      target: .map(pointMap(column, height: 8, width: 8)))
        #expect(close(metric.summary()["odsF"], 2.0 / 3))
        #expect(metric.summary().samples == 2)
    }
}
