import Foundation
import Testing
import FedBoneFederation

/// FedBone learns real images with the default model and recipe: two classification clients
/// on 300 of scikit-learn's handwritten digit scans at 16×16 (the fixture `Fixtures/digits16`,
/// written by `python3 tools/make_digits_dataset.py --size 16 --inner 16 --count 300`).
@Suite struct RealImageLearningTests {
    @Test func fedboneClassificationClientsOnRealDigitsEndWellAboveTheTrivialPredictor() throws {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures folder missing from the test bundle")
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let yaml = """
            rounds: 3
            data: {dataset: \(fixtures.appendingPathComponent("digits16").path), imageSize: 16, augment: false}
            tasks: [{kind: classification, clients: 2}]
            evaluation: {every: 3}
            checkpoints: {keep: 0}
            """
        let result = try Simulation(config: ExperimentConfig.load(yaml: yaml), runDirectory: scratch.url.appendingPathComponent("run"),
                                    progress: RunProgress.quiet).run()
        for (i, client) in result.clients.enumerated() {
            let accuracy = result.final[i].primary.value, trivial = result.trivial[i].primary.value
            #expect(accuracy > trivial + 0.3, "\(client): accuracy \(accuracy), trivial predictor \(trivial)")
        }
    }
}
