import Foundation
import FedBoneModels

/// A text client's data in the on-disk text format (docs/data.md, "Text data"): a folder with
///
/// - `manifest.json`: `{"format": "fedbone-text", "version": 1, "task": "text-classification" |
///   "token-tagging", "classes": [names…], "samples": N}`;
/// - `samples.jsonl`: one sample per line, `{"text": "…", "label": "name"}` (classification) or
///   `{"tokens": ["…", …], "tags": ["name", …]}` (tagging); a label or tag may also be its index;
/// - optionally `tokenizer.json` (Hugging Face format), the client's vocabulary
///   (``TextClientData/tokenizer(folder:corpus:vocabularySize:)`` reads it).
public struct TextDataset: Sendable, Equatable {
    /// One sample: a text with its label, or words with one tag each.
    public enum Sample: Sendable, Equatable {
        case labeled(text: String, label: Int)
        case tagged(tokens: [String], tags: [Int])
    }

    /// The task it labels: ``TaskKind/textClassification`` or ``TaskKind/tokenTagging``.
    public var task: TaskKind
    /// Label or tag names, in index order.
    public var classes: [String]
    /// The samples in file order.
    public var samples: [Sample]

    /// The manifest's format name and version.
    public static let format = "fedbone-text"
    public static let version = 1

    /// The text kinds of task a text dataset labels.
    public static let tasks: [TaskKind] = TaskKind.allCases.filter(\.isText)

    /// - Precondition: `task` is a text task.
    public init(task: TaskKind, classes: [String], samples: [Sample]) {
        precondition(task.isText, "TextDataset: \(task.rawValue) is not a text task")
        self.task = task
        self.classes = classes
        self.samples = samples
    }

    /// The built-in procedural sentences (``SyntheticText``) as a dataset of `task`.
    /// - Precondition: `task` is a text task.
    public static func synthetic(_ task: TaskKind, count: Int, seed: UInt64) -> TextDataset {
        let sentences = SyntheticText.sentences(count: count, seed: seed)
        switch task {
        case .tokenTagging:
            return TextDataset(task: task, classes: SyntheticText.tags,
                               samples: sentences.map { .tagged(tokens: $0.words, tags: $0.tags) })
        default:
            return TextDataset(task: task, classes: SyntheticText.topics,
                               samples: sentences.map { .labeled(text: $0.text, label: $0.topic) })
        }
    }

    private struct Manifest: Codable {
        var format: String
        var version: Int
        var task: String
        var classes: [String]
        var samples: Int
    }

    /// Writes the folder (created if needed): `manifest.json` and `samples.jsonl`.
    /// - Throws: ``DatasetError/writeFailed(path:reason:)``.
    public func write(to folder: URL) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let manifest = Manifest(format: Self.format, version: Self.version, task: task.rawValue, classes: classes, samples: samples.count)
            try encoder.encode(manifest).write(to: folder.appendingPathComponent("manifest.json"), options: .atomic)
            let lineEncoder = JSONEncoder()
            lineEncoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var lines = Data()
            for sample in samples {
                switch sample {
                case let .labeled(text, label):
                    lines += try lineEncoder.encode(["text": text, "label": classes[label]])
                case let .tagged(tokens, tags):
                    lines += try lineEncoder.encode(["tokens": tokens, "tags": tags.map { classes[$0] }])
                }
                lines += Data("\n".utf8)
            }
            try lines.write(to: folder.appendingPathComponent("samples.jsonl"), options: .atomic)
        } catch {
            throw DatasetError.writeFailed(path: folder.path, reason: "\(error)")
        }
    }

    /// Reads a text dataset folder.
    /// - Throws: ``DatasetError`` naming the file (and line) that is missing or wrong.
    public static func read(from folder: URL) throws -> TextDataset {
        let manifestURL = folder.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: manifestURL) else { throw DatasetError.manifestMissing(path: manifestURL.path) }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw DatasetError.manifestInvalid(path: manifestURL.path, reason: "expected {format, version, task, classes, samples}: \(error)")
        }
        guard manifest.format == format else {
            throw DatasetError.manifestInvalid(path: manifestURL.path, reason: "format is '\(manifest.format)', not '\(format)'")
        }
        guard manifest.version == version else {
            throw DatasetError.unsupportedVersion(path: manifestURL.path, version: manifest.version, supported: version)
        }
        guard let task = TaskKind(rawValue: manifest.task), task.isText else {
            throw DatasetError.manifestInvalid(path: manifestURL.path, reason: "task '\(manifest.task)' is not one of \(tasks.map(\.rawValue).joined(separator: ", "))")
        }
        guard manifest.classes.count >= 2, Set(manifest.classes).count == manifest.classes.count else {
            throw DatasetError.manifestInvalid(path: manifestURL.path, reason: "classes must name at least 2 distinct labels")
        }
        let samplesURL = folder.appendingPathComponent("samples.jsonl")
        guard let text = try? String(contentsOf: samplesURL, encoding: .utf8) else {
            throw DatasetError.shardUnreadable(path: samplesURL.path, reason: "missing or not UTF-8")
        }
        let index = Dictionary(uniqueKeysWithValues: manifest.classes.enumerated().map { ($1, $0) })
        var samples: [Sample] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() where !line.allSatisfy(\.isWhitespace) {
            func fail(_ why: String) -> DatasetError { .shardInvalid(path: samplesURL.path, reason: "line \(number + 1): \(why)") }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { throw fail("not a JSON object") }
            func label(_ value: Any?) throws -> Int {
                if let name = value as? String, let i = index[name] { return i }
                if let i = value as? Int, i >= 0, i < manifest.classes.count { return i }
                throw fail("label \(value.map { "\($0)" } ?? "missing") is not one of the manifest's classes \(manifest.classes)")
            }
            switch task {
            case .tokenTagging:
                guard let tokens = object["tokens"] as? [String], !tokens.isEmpty, let tags = object["tags"] as? [Any] else {
                    throw fail("needs \"tokens\" (a non-empty list of strings) and \"tags\"")
                }
                guard tags.count == tokens.count else { throw fail("\(tokens.count) tokens but \(tags.count) tags") }
                samples.append(.tagged(tokens: tokens, tags: try tags.map(label)))
            default:
                guard let text = object["text"] as? String, !text.allSatisfy(\.isWhitespace) else { throw fail("needs a non-empty \"text\"") }
                samples.append(.labeled(text: text, label: try label(object["label"])))
            }
        }
        guard samples.count == manifest.samples else {
            throw DatasetError.manifestInvalid(path: manifestURL.path, reason: "says \(manifest.samples) samples, samples.jsonl holds \(samples.count)")
        }
        return TextDataset(task: task, classes: manifest.classes, samples: samples)
    }
}
