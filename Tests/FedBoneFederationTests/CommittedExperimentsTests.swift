import Foundation
import Testing
import FedBoneFederation

/// The experiments committed under `experiments/` stay valid configs as the config evolves.
@Suite struct CommittedExperimentsTests {
    @Test func everyCommittedExperimentLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.contains("conflict.yaml") && files.count >= 3, "\(files)")
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(throws: Never.self, "\(file)") { _ = try ExperimentConfig.load(yaml: text) }
        }
        let conflict = try ExperimentConfig.load(yaml: String(contentsOf: folder.appendingPathComponent("conflict.yaml"), encoding: .utf8))
        #expect(conflict.tasks.count == 7 && conflict.tasks.allSatisfy { $0.clients == 3 } && conflict.data.imageSize == 64)
        let mixed = try ExperimentConfig.load(yaml: String(contentsOf: folder.appendingPathComponent("mixed.yaml"), encoding: .utf8))
        #expect(mixed.tasks.filter(\.kind.isText).count == 2 && mixed.tasks.count == 5)
        #expect(try mixed.model.general.resolved().takesSequences, "text clients need a transformer general model")
    }
}
