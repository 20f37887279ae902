/// Counts the forward multiply-adds of the ops run inside ``count(_:)``, so a model can report
/// its cost (GFLOPs per sample, as papers report them, are multiply-adds × 10⁻⁹).
///
/// ```swift
/// let (macs, _) = FlopCounter.count { model(x) }
/// ```
/// Ops that are not matrix products count one multiply-add per output element per arithmetic
/// step where that is meaningful (normalisations, attention softmax) and nothing for pure data
/// movement. Backward passes are not counted.
public final class FlopCounter: @unchecked Sendable {
    @TaskLocal static var current: FlopCounter?

    private var total = 0

    /// Adds `multiplyAdds` to the counter active in this task, if any.
    @inline(__always)
    public static func add(multiplyAdds: Int) {
        guard let counter = current else { return }
        counter.total += multiplyAdds
    }

    /// Runs `body` and returns the forward multiply-adds it performed, with its result.
    /// Backward passes run while counting are excluded.
    public static func count<R>(_ body: () throws -> R) rethrows -> (multiplyAdds: Int, result: R) {
        let counter = FlopCounter()
        let result = try $current.withValue(counter, operation: body)
        return (counter.total, result)
    }
}
