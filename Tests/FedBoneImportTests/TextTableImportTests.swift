import Foundation
import Testing
import FedBoneData
import FedBoneImport
import FedBoneModels

/// Importing texts from CSV, TSV and JSON Lines.
@Suite struct TextTableImportTests {
    private func file(_ name: String, _ contents: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-textimport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url
    }

    @Test func aCSVWithQuotedFieldsBecomesTextClassification() throws {
        let url = try file("reviews.csv", "review,stars\n\"Great, really great\",10\nawful,2\n\"ok \"\"fine\"\"\",3\n")
        let dataset = try TextTableImport.read(url, textColumn: "review", labelColumn: "stars")
        #expect(dataset.task == .textClassification)
        #expect(dataset.classes == ["2", "3", "10"], "integer labels sort as numbers")
        #expect(dataset.samples == [.labeled(text: "Great, really great", label: 2), .labeled(text: "awful", label: 0),
                                    .labeled(text: "ok \"fine\"", label: 1)])
        #expect(throws: ImportError.self) { try TextTableImport.read(url) }  // no `text` column
    }

    @Test func aTSVAndJSONLinesOfBothKindsImport() throws {
        let tsv = try TextTableImport.read(try file("a.tsv", "text\tlabel\nthe cat, sat\tpets\nstocks fell\tnews\n"))
        #expect(tsv.classes == ["news", "pets"] && tsv.samples.first == .labeled(text: "the cat, sat", label: 1))
        let tags = try TextTableImport.read(try file("t.jsonl", #"{"tokens": ["a", "cat"], "tags": ["DET", "NOUN"]}"# + "\n"))
        #expect(tags.task == .tokenTagging && tags.classes == ["DET", "NOUN"])
        #expect(tags.samples == [.tagged(tokens: ["a", "cat"], tags: [0, 1])])
        #expect(throws: ImportError.self) { try TextTableImport.read(try file("m.jsonl", #"{"tokens": ["a"], "tags": []}"#)) }
        #expect(throws: ImportError.self) { try TextTableImport.read(try file("one.jsonl", #"{"text": "a", "label": "x"}"#)) }
    }
}
