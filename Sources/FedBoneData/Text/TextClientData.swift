import Foundation
import FedBoneModels
import FedBoneText

/// One text client's data: its sequences, tokenized with its own vocabulary, with their labels
/// or tags, split into train and test. It holds nothing of other clients'.
///
/// Token tagging puts a word's tag on its first word piece and ``TextClientModel/ignored`` (255)
/// on the others and on padding, so losses and metrics count each word once. A sequence is cut
/// to `maxLength` tokens; a text that tokenizes to nothing becomes one padding token.
public struct TextClientData: ClientDataset, Sendable {
    /// One tokenized sample.
    public struct Sample: Sendable, Equatable {
        /// Token ids, 1…maxLength of them.
        public var ids: [Int]
        /// The label (`[label]`, classification) or one tag per id (tagging, 255 = ignored).
        public var labels: [Int]
        /// The words the ids came from (for showing predictions; empty when not known).
        public var words: [String]

        public init(ids: [Int], labels: [Int], words: [String] = []) {
            self.ids = ids
            self.labels = labels
            self.words = words
        }
    }

    public let task: TaskSpec
    /// The label or tag names, in index order (empty when not known).
    public let classNames: [String]
    /// Ids run from 0 to `vocabularySize − 1`.
    public let vocabularySize: Int
    /// The longest sequence.
    public let maxLength: Int
    /// The id sequences are padded with.
    public let paddingID: Int
    /// The training samples.
    public let train: [Sample]
    /// The test samples.
    public let test: [Sample]

    /// A client over already tokenized samples.
    /// - Precondition: every sample has 1…`maxLength` ids below `vocabularySize`, and one label
    ///   (classification) or one per id (tagging).
    public init(task: TaskSpec, vocabularySize: Int, maxLength: Int, paddingID: Int, train: [Sample], test: [Sample],
                classNames: [String] = []) {
        precondition(task.kind.isText, "TextClientData: \(task.kind.rawValue) is not a text task")
        precondition((train + test).allSatisfy { s in
            (1...maxLength).contains(s.ids.count) && s.ids.allSatisfy { (0..<vocabularySize).contains($0) }
                && s.labels.count == (task.kind == .tokenTagging ? s.ids.count : 1)
        }, "TextClientData: a sample is empty, too long, outside the vocabulary or mislabelled")
        self.task = task
        self.classNames = classNames
        self.vocabularySize = vocabularySize
        self.maxLength = maxLength
        self.paddingID = paddingID
        self.train = train
        self.test = test
    }

    public var input: InputDescription { .tokens(vocabularySize: vocabularySize, maxLength: maxLength) }
    public var trainCount: Int { train.count }
    public var testCount: Int { test.count }

    /// The training samples shuffled with `generator`, in batches of `batchSize` (the last may be smaller).
    public func trainBatches(batchSize: Int, generator: inout SeededGenerator) -> [Batch] {
        generator.shuffledBatches(count: train.count, batchSize: batchSize).map { batch($0.map { train[$0] }) }
    }

    /// The test samples in order, in batches of `batchSize`.
    public func testBatches(batchSize: Int) -> [Batch] {
        precondition(batchSize >= 1, "testBatches: batch size must be at least 1, got \(batchSize)")
        return stride(from: 0, to: test.count, by: batchSize).map { batch(Array(test[$0..<min($0 + batchSize, test.count)])) }
    }

    /// Samples padded to the longest: labels `[B]`, or tags `[B · L]` with 255 on padding.
    private func batch(_ samples: [Sample]) -> Batch {
        let tokens = TokenBatch(samples.map(\.ids), padding: paddingID, maxLength: maxLength)
        guard task.kind == .tokenTagging else { return Batch(input: .tokens(tokens), target: .labels(samples.map { $0.labels[0] })) }
        let tags = samples.flatMap { $0.labels + [Int](repeating: TextClientModel.ignored, count: tokens.length - $0.labels.count) }
        return Batch(input: .tokens(tokens), target: .labels(tags))
    }

    /// `samples` tokenized with `tokenizer` and cut to `maxLength` (see the type's notes).
    public static func encode(_ samples: [TextDataset.Sample], tokenizer: any Tokenizer, maxLength: Int) -> [Sample] {
        let padding = tokenizer.paddingID ?? 0
        return samples.map { sample in
            var ids: [Int] = [], labels: [Int] = [], shown: [String] = []
            switch sample {
            case let .labeled(text, label):
                ids = tokenizer.encode(text)
                labels = [label]
                shown = text.split(whereSeparator: \.isWhitespace).map(String.init)
            case let .tagged(words, tags):
                shown = words
                for (word, tag) in zip(words, tags) {
                    let pieces = tokenizer.encode(word)
                    ids += pieces
                    labels += pieces.indices.map { $0 == 0 ? tag : TextClientModel.ignored }
                }
            }
            if ids.isEmpty {
                ids = [padding]
                if labels.isEmpty { labels = [TextClientModel.ignored] }
            }
            let cut = min(ids.count, maxLength)
            return Sample(ids: Array(ids.prefix(cut)), labels: labels.count == 1 && !sample.isTagged ? labels : Array(labels.prefix(cut)),
                          words: shown)
        }
    }

    /// The texts of `samples` as a tokenizer trainer reads them (a tagged sample's words joined by spaces).
    public static func corpus(_ samples: [TextDataset.Sample]) -> [String] {
        samples.map { sample in
            switch sample {
            case let .labeled(text, _): return text
            case let .tagged(words, _): return words.joined(separator: " ")
            }
        }
    }

    /// A client's tokenizer: `folder`'s `tokenizer.json` when there is one (a standard
    /// vocabulary the user brings), otherwise a WordPiece vocabulary of at most `vocabularySize`
    /// pieces learned from `corpus`, the client's own training texts.
    /// - Throws: ``TokenizerError`` for an unusable file or corpus.
    public static func tokenizer(folder: URL?, corpus: [String], vocabularySize: Int) throws -> any Tokenizer {
        if let file = folder?.appendingPathComponent("tokenizer.json"), FileManager.default.fileExists(atPath: file.path) {
            return try TokenizerFile.load(contentsOf: file)
        }
        return try WordPieceTrainer(vocabularySize: vocabularySize, minimumFrequency: 1).train(corpus)
    }

    /// The clients of one text source: its samples shuffled with `seed`, dealt in turn to
    /// `clients` clients, each split `trainFraction` : rest (at least one of each), each with its
    /// own tokenizer (``tokenizer(folder:corpus:vocabularySize:)`` over its training texts).
    /// - Throws: ``DatasetError/invalidRequest(_:)`` when a client would get fewer than 2 samples;
    ///   ``TokenizerError``.
    public static func make(dataset: TextDataset, folder: URL?, clients: Int, trainFraction: Double, maxLength: Int,
                            vocabularySize: Int, seed: UInt64) throws -> [TextClientData] {
        precondition(clients >= 1, "TextClientData.make: needs a client")
        guard dataset.samples.count >= 2 * clients else {
            throw DatasetError.invalidRequest("\(dataset.samples.count) text samples cannot give \(clients) clients 2 samples each (one to train, one to test)")
        }
        var generator = SeededGenerator(seed: seed)
        var order = Array(dataset.samples.indices)
        generator.shuffle(&order)
        let task = TaskSpec(dataset.task, classes: dataset.classes.count)
        return try (0..<clients).map { c in
            let mine = stride(from: c, to: order.count, by: clients).map { dataset.samples[order[$0]] }
            let trainCount = min(max(Int((Double(mine.count) * trainFraction).rounded()), 1), mine.count - 1)
            let (train, test) = (Array(mine[..<trainCount]), Array(mine[trainCount...]))
            let tokenizer = try tokenizer(folder: folder, corpus: corpus(train), vocabularySize: vocabularySize)
            return TextClientData(task: task, vocabularySize: tokenizer.vocabularySize, maxLength: maxLength,
                                  paddingID: tokenizer.paddingID ?? 0,
                                  train: encode(train, tokenizer: tokenizer, maxLength: maxLength),
                                  test: encode(test, tokenizer: tokenizer, maxLength: maxLength), classNames: dataset.classes)
        }
    }
}

extension TextDataset.Sample {
    /// Whether it is a tagged word sequence.
    var isTagged: Bool {
        if case .tagged = self { return true }
        return false
    }
}
