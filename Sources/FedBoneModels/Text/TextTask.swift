/// What a text client learns.
public enum TextTaskKind: String, Sendable, Codable, CaseIterable {
    /// One label per sequence (topic, sentiment): accuracy and macro-F1.
    case textClassification = "text-classification"
    /// One tag per token (part of speech, NER-style): token accuracy and macro-F1 over tags.
    case tokenTagging = "token-tagging"
}

/// A text task: its kind and number of classes (labels or tags).
public struct TextTaskSpec: Sendable, Equatable, Codable {
    public var kind: TextTaskKind
    public var classes: Int

    public init(_ kind: TextTaskKind, classes: Int) {
        self.kind = kind
        self.classes = classes
    }

    /// Throws ``ModelError/invalidConfiguration(_:)`` unless there are at least 2 classes.
    public func validate() throws {
        guard classes >= 2 else { throw ModelError.invalidConfiguration("a \(kind.rawValue) task needs at least 2 classes, got \(classes)") }
    }
}

/// A batch of token id sequences, padded at the end to the longest one.
public struct TokenBatch: Sendable, Equatable {
    /// `[B · L]` ids, row-major; positions past a sequence's length hold the padding id.
    public var ids: [Int]
    /// Each sequence's real length (1...L).
    public var lengths: [Int]
    /// L, the padded length.
    public var length: Int

    /// Sequences padded with `padding` to the longest (cut to `maxLength` first).
    /// - Precondition: every sequence has at least one id.
    public init(_ sequences: [[Int]], padding: Int, maxLength: Int) {
        precondition(!sequences.isEmpty && sequences.allSatisfy { !$0.isEmpty }, "TokenBatch: every sequence needs a token")
        let cut = sequences.map { Array($0.prefix(maxLength)) }
        let longest = cut.map(\.count).max() ?? 1
        length = longest
        lengths = cut.map(\.count)
        ids = cut.flatMap { $0 + [Int](repeating: padding, count: longest - $0.count) }
    }

    /// B, the number of sequences.
    public var count: Int { lengths.count }
}
