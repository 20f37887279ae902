import Foundation
import Testing
import FedBoneData
import FedBoneModels

/// The on-disk text format: written and read back equal, and every malformed folder refused
/// with the file and line named.
@Suite struct TextDatasetTests {
    private func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-text-\(UUID().uuidString)")
    }

    @Test(arguments: TextDataset.tasks)
    func aWrittenDatasetReadsBackEqual(kind: TaskKind) throws {
        let folder = scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = TextDataset.synthetic(kind, count: 40, seed: 2)
        try dataset.write(to: folder)
        #expect(try TextDataset.read(from: folder) == dataset)
    }

    @Test func badFoldersAreRefusedNamingTheFileAndLine() throws {
        let folder = scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: DatasetError.manifestMissing(path: folder.appendingPathComponent("manifest.json").path)) {
            try TextDataset.read(from: folder)
        }
        try TextDataset(task: .textClassification, classes: ["a", "b"], samples: [.labeled(text: "x y", label: 1)]).write(to: folder)
        let samples = folder.appendingPathComponent("samples.jsonl")
        for (line, words) in [(#"{"text": "x", "label": "c"}"#, "line 1"), (#"{"label": "a"}"#, "line 1"), ("not json", "line 1")] {
            try Data(line.utf8).write(to: samples)
            do {
                _ = try TextDataset.read(from: folder)
                Issue.record("\(line) was accepted")
            } catch let error as DatasetError {
                #expect("\(error)".contains(words) && "\(error)".contains("samples.jsonl"), "\(error)")
            }
        }
        try Data((#"{"text": "x", "label": 0}"# + "\n" + #"{"text": "y", "label": "b"}"#).utf8).write(to: samples)
        #expect(throws: DatasetError.self) { try TextDataset.read(from: folder) }  // the manifest says 1 sample
    }
}
