/// What a client model takes: a batch of images or of token sequences.
public enum ModelInput {
    /// Images `[B, C, H, W]`.
    case images(Tensor)
    /// Token id sequences, padded to the longest.
    case tokens(TokenBatch)

    /// B, the number of samples.
    public var count: Int {
        switch self {
        case let .images(images): return images.shape.first ?? 0
        case let .tokens(tokens): return tokens.count
        }
    }

    /// Each sequence's real length (token inputs); nil for images.
    public var lengths: [Int]? {
        if case let .tokens(tokens) = self { return tokens.lengths }
        return nil
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
