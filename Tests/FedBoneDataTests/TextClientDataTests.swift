import Foundation
import Testing
import FedBoneData
import FedBoneModels
import FedBoneText

/// A text client's data: how a text source is dealt to clients, how words become ids and
/// tags, and what its batches hold.
@Suite struct TextClientDataTests {
    /// Splits every word into pieces of at most two letters; id = 10 + the piece's first letter's
    /// alphabet position, padding 0.
    struct PairTokenizer: Tokenizer {
        func tokens(_ text: String) -> [String] {
            text.split(separator: " ").flatMap { word -> [String] in
                let letters = Array(word)
                return stride(from: 0, to: letters.count, by: 2).map { String(letters[$0..<min($0 + 2, letters.count)]) }
            }
        }
        func encode(_ text: String) -> [Int] {
            tokens(text).map { 10 + Int(($0.unicodeScalars.first?.value ?? 97) - 97) }
        }
        var vocabularySize: Int { 40 }
        var paddingID: Int? { 0 }
    }

    @Test func aTaggedWordKeepsItsTagOnItsFirstPieceOnlyAndLongTextsAreCut() {
        let samples: [TextDataset.Sample] = [
            .tagged(tokens: ["cat", "runs", "a"], tags: [1, 2, 0]),
            .labeled(text: "abcdefghij", label: 3),
        ]
        let encoded = TextClientData.encode(samples, tokenizer: PairTokenizer(), maxLength: 4)
        // "cat" → ca t, "runs" → ru ns, "a" → a: five pieces, cut to four.
        #expect(encoded[0].ids == [12, 29, 27, 23])
        #expect(encoded[0].labels == [1, TextClientModel.ignored, 2, TextClientModel.ignored])
        #expect(encoded[1].ids == [10, 12, 14, 16], "ab cd ef gh (ij cut)")
        #expect(encoded[1].labels == [3])
        let empty = TextClientData.encode([.labeled(text: "   ", label: 1)], tokenizer: PairTokenizer(), maxLength: 4)
        #expect(empty == [TextClientData.Sample(ids: [0], labels: [1])], "a text with no tokens becomes one padding token")
    }

    @Test func tagBatchesArePaddedWithTheIgnoredTagAndLabelBatchesHoldOneLabelEach() throws {
        let tagging = TextClientData(task: TaskSpec(.tokenTagging, classes: 3), vocabularySize: 40, maxLength: 4, paddingID: 0,
                                     train: [], test: [.init(ids: [12, 29, 27], labels: [1, 255, 2]), .init(ids: [10], labels: [0])])
        let batch = try #require(tagging.testBatches(batchSize: 8).first)
        guard case let .tokens(tokens) = batch.input, case let .labels(tags) = batch.target else {
            Issue.record("a text batch holds tokens and labels")
            return
        }
        #expect(tokens.ids == [12, 29, 27, 10, 0, 0])
        #expect(tokens.lengths == [3, 1])
        #expect(tags == [1, 255, 2, 0, 255, 255])
        let labelled = TextClientData(task: TaskSpec(.textClassification, classes: 4), vocabularySize: 40, maxLength: 4, paddingID: 0,
                                      train: [], test: [.init(ids: [12, 29], labels: [3]), .init(ids: [10], labels: [1])])
        guard case let .labels(labels) = try #require(labelled.testBatches(batchSize: 8).first).target else {
            Issue.record("a classification batch holds labels")
            return
        }
        #expect(labels == [3, 1])
    }

    @Test func predictionExamplesShowEachWordsTagOrTheTextsLabelAndTheTruthWhereWrong() {
        let tagging = TextClientData(task: TaskSpec(.tokenTagging, classes: 2), vocabularySize: 40, maxLength: 4, paddingID: 0, train: [],
                                     test: [.init(ids: [12, 29, 27], labels: [1, 255, 0], words: ["cat", "run"])],
                                     classNames: ["NOUN", "VERB"])
        // [B, K, L] = [1, 2, 3]: position 0 predicts VERB (right), position 2 VERB (wrong: NOUN).
        let tags = Tensor(uncheckedShape: [1, 2, 3], scalars: [0, 5, 0, 1, 0, 2])
        #expect(tagging.predictionExamples(tags) == "cat/VERB run/VERB [NOUN]\n")
        let topics = TextClientData(task: TaskSpec(.textClassification, classes: 3), vocabularySize: 40, maxLength: 4, paddingID: 0, train: [],
                                    test: [.init(ids: [1], labels: [2], words: ["a", "b"]), .init(ids: [2], labels: [0], words: ["c"])],
                                    classNames: ["x", "y", "z"])
        let logits = Tensor(uncheckedShape: [2, 3], scalars: [0, 0, 1, 0, 3, 1])
        #expect(topics.predictionExamples(logits) == "z | a b\ny [x] | c\n")
    }

    @Test func aSourceIsDealtToDisjointClientsThatEachTrainAndTestAndRepeatWithTheSeed() throws {
        let source = TextDataset.synthetic(.textClassification, count: 50, seed: 4)
        let clients = try TextClientData.make(dataset: source, folder: nil, clients: 3, trainFraction: 0.8, maxLength: 16,
                                              vocabularySize: 200, seed: 9)
        #expect(clients.map { $0.trainCount + $0.testCount } == [17, 17, 16])
        #expect(clients.allSatisfy { $0.trainCount >= 1 && $0.testCount >= 1 })
        #expect(clients.map(\.trainCount) == [14, 14, 13])
        #expect(clients.allSatisfy { $0.vocabularySize <= 200 && $0.task.classes == source.classes.count && $0.classNames == source.classes })
        #expect(clients.allSatisfy { $0.test.allSatisfy { !$0.words.isEmpty } }, "each sample keeps its words for the examples")
        let again = try TextClientData.make(dataset: source, folder: nil, clients: 3, trainFraction: 0.8, maxLength: 16,
                                            vocabularySize: 200, seed: 9)
        #expect(clients.map(\.train) == again.map(\.train) && clients.map(\.test) == again.map(\.test))
        let other = try TextClientData.make(dataset: source, folder: nil, clients: 3, trainFraction: 0.8, maxLength: 16,
                                            vocabularySize: 200, seed: 10)
        #expect(clients.map(\.train) != other.map(\.train))
        // Each epoch is a shuffle of the whole training split.
        var generator = SeededGenerator(seed: 1)
        let epoch = clients[0].trainBatches(batchSize: 4, generator: &generator)
        #expect(epoch.map(\.count) == [4, 4, 4, 2])
        #expect(throws: DatasetError.self) {
            try TextClientData.make(dataset: TextDataset.synthetic(.tokenTagging, count: 5, seed: 1), folder: nil, clients: 3,
                                    trainFraction: 0.8, maxLength: 16, vocabularySize: 200, seed: 9)
        }
    }
}
