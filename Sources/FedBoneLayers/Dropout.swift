/// Inverted dropout, as PyTorch's `nn.Dropout(p)`: in training mode each element is zeroed
/// with probability `p` and the rest are scaled by `1 / (1 − p)`; in evaluation mode (or with
/// `p = 0`) it is the identity.
///
/// The layer owns a ``SeededGenerator``, so a run's masks are reproducible from its seed.
public final class Dropout: Module, UnaryLayer {
    /// The probability of zeroing an element.
    public let probability: Float
    /// The source of the masks; advanced by every training-mode call.
    public var generator: SeededGenerator

    /// A dropout layer whose masks come from a generator seeded with `seed`.
    public init(_ probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability <= 1, "Dropout: probability must be in [0, 1], got \(probability)")
        self.probability = probability
        generator = SeededGenerator(seed: seed)
        super.init()
    }

    /// A dropout layer seeded from `generator` (which advances by one draw).
    public convenience init(_ probability: Float, generator: inout SeededGenerator) {
        self.init(probability, seed: generator.next())
    }

    /// Same shape in and out.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return x }
        return x.dropout(probability: probability, generator: &generator)
    }
}
