import CSV
import FedBoneData
import FedBoneModels
import Foundation

/// Reads a table of texts into a ``TextDataset``: CSV or TSV with a header row (a text column
/// and a label column: text classification), or JSON Lines (`{"text", "label"}` for
/// classification, `{"tokens", "tags"}` for tagging). Classes are the distinct labels, sorted
/// (numerically when every label is an integer), so the same file gives the same indices.
public enum TextTableImport {
    /// The dataset in `url` (`.csv`, `.tsv` or `.jsonl`).
    /// - Throws: ``ImportError/invalidSource(path:reason:)`` naming the file, row and column.
    public static func read(_ url: URL, textColumn: String = "text", labelColumn: String = "label") throws -> TextDataset {
        guard let contents = try? String(contentsOf: url, encoding: .utf8) else {
            throw ImportError.unreadableFile(path: url.path, reason: "missing or not UTF-8 text")
        }
        switch url.pathExtension.lowercased() {
        case "csv": return try table(contents, delimiter: ",", name: url.lastPathComponent, textColumn: textColumn, labelColumn: labelColumn)
        case "tsv": return try table(contents, delimiter: "\t", name: url.lastPathComponent, textColumn: textColumn, labelColumn: labelColumn)
        case "jsonl": return try jsonLines(contents, name: url.lastPathComponent)
        default: throw ImportError.invalidSource(path: url.path, reason: "expected a .csv, .tsv or .jsonl file")
        }
    }

    private static func table(_ contents: String, delimiter: UnicodeScalar, name: String, textColumn: String, labelColumn: String) throws -> TextDataset {
        let reader: CSVReader
        do { reader = try CSVReader(string: contents, hasHeaderRow: true, delimiter: delimiter) } catch {
            throw ImportError.invalidSource(path: name, reason: "not a table: \(error)")
        }
        let header = reader.headerRow ?? []
        for column in [textColumn, labelColumn] where !header.contains(column) {
            throw ImportError.invalidSource(path: name, reason: "no column '\(column)' in the header \(header); name the columns with --text-column and --label-column")
        }
        var rows: [(String, String)] = []
        var number = 1
        while reader.next() != nil {
            number += 1
            guard let text = reader[textColumn], let label = reader[labelColumn], !label.isEmpty else {
                throw ImportError.invalidSource(path: "\(name) row \(number)", reason: "missing \(textColumn) or \(labelColumn)")
            }
            guard !text.allSatisfy(\.isWhitespace) else { throw ImportError.invalidSource(path: "\(name) row \(number)", reason: "empty \(textColumn)") }
            rows.append((text, label))
        }
        if let error = reader.error { throw ImportError.invalidSource(path: name, reason: "\(error)") }
        let (classes, index) = indexed(rows.map(\.1))
        return try checked(TextDataset(task: .textClassification, classes: classes,
                                       samples: rows.map { .labeled(text: $0.0, label: index[$0.1] ?? 0) }), name: name)
    }

    private static func jsonLines(_ contents: String, name: String) throws -> TextDataset {
        var labeled: [(String, String)] = [], tagged: [([String], [String])] = []
        for (number, line) in contents.split(whereSeparator: \.isNewline).enumerated() where !line.allSatisfy(\.isWhitespace) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ImportError.invalidSource(path: "\(name) line \(number + 1)", reason: "not a JSON object")
            }
            if let text = object["text"] as? String, let label = object["label"].map({ "\($0)" }) {
                labeled.append((text, label))
            } else if let tokens = object["tokens"] as? [String], let tags = object["tags"] as? [Any], tags.count == tokens.count, !tokens.isEmpty {
                tagged.append((tokens, tags.map { "\($0)" }))
            } else {
                throw ImportError.invalidSource(path: "\(name) line \(number + 1)", reason: "needs {\"text\", \"label\"} or {\"tokens\", \"tags\"} of equal length")
            }
        }
        guard labeled.isEmpty || tagged.isEmpty else {
            throw ImportError.invalidSource(path: name, reason: "mixes labelled texts and tagged tokens; one file holds one task")
        }
        if !tagged.isEmpty {
            let (classes, index) = indexed(tagged.flatMap(\.1))
            return try checked(TextDataset(task: .tokenTagging, classes: classes,
                                           samples: tagged.map { .tagged(tokens: $0.0, tags: $0.1.map { index[$0] ?? 0 }) }), name: name)
        }
        let (classes, index) = indexed(labeled.map(\.1))
        return try checked(TextDataset(task: .textClassification, classes: classes,
                                       samples: labeled.map { .labeled(text: $0.0, label: index[$0.1] ?? 0) }), name: name)
    }

    /// The distinct labels, sorted (as numbers when all are integers), and each one's index.
    private static func indexed(_ labels: [String]) -> (classes: [String], index: [String: Int]) {
        let distinct = Set(labels)
        let classes = distinct.allSatisfy({ Int($0) != nil }) ? distinct.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) } : distinct.sorted()
        return (classes, Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) }))
    }

    private static func checked(_ dataset: TextDataset, name: String) throws -> TextDataset {
        guard !dataset.samples.isEmpty else { throw ImportError.invalidSource(path: name, reason: "no samples") }
        guard dataset.classes.count >= 2 else {
            throw ImportError.invalidSource(path: name, reason: "only one label (\(dataset.classes.first ?? "")); a task needs at least 2")
        }
        return dataset
    }
}
