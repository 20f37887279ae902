/// GPT-2's byte-level BPE tokenizer: the text split by GPT-2's pre-tokenization pattern, each
/// piece's UTF-8 bytes spelled with GPT-2's printable byte alphabet (a space becomes `Ġ`), then
/// byte-pair merges applied lowest rank first. Gives the ids of `tokenizers`'
/// `ByteLevelBPETokenizer` (without a normalizer, `add_prefix_space` as in the file).
public struct ByteLevelBPETokenizer: Tokenizer {
    /// Token → id.
    public let vocabulary: [String: Int]
    /// Merge rank of each pair of symbols (lower merges first).
    public let ranks: [Pair: Int]
    /// Whether a space is put before the text when it does not start with one.
    public let addPrefixSpace: Bool
    /// Special tokens matched whole in the input (`<s>`, `</s>`, …).
    public let specialTokens: [String: Int]
    private let tokensByID: [String]

    /// Two adjacent symbols.
    public struct Pair: Hashable, Sendable {
        public var left: String
        public var right: String

        public init(_ left: String, _ right: String) {
            self.left = left
            self.right = right
        }
    }

    /// A tokenizer over `vocabulary` with `merges` in rank order.
    /// - Throws: ``TokenizerError/malformed(_:)`` when the ids are not 0..<count or a merge
    ///   produces a token outside the vocabulary.
    public init(vocabulary: [String: Int], merges: [Pair], addPrefixSpace: Bool = false, specialTokens: [String: Int] = [:]) throws {
        tokensByID = try WordPieceTokenizer.inverted(vocabulary)
        var ranks: [Pair: Int] = [:]
        for (rank, pair) in merges.enumerated() where ranks[pair] == nil {
            guard vocabulary[pair.left + pair.right] != nil else {
                throw TokenizerError.malformed("merge \(rank) ('\(pair.left)' '\(pair.right)') makes a token that is not in the vocabulary")
            }
            ranks[pair] = rank
        }
        self.vocabulary = vocabulary
        self.ranks = ranks
        self.addPrefixSpace = addPrefixSpace
        self.specialTokens = specialTokens
    }

    public var vocabularySize: Int { tokensByID.count }

    public var paddingID: Int? { vocabulary["<pad>"] ?? vocabulary["[PAD]"] }

    public func encode(_ text: String) -> [Int] { tokens(text).compactMap { vocabulary[$0] } }

    public func tokens(_ text: String) -> [String] {
        SpecialTokenSplit.segments(of: text, special: specialTokens).flatMap { segment -> [String] in
            if segment.isSpecial { return [segment.text] }
            var scalars = Array(segment.text.unicodeScalars)
            if addPrefixSpace, let first = scalars.first, first != " " { scalars.insert(" ", at: 0) }
            return GPT2Pattern.pieces(scalars).flatMap { merge(ByteAlphabet.symbols(of: $0)) }
        }
    }

    /// Applies the merges to one piece's symbols, lowest rank first.
    private func merge(_ symbols: [String]) -> [String] {
        var word = symbols
        while word.count > 1 {
            var best: (rank: Int, index: Int)?
            for i in 0..<(word.count - 1) {
                if let r = ranks[Pair(word[i], word[i + 1])], r < best?.rank ?? Int.max { best = (r, i) }
            }
            guard let best else { break }
            let pair = Pair(word[best.index], word[best.index + 1])
            var merged: [String] = []
            var i = 0
            while i < word.count {
                if i + 1 < word.count, word[i] == pair.left, word[i + 1] == pair.right {
                    merged.append(pair.left + pair.right)
                    i += 2
                } else {
                    merged.append(word[i])
                    i += 1
                }
            }
            word = merged
        }
        return word
    }
}

/// GPT-2's byte → printable character map (`bytes_to_unicode`): printable Latin-1 bytes map to
/// themselves, the other 68 to U+0100 onwards, so every byte string is a string of symbols.
enum ByteAlphabet {
    static let symbolOfByte: [String] = {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var codes = printable
        var next = 0
        for b in 0..<256 where !printable.contains(b) {
            printable.append(b)
            codes.append(256 + next)
            next += 1
        }
        var table = [String](repeating: "", count: 256)
        for (b, c) in zip(printable, codes) { table[b] = String(Character(Unicode.Scalar(UInt32(c))!)) }
        return table
    }()

    /// One symbol per UTF-8 byte of `scalars`.
    static func symbols(of scalars: ArraySlice<Unicode.Scalar>) -> [String] {
        String(String.UnicodeScalarView(scalars)).utf8.map { symbolOfByte[Int($0)] }
    }
}

/// GPT-2's pre-tokenization pattern,
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, matched by hand
/// over Unicode scalars (first alternative that matches, each greedy).
enum GPT2Pattern {
    private static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }

    static func pieces(_ s: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var out: [ArraySlice<Unicode.Scalar>] = []
        var i = 0
        while i < s.count {
            let end = match(s, at: i)
            out.append(s[i..<end])
            i = end
        }
        return out
    }

    private enum Kind { case letter, number, other, space }

    private static func kind(_ c: Unicode.Scalar) -> Kind {
        if c.properties.isWhitespace { return .space }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// The end of the match that starts at `i` (always past `i`).
    private static func match(_ s: [Unicode.Scalar], at i: Int) -> Int {
        if s[i] == "'" {
            for c in contractions where i + c.count < s.count && Array(s[(i + 1)...(i + c.count)]) == c {
                return i + 1 + c.count
            }
        }
        let first = kind(s[i])
        // ` ?X+` for letters, numbers and the rest: an optional leading space, then a run.
        var start = i
        var k = first
        if s[i] == " ", i + 1 < s.count, kind(s[i + 1]) != .space {
            start = i + 1
            k = kind(s[i + 1])
        }
        if k != .space {
            var j = start
            while j < s.count, kind(s[j]) == k { j += 1 }
            return j
        }
        // `\s+(?!\S)` then `\s+`: a whitespace run, leaving its last space to the next word.
        var j = i
        while j < s.count, kind(s[j]) == .space { j += 1 }
        if j < s.count, j - i > 1 { return j - 1 }
        return j
    }
}
