import Foundation

/// BERT's text normalizer and pre-tokenizer, as `tokenizers`' `BertNormalizer` and
/// `BertPreTokenizer` do them, on Unicode scalars (Rust's `char`).
public struct BertNormalization: Sendable, Equatable {
    /// Drops control characters and maps every whitespace character to a space.
    public var cleanText = true
    /// Puts spaces around CJK ideographs, so each becomes a word.
    public var handleChineseCharacters = true
    /// Removes combining marks after canonical decomposition (NFD).
    public var stripAccents = true
    /// Lower-cases.
    public var lowercase = true

    public init(cleanText: Bool = true, handleChineseCharacters: Bool = true, stripAccents: Bool = true, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseCharacters = handleChineseCharacters
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// The normalised text: clean, CJK spacing, accents stripped, lower-cased (in that order).
    public func normalize(_ text: String) -> String {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        for c in text.unicodeScalars {
            if cleanText {
                if c.value == 0 || c.value == 0xFFFD || Self.isControl(c) { continue }
                if Self.isWhitespace(c) {
                    scalars.append(" ")
                    continue
                }
            }
            if handleChineseCharacters && Self.isChinese(c) {
                scalars += [" ", c, " "]
            } else {
                scalars.append(c)
            }
        }
        var out = String(String.UnicodeScalarView(scalars))
        if stripAccents {
            let decomposed = out.decomposedStringWithCanonicalMapping.unicodeScalars
            out = String(String.UnicodeScalarView(decomposed.filter { $0.properties.generalCategory != .nonspacingMark }))
        }
        if lowercase {
            var lowered = String.UnicodeScalarView()
            for c in out.unicodeScalars { lowered.append(contentsOf: String(c).lowercased().unicodeScalars) }
            out = String(lowered)
        }
        return out
    }

    /// Words of normalised text: split at whitespace (dropped) and around every punctuation
    /// character (kept, one per word).
    public static func preTokenize(_ text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for c in text.unicodeScalars {
            if c.properties.isWhitespace {
                if !current.isEmpty { words.append(current) }
                current = []
            } else if isPunctuation(c) {
                if !current.isEmpty { words.append(current) }
                words.append([c])
                current = []
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Whitespace for BERT: tab, newline, carriage return and Unicode White_Space.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == "\t" || c == "\n" || c == "\r" || c.properties.isWhitespace
    }

    /// Control for BERT: the "other" categories (Cc, Cf, Cs, Co, Cn), except tab, newline and return.
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        if c == "\t" || c == "\n" || c == "\r" { return false }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// ASCII punctuation and symbols, or any Unicode punctuation category.
    static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// The CJK ideograph blocks BERT treats as one word each.
    static func isChinese(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B920...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
