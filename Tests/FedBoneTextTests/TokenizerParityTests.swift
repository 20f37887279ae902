import Foundation
import Testing
import FedBoneText

/// The tokenizers against Hugging Face `tokenizers` (fixtures from
/// `tools/make_tokenizer_fixtures.py`): a trained BERT WordPiece and a GPT-2-style byte-level BPE
/// `tokenizer.json`, and the ids `tokenizers` gave for probe sentences with accents, CJK, emoji,
/// contractions, runs of whitespace, punctuation and a word over the length limit.
@Suite struct TokenizerParityTests {
    struct Expected: Decodable {
        var probes: [String]
        var wordpiece: [[Int]]
        var bpe: [[Int]]
    }

    static func fixture(_ name: String) throws -> URL {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return folder.appendingPathComponent(name)
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixture("expected_ids.json")))
    }

    @Test(arguments: ["wordpiece", "bpe"])
    func givesTheIdsOfTokenizers(model: String) throws {
        let tokenizer = try TokenizerFile.load(contentsOf: Self.fixture("\(model).tokenizer.json"))
        #expect(model == "bpe" ? tokenizer is ByteLevelBPETokenizer : tokenizer is WordPieceTokenizer)
        let expected = try Self.expected()
        for (probe, ids) in zip(expected.probes, model == "bpe" ? expected.bpe : expected.wordpiece) {
            #expect(tokenizer.encode(probe) == ids, "\(model) \(probe.debugDescription): \(tokenizer.tokens(probe))")
        }
    }

    @Test func specialTokensAreMatchedWhole() throws {
        let tokenizer = try TokenizerFile.load(contentsOf: Self.fixture("wordpiece.tokenizer.json"))
        let ids = tokenizer.encode("[CLS] the fox [SEP]")
        let cls = try #require(tokenizer.encode("[CLS]").first), sep = try #require(tokenizer.encode("[SEP]").first)
        #expect(ids.first == cls && ids.last == sep && ids.count > 2)
        #expect(tokenizer.paddingID != nil)
    }

    @Test func filesItCannotReadAreRefusedByName() throws {
        #expect(throws: TokenizerError.malformed("not a JSON object")) { try TokenizerFile.load(data: Data("[1]".utf8)) }
        let unigram = #"{"model": {"type": "Unigram", "vocab": []}}"#
        #expect(throws: TokenizerError.self) { try TokenizerFile.load(data: Data(unigram.utf8)) }
        let gaps = #"{"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 2}}}"#
        #expect(throws: TokenizerError.self) { try TokenizerFile.load(data: Data(gaps.utf8)) }
        let noUnknown = #"{"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"a": 0}}}"#
        #expect(throws: TokenizerError.self) { try TokenizerFile.load(data: Data(noUnknown.utf8)) }
    }
}
