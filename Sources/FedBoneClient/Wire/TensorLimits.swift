/// Bounds that every tensor arriving over the network must respect.
public struct TensorLimits: Sendable, Equatable, Codable {
    /// Largest number of dimensions the protocol allows.
    public static let maxRank = 8

    /// Largest number of elements of one tensor. The default, 2²⁶ (64 Mi elements, 256 MiB in
    /// f32), is far above a batch of 16 Swin-T embeddings at 224×224 (16·3136·96 ≈ 4.8 M).
    public var maxElements: Int

    /// Creates limits with the given element bound.
    public init(maxElements: Int = 1 << 26) {
        precondition(maxElements > 0, "TensorLimits: maxElements must be positive, got \(maxElements)")
        self.maxElements = maxElements
    }
}
