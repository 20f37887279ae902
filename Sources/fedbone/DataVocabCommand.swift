import ArgumentParser
import FedBoneText
import Foundation

/// `fedbone data vocab`: learn a WordPiece vocabulary from a client's own text.
struct DataVocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Learn a WordPiece vocabulary from a corpus and write it as a Hugging Face tokenizer.json.",
        discussion: """
        The corpus is JSON Lines (.jsonl: {"text": ...} or {"tokens": [...]} per line, the text
        data format) or plain text (one document per line). Text is normalised as BERT does
        (lower-cased and accents stripped unless --cased) and split into words; the most frequent
        adjacent pieces are merged until the vocabulary has --size tokens. The file loads in
        Python with tokenizers.Tokenizer.from_file and in FedBone's TokenizerFile.
        """)

    @Option(help: "The corpus: a .jsonl file or a text file with one document per line.")
    var input: String

    @Option(help: "The tokenizer.json to write.")
    var out: String

    @Option(help: "Tokens in the vocabulary, special tokens and characters included.")
    var size = 8000

    @Option(help: "Pieces seen fewer times are not merged.")
    var minFrequency = 2

    @Flag(help: "Keep case and accents (BERT-cased).")
    var cased = false

    func validate() throws {
        guard size >= 16 else { throw ValidationError("--size must be at least 16") }
        guard minFrequency >= 1 else { throw ValidationError("--min-frequency must be at least 1") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: input)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CommandError("no corpus at \(input)") }
        let documents = try TextCorpus.documents(contentsOf: url)
        let normalization = BertNormalization(stripAccents: !cased, lowercase: !cased)
        let tokenizer = try WordPieceTrainer(vocabularySize: size, minimumFrequency: minFrequency, normalization: normalization)
            .train(documents)
        try TokenizerFile.json(tokenizer).write(to: URL(fileURLWithPath: out), options: .atomic)
        let tokens = documents.reduce(0) { $0 + tokenizer.encode($1).count }
        print("learned \(tokenizer.vocabularySize) tokens from \(documents.count) documents (\(tokens) tokens in all); wrote \(out)")
    }
}
