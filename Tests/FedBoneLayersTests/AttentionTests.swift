import Testing
@testable import FedBoneLayers

/// Checks a module's parameter gradients against central differences of
/// `L = Σ output ⊙ weights` (fixed random weights), up to `perParameter` elements each.
private func checkParameterGradients(_ module: Module, perParameter: Int = 12,
                                     _ forward: () -> Tensor) -> [String] {
    var rng = SeededGenerator(seed: 99)
    let probe = withoutGrad { forward() }
    let weights = Tensor.uniform(probe.shape, low: -1, high: 1, generator: &rng)
    func loss() -> Double {
        let y = withoutGrad { forward() }
        return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    module.zeroGrad()
    forward().backward(weights)
    var failures: [String] = []
    let epsilon: Float = 1e-2
    for (name, parameter) in module.namedParameters() {
        let analytic = parameter.grad ?? .zeros(parameter.shape)
        let step = max(1, parameter.value.count / perParameter)
        for index in stride(from: 0, to: parameter.value.count, by: step) {
            parameter.update { $0[index] += epsilon }
            let plus = loss()
            parameter.update { $0[index] -= 2 * epsilon }
            let minus = loss()
            parameter.update { $0[index] += epsilon }
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let a = Double(analytic.scalars[index])
            if abs(a - numeric) > 1e-3 + 1e-2 * max(abs(a), abs(numeric)) {
                failures.append("\(name)[\(index)]: analytic \(a), numeric \(numeric)")
            }
        }
    }
    return failures
}

@Suite struct AttentionTests {
    @Test func parameterNamesMatchTimm() {
        var rng = SeededGenerator(seed: 0)
        let attention = MultiHeadSelfAttention(dim: 8, heads: 2, attentionDropout: 0.1, projectionDropout: 0.1, generator: &rng)
        #expect(attention.namedParameters().map(\.name) == ["qkv.weight", "qkv.bias", "proj.weight", "proj.bias"])
        #expect(attention.qkv.weight.shape == [24, 8] && attention.proj.weight.shape == [8, 8])
        #expect(attention.scale == 0.5)
    }

    @Test func outputKeepsTheInputShape() {
        var rng = SeededGenerator(seed: 1)
        let attention = MultiHeadSelfAttention(dim: 12, heads: 3, generator: &rng)
        let x = Tensor.randn([2, 5, 12], generator: &rng)
        #expect(attention(x).shape == [2, 5, 12])
        let bias = Tensor.randn([3, 5, 5], generator: &rng)
        #expect(attention(x, bias: bias).shape == [2, 5, 12])
    }

    @Test func diagonalMaskMakesEachTokenAttendToItself() {
        // With every off-diagonal logit at −1e9 the attention is the identity, so the output
        // is proj(v) with v the last third of qkv(x).
        var rng = SeededGenerator(seed: 2)
        let attention = MultiHeadSelfAttention(dim: 6, heads: 2, generator: &rng)
        let x = Tensor.randn([2, 4, 6], generator: &rng)
        let mask = try! Tensor(shape: [1, 4, 4], scalars: (0..<16).map { $0 / 4 == $0 % 4 ? 0 : -1e9 })
        let v = x.linear(weight: attention.qkv.weight.value.slice(axis: 0, 12..<18),
                         bias: attention.qkv.bias?.value.slice(axis: 0, 12..<18))
        let expected = attention.proj(v)
        let y = attention(x, bias: mask)
        #expect(zip(y.scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func gradientsThroughParametersInputAndBias() {
        var rng = SeededGenerator(seed: 3)
        let attention = MultiHeadSelfAttention(dim: 4, heads: 2, generator: &rng)
        let x = Tensor.randn([2, 3, 4], generator: &rng)
        let bias = Tensor.randn([2, 3, 3], generator: &rng)
        let failures = checkParameterGradients(attention) { attention(x, bias: bias) }
        #expect(failures.isEmpty, "\(failures)")
        let inputs = checkGradients([x.requiringGrad(), bias.requiringGrad()]) { attention($0[0], bias: $0[1]) }
        #expect(inputs.passed, "\(inputs)")
    }
}
