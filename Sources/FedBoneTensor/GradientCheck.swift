/// Compares the gradients autograd computes with central finite differences.
///
/// The function under test is reduced to a scalar `L = Σ f(x) ⊙ w` with fixed random weights
/// `w` (so every output element matters), accumulated in `Double`. For each input element
/// `∂L/∂x ≈ (L(x + ε) − L(x − ε)) / 2ε`, compared with autograd's value to
/// `|analytic − numeric| ≤ atol + rtol · max(|analytic|, |numeric|)`.
public struct GradientCheckResult: CustomStringConvertible, Sendable {
    /// The largest absolute difference seen, with where it was.
    public var maxAbsoluteError: Double = 0
    /// Elements outside the tolerance, as (input, index, analytic, numeric).
    public var failures: [(input: Int, index: Int, analytic: Double, numeric: Double)] = []
    /// How many elements were checked.
    public var checked = 0

    /// Whether every checked element was within tolerance.
    public var passed: Bool { failures.isEmpty && checked > 0 }

    public var description: String {
        let shown = failures.prefix(5).map { "input \($0.input)[\($0.index)]: analytic \($0.analytic), numeric \($0.numeric)" }
        return "gradient check: \(checked) elements, max abs error \(maxAbsoluteError)"
            + (failures.isEmpty ? ", passed" : ", \(failures.count) failed: " + shown.joined(separator: "; "))
    }
}

/// Checks autograd against central differences for every input that requires gradients.
/// - Parameters:
///   - inputs: the inputs; those with `requiresGrad` are checked.
///   - epsilon: the finite-difference step.
///   - maxElementsPerInput: checks at most this many elements per input (spread evenly).
///   - function: the op under test.
public func checkGradients(
    _ inputs: [Tensor], epsilon: Float = 1e-2, rtol: Double = 1e-2, atol: Double = 1e-3,
    maxElementsPerInput: Int = 64, seed: UInt64 = 7, _ function: ([Tensor]) -> Tensor
) -> GradientCheckResult {
    var rng = SeededGenerator(seed: seed)
    let probe = withoutGrad { function(inputs) }
    let weights = Tensor.uniform(probe.shape, low: -1, high: 1, generator: &rng)
    func loss(_ xs: [Tensor]) -> Double {
        let y = withoutGrad { function(xs) }
        var s = 0.0
        for (a, b) in zip(y.scalars, weights.scalars) { s += Double(a) * Double(b) }
        return s
    }
    let leaves = inputs.map { $0.requiresGrad ? $0.detached().requiringGrad() : $0 }
    let out = function(leaves)
    if out.requiresGrad { out.backward(weights) }
    var result = GradientCheckResult()
    for (i, leaf) in leaves.enumerated() where leaf.requiresGrad {
        let analytic = leaf.grad ?? Tensor.zeros(leaf.shape)
        let step = Swift.max(1, leaf.count / maxElementsPerInput)
        for index in stride(from: 0, to: leaf.count, by: step) {
            var plus = inputs.map { $0.detached() }, minus = plus
            plus[i].scalars[index] += epsilon
            minus[i].scalars[index] -= epsilon
            let numeric = (loss(plus) - loss(minus)) / (2 * Double(epsilon))
            let a = Double(analytic.scalars[index])
            let err = Swift.abs(a - numeric)
            result.maxAbsoluteError = Swift.max(result.maxAbsoluteError, err)
            result.checked += 1
            if err > atol + rtol * Swift.max(Swift.abs(a), Swift.abs(numeric)) {
                result.failures.append((i, index, a, numeric))
            }
        }
    }
    return result
}
