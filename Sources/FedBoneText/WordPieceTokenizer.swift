/// BERT's WordPiece tokenizer: ``BertNormalization``, then each word split greedily into the
/// longest pieces of the vocabulary, pieces after the first spelled with a `##` prefix; a word
/// that cannot be split (or is longer than ``maxInputCharsPerWord``) becomes the unknown token.
/// Gives the ids of `tokenizers`' `BertWordPieceTokenizer` for the same vocabulary.
public struct WordPieceTokenizer: Tokenizer {
    /// Token → id.
    public let vocabulary: [String: Int]
    /// Id → token.
    public let tokensByID: [String]
    /// The unknown token (`[UNK]`), which must be in the vocabulary.
    public let unknownToken: String
    /// The prefix of pieces that continue a word (`##`).
    public let continuingPrefix: String
    /// Longer words become the unknown token (BERT: 100).
    public let maxInputCharsPerWord: Int
    /// The normalizer (nil: the text is used as it is).
    public let normalization: BertNormalization?
    /// Special tokens matched whole in the input before normalisation (`[CLS]`, `[SEP]`, …).
    public let specialTokens: [String: Int]

    /// A tokenizer over `vocabulary` (ids 0..<count, each once).
    /// - Throws: ``TokenizerError/malformed(_:)`` when the ids are not 0..<count or the unknown
    ///   token is missing.
    public init(vocabulary: [String: Int], unknownToken: String = "[UNK]", continuingPrefix: String = "##",
                maxInputCharsPerWord: Int = 100, normalization: BertNormalization? = BertNormalization(),
                specialTokens: [String: Int] = [:]) throws {
        tokensByID = try Self.inverted(vocabulary)
        guard vocabulary[unknownToken] != nil else {
            throw TokenizerError.malformed("the unknown token '\(unknownToken)' is not in the vocabulary")
        }
        self.vocabulary = vocabulary
        self.unknownToken = unknownToken
        self.continuingPrefix = continuingPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.normalization = normalization
        self.specialTokens = specialTokens
    }

    public var vocabularySize: Int { tokensByID.count }

    public var paddingID: Int? { vocabulary["[PAD]"] ?? vocabulary["<pad>"] }

    public func encode(_ text: String) -> [Int] { pieces(text).map { vocabulary[$0] ?? vocabulary[unknownToken] ?? 0 } }

    public func tokens(_ text: String) -> [String] { pieces(text) }

    private func pieces(_ text: String) -> [String] {
        SpecialTokenSplit.segments(of: text, special: specialTokens).flatMap { segment -> [String] in
            if segment.isSpecial { return [segment.text] }
            let normalized = normalization?.normalize(segment.text) ?? segment.text
            return BertNormalization.preTokenize(normalized).flatMap(split)
        }
    }

    /// One word's pieces, longest match first.
    private func split(_ word: [Unicode.Scalar]) -> [String] {
        guard word.count <= maxInputCharsPerWord else { return [unknownToken] }
        var out: [String] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: String?
            while start < end {
                var piece = String(String.UnicodeScalarView(word[start..<end]))
                if start > 0 { piece = continuingPrefix + piece }
                if vocabulary[piece] != nil {
                    found = piece
                    break
                }
                end -= 1
            }
            guard let found else { return [unknownToken] }
            out.append(found)
            start = end
        }
        return out
    }

    /// Id → token of a vocabulary whose ids are exactly 0..<count.
    static func inverted(_ vocabulary: [String: Int]) throws -> [String] {
        var tokens = [String?](repeating: nil, count: vocabulary.count)
        for (token, id) in vocabulary {
            guard id >= 0, id < tokens.count, tokens[id] == nil else {
                throw TokenizerError.malformed("vocabulary ids must be 0..<\(vocabulary.count), each once; '\(token)' has \(id)")
            }
            tokens[id] = token
        }
        return tokens.map { $0 ?? "" }
    }
}

/// The input split around special tokens, which are matched whole (longest first) before any
/// normalisation, as `tokenizers` does with its added special tokens.
enum SpecialTokenSplit {
    struct Segment {
        var text: String
        var isSpecial: Bool
    }

    static func segments(of text: String, special: [String: Int]) -> [Segment] {
        guard !special.isEmpty else { return [Segment(text: text, isSpecial: false)] }
        let candidates = special.keys.sorted { $0.count > $1.count }
        var out: [Segment] = []
        var rest = Substring(text)
        var plain = ""
        while !rest.isEmpty {
            if let match = candidates.first(where: { rest.hasPrefix($0) }) {
                if !plain.isEmpty { out.append(Segment(text: plain, isSpecial: false)) }
                plain = ""
                out.append(Segment(text: match, isSpecial: true))
                rest = rest.dropFirst(match.count)
            } else {
                plain.append(rest.removeFirst())
            }
        }
        if !plain.isEmpty { out.append(Segment(text: plain, isSpecial: false)) }
        return out
    }
}
