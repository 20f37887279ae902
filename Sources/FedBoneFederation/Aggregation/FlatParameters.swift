/// A module's parameters as one flat vector, in ``Module/namedParameters()`` order: the Δ_k
/// vectors the aggregators work on.
extension Module {
    /// Every parameter's scalars, concatenated.
    public func flatParameters() -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(parameterCount)
        for p in parameters() { out += p.value.scalars }
        return out
    }

    /// Every parameter's gradient, concatenated (zeros where a parameter has none).
    public func flatGradients() -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(parameterCount)
        for p in parameters() { out += p.grad?.scalars ?? [Float](repeating: 0, count: p.value.count) }
        return out
    }

    /// Sets every parameter from a vector laid out as ``flatParameters()``.
    public func assignFlatParameters(_ flat: [Float]) {
        precondition(flat.count == parameterCount, "assignFlatParameters: \(flat.count) values for \(parameterCount) parameters")
        var offset = 0
        for p in parameters() {
            let n = p.value.count
            p.update { v in
                flat.withUnsafeBufferPointer { f in
                    for j in 0..<n { v[j] = f[offset + j] }
                }
            }
            offset += n
        }
    }
}
