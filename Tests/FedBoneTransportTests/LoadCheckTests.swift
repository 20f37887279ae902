import Testing
@testable import FedBoneTransport

@Suite struct LoadCheckTests {
    @Test func aSmallLoadCheckMeasuresEveryCallAndTheTraffic() async throws {
        let experiment = try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML)
        let report = try await LoadCheck.run(experiment: experiment, clients: 3, steps: 2, batch: 2)
        #expect(report.forwardMilliseconds.count == 6 && report.backwardMilliseconds.count == 6)
        #expect(report.bytesPerRound > 0 && report.modelSeconds > 0 && report.wallSeconds >= report.modelSeconds)
        #expect(LoadCheckReport.percentile([1, 2, 3, 4], 50) == 2 && LoadCheckReport.percentile([1, 2, 3, 4], 99) == 4)
    }
}
