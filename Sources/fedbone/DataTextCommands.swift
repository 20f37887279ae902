import ArgumentParser
import FedBoneData
import FedBoneImport
import FedBoneModels
import Foundation

/// `fedbone data import text`: a CSV, TSV or JSON Lines file as a text dataset folder.
struct DataImportText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Import a .csv/.tsv (text and label columns) or .jsonl ({text, label} or {tokens, tags}) file as a text dataset folder.")

    @Argument(help: "The .csv, .tsv or .jsonl file.")
    var source: String

    @Option(help: "Dataset folder to write.")
    var out: String

    @Option(help: "CSV/TSV: the column holding the text.")
    var textColumn = "text"

    @Option(help: "CSV/TSV: the column holding the label.")
    var labelColumn = "label"

    @Flag(help: "Replace an existing text dataset folder at --out.")
    var force = false

    func run() throws {
        let dataset = try TextTableImport.read(URL(fileURLWithPath: source), textColumn: textColumn, labelColumn: labelColumn)
        try dataset.writeFolder(to: out, force: force)
    }
}

/// `fedbone data generate-text`: the built-in procedural sentences as a text dataset folder.
struct DataGenerateText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-text",
        abstract: "Write the built-in procedural sentences (topics and parts of speech) as a text dataset folder.")

    @Option(help: "Dataset folder to write.")
    var out: String

    @Option(help: "text-classification (the topic) or token-tagging (parts of speech).")
    var task = "text-classification"

    @Option(help: "Number of sentences.")
    var sentences = 600

    @Option(help: "Seed; the same seed gives the same sentences.")
    var seed: UInt64 = 0

    @Flag(help: "Replace an existing text dataset folder at --out.")
    var force = false

    func validate() throws {
        guard let kind = TaskKind(rawValue: task), kind.isText else {
            throw ValidationError("--task must be one of \(TextDataset.tasks.map(\.rawValue).joined(separator: ", "))")
        }
        guard sentences >= 1 else { throw ValidationError("--sentences must be at least 1") }
    }

    func run() throws {
        let kind = TaskKind(rawValue: task).flatMap { $0.isText ? $0 : nil } ?? .textClassification
        try TextDataset.synthetic(kind, count: sentences, seed: seed).writeFolder(to: out, force: force)
    }
}

extension TextDataset {
    /// Writes the dataset folder at `path` for a command, refusing to overwrite anything but a
    /// text dataset (and that only with `force`), and says what it wrote.
    func writeFolder(to path: String, force: Bool) throws {
        let url = URL(fileURLWithPath: path)
        let fm = FileManager.default
        if fm.fileExists(atPath: url.path) {
            let isText = (try? TextDataset.read(from: url)) != nil
            guard force, isText else {
                throw CommandError("\(path) exists\(isText ? "; pass --force to replace it" : " and is not a text dataset folder; choose another --out")")
            }
            try fm.removeItem(at: url)
        }
        try write(to: url)
        print("wrote \(samples.count) \(task.rawValue) samples, classes \(classes.joined(separator: ", ")), to \(path)")
    }
}
