import Foundation
import Testing
import FedBoneMetrics

@Suite struct NormalsMetricTests {
    /// `[1, 3, 1, n]` from per-pixel vectors.
    func normals(_ vectors: [[Float]]) -> Tensor {
        let n = vectors.count
        var scalars = [Float](repeating: 0, count: 3 * n)
        for (i, v) in vectors.enumerated() {
            for c in 0..<3 { scalars[c * n + i] = v[c] }
        }
        return Tensor(uncheckedShape: [1, 3, 1, n], scalars: scalars)
    }

    @Test func handComputedAngles() {
        // Angles 0°, 45° (unnormalised prediction), 90°, 20°; the fifth target is invalid.
        let r = Float(20 * Double.pi / 180)
        let prediction = normals([[0, 0, 1], [1, 0, 1], [0, 1, 0], [sin(r), 0, cos(r)], [1, 0, 0]])
        let target = normals([[0, 0, 1], [0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 0, 0]])
        var metric = NormalsMetric()
        metric.update(prediction: prediction, target: .map(target))
        let s = metric.summary()
        #expect(metric.validPixels == 4)
        #expect(close(s["meanAngle"], 155.0 / 4, 1e-4))
        #expect(close(s["medianAngle"], (20 + 45) / 2.0, 1e-3))
        let meanSquare: Double = (45 * 45 + 90 * 90 + 20 * 20) / 4
        #expect(close(s["rmseAngle"], meanSquare.squareRoot(), 1e-4))
        #expect(close(s["within11.25"], 0.25))
        #expect(close(s["within22.5"], 0.5))
        #expect(close(s["within30"], 0.5))
        #expect(s.primary.name == "meanAngle" && !s.primary.higherIsBetter)
    }

    @Test func oddCountMedianIsTheMiddleError() {
        let prediction = normals([[0, 0, 1], [1, 0, 1], [0, 0, -1]])
        let target = normals([[0, 0, 2], [0, 0, 1], [0, 0, 1]])
        var metric = NormalsMetric()
        metric.update(prediction: prediction, target: .map(target))
        #expect(close(metric.summary()["medianAngle"], 45, 1e-3))
        #expect(close(metric.summary()["meanAngle"], 75, 1e-4))
    }

    @Test func perfectPredictionGivesZeroError() {
        let n = normals([[0, 0, 1], [0.6, 0.8, 0], [0, -1, 0]])
        var metric = NormalsMetric()
        metric.update(prediction: n, target: .map(n))
        let s = metric.summary()
        #expect(close(s["meanAngle"], 0, 1e-2))
        #expect(close(s["medianAngle"], 0, 1e-3))
        #expect(s["within11.25"] == 1)
    }

    @Test func zeroPredictionCountsAsNinetyDegrees() {
        var metric = NormalsMetric()
        metric.update(prediction: normals([[0, 0, 0]]), target: .map(normals([[0, 0, 1]])))
        #expect(close(metric.summary()["meanAngle"], 90, 1e-9))
    }

    @Test func allInvalidPixelsGiveNaN() {
        var metric = NormalsMetric()
        metric.update(prediction: normals([[0, 0, 1], [1, 0, 0]]), target: .map(normals([[0, 0, 0], [0, 0, 0]])))
        let s = metric.summary()
        for name in ["meanAngle", "medianAngle", "rmseAngle", "within11.25", "within22.5", "within30"] {
            #expect(s[name]?.isNaN == true, "\(name)")
        }
    }
}
