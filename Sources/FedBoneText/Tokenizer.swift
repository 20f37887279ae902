/// Text → token ids, as a text client's embedding needs them.
///
/// ``TokenizerFile/load(contentsOf:)`` reads the Hugging Face `tokenizer.json` format (WordPiece
/// and byte-level BPE models), so a user can bring a standard vocabulary; ``WordPieceTrainer``
/// learns one from a client's own corpus when none is given.
public protocol Tokenizer: Sendable {
    /// The ids of `text`, without special tokens (no `[CLS]`/`[SEP]`): what `tokenizers`'
    /// `encode(text, add_special_tokens=False).ids` gives.
    func encode(_ text: String) -> [Int]
    /// The token strings of `text` (the vocabulary's spelling of each id of ``encode(_:)``).
    func tokens(_ text: String) -> [String]
    /// Ids run from 0 to `vocabularySize − 1`.
    var vocabularySize: Int { get }
    /// The id of padding (`[PAD]`, `<pad>`), when the vocabulary has one.
    var paddingID: Int? { get }
}

/// A tokenizer file or corpus that cannot be used, saying what to fix.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The file is not a `tokenizer.json` this reader understands.
    case unsupported(String)
    /// The file is malformed (not JSON, a field of the wrong type, an id out of range).
    case malformed(String)
    /// A vocabulary cannot be learned from what was given.
    case training(String)

    public var description: String {
        switch self {
        case let .unsupported(why): return "unsupported tokenizer: \(why)"
        case let .malformed(why): return "malformed tokenizer file: \(why)"
        case let .training(why): return "cannot learn a vocabulary: \(why)"
        }
    }
}
