import HeapModule

/// Learns a WordPiece vocabulary from a corpus, as `tokenizers`' `WordPieceTrainer` does: the
/// corpus is normalised and split into words as BERT does, every word starts as its characters
/// (all but the first with the `##` prefix), and the most frequent adjacent pair is merged into
/// a new token until the vocabulary has ``vocabularySize`` tokens or no pair occurs
/// ``minimumFrequency`` times. Ties go to the pair whose spelling sorts first, so the result
/// depends only on the corpus and the settings.
public struct WordPieceTrainer: Sendable {
    /// The most tokens, special tokens and the alphabet included.
    public var vocabularySize: Int
    /// Pairs seen fewer times are not merged.
    public var minimumFrequency: Int
    /// The normaliser (BERT's, lower-casing, by default).
    public var normalization: BertNormalization
    /// Special tokens, first in the vocabulary in this order (`[PAD]` gets id 0).
    public var specialTokens: [String]

    public init(vocabularySize: Int = 8000, minimumFrequency: Int = 2, normalization: BertNormalization = BertNormalization(),
                specialTokens: [String] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]) {
        self.vocabularySize = vocabularySize
        self.minimumFrequency = minimumFrequency
        self.normalization = normalization
        self.specialTokens = specialTokens
    }

    /// A tokenizer whose vocabulary is learned from `documents`.
    /// - Throws: ``TokenizerError/training(_:)`` when the corpus has no words or the vocabulary
    ///   size leaves no room for its alphabet.
    public func train(_ documents: some Sequence<String>) throws -> WordPieceTokenizer {
        guard specialTokens.contains("[UNK]") else { throw TokenizerError.training("the special tokens must include [UNK]") }
        var wordCounts: [String: Int] = [:]
        for document in documents {
            for word in BertNormalization.preTokenize(normalization.normalize(document)) {
                wordCounts[String(String.UnicodeScalarView(word)), default: 0] += 1
            }
        }
        guard !wordCounts.isEmpty else { throw TokenizerError.training("the corpus has no words") }
        var tokens = specialTokens
        var ids: [String: Int] = [:]
        for (i, t) in tokens.enumerated() { ids[t] = i }
        func id(_ token: String) -> Int {
            if let i = ids[token] { return i }
            ids[token] = tokens.count
            tokens.append(token)
            return tokens.count - 1
        }
        let sortedWords = wordCounts.keys.sorted()
        var alphabet = Set<String>()
        for word in sortedWords {
            for (i, c) in word.unicodeScalars.enumerated() { alphabet.insert(i == 0 ? String(c) : prefix + String(c)) }
        }
        guard alphabet.count + specialTokens.count <= vocabularySize else {
            throw TokenizerError.training("the corpus has \(alphabet.count) distinct characters; a vocabulary of \(vocabularySize) cannot hold them and \(specialTokens.count) special tokens")
        }
        for symbol in alphabet.sorted() { _ = id(symbol) }
        var words = sortedWords.map { word in word.unicodeScalars.enumerated().map { id($0.offset == 0 ? String($0.element) : prefix + String($0.element)) } }
        let counts = sortedWords.map { wordCounts[$0] ?? 0 }

        var pairCounts: [SymbolPair: Int] = [:]
        var occurrences: [SymbolPair: Set<Int>] = [:]
        for (w, word) in words.enumerated() {
            for (a, b) in zip(word, word.dropFirst()) {
                pairCounts[SymbolPair(a, b), default: 0] += counts[w]
                occurrences[SymbolPair(a, b), default: []].insert(w)
            }
        }
        var heap = Heap<Candidate>()
        for (pair, count) in pairCounts { heap.insert(Candidate(count: count, pair: pair, spelling: (tokens[pair.a], tokens[pair.b]))) }

        while tokens.count < vocabularySize, let top = heap.popMax() {
            guard pairCounts[top.pair] == top.count, top.count > 0 else { continue }
            guard top.count >= minimumFrequency else { break }
            let right = tokens[top.pair.b]
            let merged = id(tokens[top.pair.a] + (right.hasPrefix(prefix) ? String(right.dropFirst(prefix.count)) : right))
            var touched = Set<SymbolPair>()
            for w in occurrences[top.pair] ?? [] {
                let before = words[w]
                var after: [Int] = []
                after.reserveCapacity(before.count)
                var i = 0
                while i < before.count {
                    if i + 1 < before.count, before[i] == top.pair.a, before[i + 1] == top.pair.b {
                        after.append(merged)
                        i += 2
                    } else {
                        after.append(before[i])
                        i += 1
                    }
                }
                guard after.count < before.count else { continue }
                for (a, b) in zip(before, before.dropFirst()) {
                    pairCounts[SymbolPair(a, b), default: 0] -= counts[w]
                    touched.insert(SymbolPair(a, b))
                }
                for (a, b) in zip(after, after.dropFirst()) {
                    pairCounts[SymbolPair(a, b), default: 0] += counts[w]
                    occurrences[SymbolPair(a, b), default: []].insert(w)
                    touched.insert(SymbolPair(a, b))
                }
                words[w] = after
            }
            for pair in touched {
                if let c = pairCounts[pair], c > 0 { heap.insert(Candidate(count: c, pair: pair, spelling: (tokens[pair.a], tokens[pair.b]))) }
            }
        }
        var vocabulary: [String: Int] = [:]
        for (i, t) in tokens.enumerated() { vocabulary[t] = i }
        return try WordPieceTokenizer(vocabulary: vocabulary, unknownToken: "[UNK]", continuingPrefix: prefix,
                                      normalization: normalization,
                                      specialTokens: Dictionary(uniqueKeysWithValues: specialTokens.map { ($0, vocabulary[$0] ?? 0) }))
    }

    private let prefix = "##"
}

/// Two adjacent symbols by id.
private struct SymbolPair: Hashable {
    var a: Int
    var b: Int

    init(_ a: Int, _ b: Int) {
        self.a = a
        self.b = b
    }
}

/// A pair with the count it had when queued: the heap's largest is the most frequent pair,
/// ties to the smaller spelling.
private struct Candidate: Comparable {
    var count: Int
    var pair: SymbolPair
    var spelling: (String, String)

    static func < (x: Candidate, y: Candidate) -> Bool {
        if x.count != y.count { return x.count < y.count }
        return x.spelling > y.spelling
    }

    static func == (x: Candidate, y: Candidate) -> Bool { x.count == y.count && x.spelling == y.spelling }
}
