import Foundation
import Testing
import FedBoneText

/// Learning a WordPiece vocabulary from a client's own corpus.
@Suite struct WordPieceTrainerTests {
    static let corpus = [
        "the server trains the general model", "the clients train their heads",
        "training and retraining the trained model", "Heads, heads and more heads!",
    ]

    @Test func frequentPairsBecomeTokensAndEveryWordStillEncodes() throws {
        let tokenizer = try WordPieceTrainer(vocabularySize: 60, minimumFrequency: 2).train(Self.corpus)
        #expect(tokenizer.vocabularySize <= 60)
        #expect(tokenizer.vocabulary["[PAD]"] == 0 && tokenizer.vocabulary["[UNK]"] == 1)
        // "the" (5 times) and "heads" (4 times) are merged whole.
        #expect(tokenizer.tokens("the heads") == ["the", "heads"])
        for document in Self.corpus {
            let tokens = tokenizer.tokens(document)
            #expect(!tokens.contains("[UNK]"), "\(document): \(tokens)")
            // The pieces spell the normalised words back.
            let spelled = tokens.map { $0.hasPrefix("##") ? String($0.dropFirst(2)) : " " + $0 }.joined()
            let words = document.lowercased().replacingOccurrences(of: ",", with: " , ").replacingOccurrences(of: "!", with: " ! ")
            #expect(spelled.split(separator: " ") == words.split(separator: " "))
        }
        #expect(tokenizer.tokens("zebra").contains("[UNK]"), "a letter never seen has no token")
    }

    @Test func theSameCorpusGivesTheSameVocabulary() throws {
        let a = try WordPieceTrainer(vocabularySize: 50).train(Self.corpus)
        let b = try WordPieceTrainer(vocabularySize: 50).train(Self.corpus.reversed())
        #expect(a.vocabulary == b.vocabulary)
    }

    @Test func aTrainedVocabularyRoundTripsThroughTokenizerJSON() throws {
        let trained = try WordPieceTrainer(vocabularySize: 60).train(Self.corpus)
        let loaded = try TokenizerFile.load(data: TokenizerFile.json(trained))
        for document in Self.corpus + ["[CLS] unseen words [SEP]"] {
            #expect(loaded.encode(document) == trained.encode(document))
        }
    }

    @Test func aCorpusItCannotLearnFromIsRefused() {
        #expect(throws: TokenizerError.self) { try WordPieceTrainer().train(["", "   "]) }
        #expect(throws: TokenizerError.self) { try WordPieceTrainer(vocabularySize: 8).train(Self.corpus) }
    }
}
