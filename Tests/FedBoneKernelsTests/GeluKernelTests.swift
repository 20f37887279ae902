import FedBoneKernels
import Foundation
import Testing

/// GELU forward and backward, every supported path, against the exact formulas in `Double`.
@Suite struct GeluKernelTests {
    private let forward: KernelPaths<(UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void> =
        kernelPaths { isa in { fb_gelu_forward_isa(isa, $0, $1, $2) } }
    private let backward: KernelPaths<(UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void> =
        kernelPaths { isa in { fb_gelu_backward_isa(isa, $0, $1, $2, $3) } }

    /// −10…10 in steps of 0.001 (20,001 values: not a multiple of 16, so the masked tail runs).
    private let inputs: [Float] = (-10_000...10_000).map { Float($0) * 1e-3 }

    @Test func forwardStaysWithinAMillionthOfTheExactFormula() {
        for path in forward {
            var y = [Float](repeating: .nan, count: inputs.count)
            inputs.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in
                path.run(px.baseAddress!, py.baseAddress!, px.count)
            } }
            var worst = 0.0
            for (x, v) in zip(inputs, y) {
                let d = Double(x)
                let exact = 0.5 * d * (1 + erf(d / 2.0.squareRoot()))
                worst = max(worst, abs(Double(v) - exact) / max(1, abs(d)))
            }
            #expect(worst < 1e-6, "\(path.name): max |gelu − exact| / max(1, |x|) = \(worst)")
        }
    }

    @Test func backwardIsTheUpstreamGradientTimesTheExactDerivative() {
        var random = TestRandom(seed: 7)
        let g = random.values(inputs.count, -2, 2)
        for path in backward {
            var dx = [Float](repeating: .nan, count: inputs.count)
            inputs.withUnsafeBufferPointer { px in g.withUnsafeBufferPointer { pg in dx.withUnsafeMutableBufferPointer { pd in
                path.run(px.baseAddress!, pg.baseAddress!, pd.baseAddress!, px.count)
            } } }
            var worst = 0.0
            for i in inputs.indices {
                let d = Double(inputs[i])
                let derivative = 0.5 * (1 + erf(d / 2.0.squareRoot())) + d * exp(-0.5 * d * d) / (2 * Double.pi).squareRoot()
                worst = max(worst, abs(Double(dx[i]) - Double(g[i]) * derivative))
            }
            #expect(worst < 2e-6, "\(path.name): max |dx − g·gelu′(x)| = \(worst)")
        }
    }
}
