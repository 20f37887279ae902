import Testing
import FedBoneMetrics

@Suite struct MultiTaskDeltaTests {
    @Test func signConventionsOnAHandComputedCase() {
        // mIoU 0.5 vs 0.4: +25. RMSE 0.5 vs 0.6 (lower is better): +16.67.
        // Mean angle 22 vs 20 (lower is better): −10. Δm = (25 + 16.67 − 10) / 3.
        let run: [String: MetricSummary.Primary] = [
            "seg": .init(name: "mIoU", value: 0.5, higherIsBetter: true),
            "depth": .init(name: "rmse", value: 0.5, higherIsBetter: false),
            "normals": .init(name: "meanAngle", value: 22, higherIsBetter: false),
        ]
        let reference: [String: MetricSummary.Primary] = [
            "seg": .init(name: "mIoU", value: 0.4, higherIsBetter: true),
            "depth": .init(name: "rmse", value: 0.6, higherIsBetter: false),
            "normals": .init(name: "meanAngle", value: 20, higherIsBetter: false),
        ]
        let delta = try? MultiTaskDelta.compute(run: run, reference: reference)
        #expect(close(delta, (25 + 100.0 / 6 - 10) / 3, 1e-9))
        #expect(close(try? MultiTaskDelta.compute(run: reference, reference: reference), 0))
    }

    @Test func termsGiveTheSignedRelativeChange() {
        #expect(close(MultiTaskDelta.Term(value: 0.3, reference: 0.4, higherIsBetter: true).percent, -25, 1e-9))
        #expect(close(MultiTaskDelta.Term(value: 0.8, reference: 0.4, higherIsBetter: false).percent, -100, 1e-9))
        #expect(MultiTaskDelta.compute(terms: []).isNaN)
    }

    @Test func mismatchedRunsThrow() {
        let a: [String: MetricSummary.Primary] = ["seg": .init(name: "mIoU", value: 0.5, higherIsBetter: true)]
        let b: [String: MetricSummary.Primary] = ["seg": .init(name: "pixelAccuracy", value: 0.5, higherIsBetter: true)]
        let zero: [String: MetricSummary.Primary] = ["seg": .init(name: "mIoU", value: 0, higherIsBetter: true)]
        #expect(throws: MetricError.missingTask("seg")) { try MultiTaskDelta.compute(run: [:], reference: a) }
        #expect(throws: MetricError.missingTask("seg")) { try MultiTaskDelta.compute(run: a, reference: [:]) }
        #expect(throws: MetricError.mismatchedMetric(task: "seg", run: "mIoU", reference: "pixelAccuracy")) {
            try MultiTaskDelta.compute(run: a, reference: b)
        }
        #expect(throws: MetricError.unusableReference(task: "seg", value: 0)) { try MultiTaskDelta.compute(run: a, reference: zero) }
    }
}
