import FedBoneKernels
import Foundation
import Testing
@testable import FedBoneTensor

/// Random values kept at least `gap` away from 0, so finite differences never straddle a kink.
private func awayFromZero(_ shape: [Int], gap: Float = 0.05, generator: inout SeededGenerator) -> Tensor {
    Tensor.randn(shape, generator: &generator).mapKernel { $0 >= 0 ? $0 + gap : $0 - gap }
}

private func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) {
        #expect(Swift.abs(x - y) <= tolerance * Swift.max(1, Swift.abs(y)), "\(a) vs \(b)", sourceLocation: sourceLocation)
    }
}

@Suite struct ActivationGradientTests {
    @Test func geluMatchesPyTorchExactForm() throws {
        // torch.nn.functional.gelu(torch.tensor([-1.5, 0.0, 0.7, 3.0])) (approximate='none')
        let x = try Tensor(shape: [4], scalars: [-1.5, 0, 0.7, 3])
        expectClose(x.gelu().scalars, [-0.10021086037158966, 0.0, 0.5306254625320435, 2.9959497451782227])
    }

    @Test func sigmoidIsStableForLargeInputs() throws {
        let x = try Tensor(shape: [4], scalars: [-200, -30, 30, 200])
        let y = x.sigmoid().scalars
        #expect(y.allSatisfy { $0.isFinite })
        #expect(y[0] == 0 && y[3] == 1)
        expectClose([y[1], y[2]], [9.357623e-14, 1])
    }

    @Test func reluAndTanhValues() throws {
        let x = try Tensor(shape: [3], scalars: [-2, 0, 1.5])
        #expect(x.relu().scalars == [0, 0, 1.5])
        expectClose(x.tanh().scalars, [Foundation.tanh(-2), 0, Foundation.tanh(1.5)])
    }

    @Test(arguments: ["gelu", "relu", "sigmoid", "tanh"])
    func activationGradientsMatchFiniteDifferences(name: String) {
        var rng = SeededGenerator(seed: 11)
        let x = awayFromZero([3, 5, 7], generator: &rng).requiringGrad()
        let result = checkGradients([x]) { xs in
            switch name {
            case "gelu": return xs[0].gelu()
            case "relu": return xs[0].relu()
            case "sigmoid": return xs[0].sigmoid()
            default: return xs[0].tanh()
            }
        }
        #expect(result.passed, "\(name): \(result)")
    }

    @Test func largeTensorsTakeTheParallelPathWithTheSameResult() {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.randn([70_001], generator: &rng)
        let serial = x.scalars.withUnsafeBufferPointer { px in
            [Float](unsafeUninitializedCapacity: px.count) { out, count in
                fb_gelu_forward(px.baseAddress!, out.baseAddress!, px.count)
                count = px.count
            }
        }
        #expect(x.gelu().scalars == serial)
        #expect(x.relu().scalars == x.mapKernel { Swift.max($0, 0) }.scalars)
    }

    @Test func softmaxMatchesPyTorchOnEveryAxis() throws {
        let x = try Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 3, 0.25, -0.75])
        // torch.softmax(x, 0) and torch.log_softmax(x, 1)
        expectClose(x.softmax(axis: 0).scalars,
                    [0.07585817575454712, 0.22270014882087708, 0.9399133324623108,
                     0.9241418242454529, 0.7772998809814453, 0.06008664518594742])
        expectClose(x.logSoftmax().scalars,
                    [-1.7413113117218018, -3.2413113117218018, -0.24131132662296295,
                     -0.08383147418498993, -2.833831548690796, -3.833831548690796])
        expectClose(x.logSoftmax(axis: 1).exp().scalars, x.softmax(axis: -1).scalars)
    }

    @Test func softmaxSubtractsTheMaximum() throws {
        let x = try Tensor(shape: [1, 3], scalars: [1000, 1000, -1000])
        #expect(x.softmax().scalars == [0.5, 0.5, 0])
        expectClose(x.logSoftmax().scalars, [-Float(M_LN2), -Float(M_LN2), -2000 - Float(M_LN2)])
    }

    @Test(arguments: [0, 1, 2, -1])
    func softmaxGradientsMatchFiniteDifferences(axis: Int) {
        var rng = SeededGenerator(seed: UInt64(20 + axis))
        let x = Tensor.randn([3, 4, 5], generator: &rng).requiringGrad()
        let soft = checkGradients([x]) { $0[0].softmax(axis: axis) }
        #expect(soft.passed, "softmax axis \(axis): \(soft)")
        let logSoft = checkGradients([x]) { $0[0].logSoftmax(axis: axis) }
        #expect(logSoft.passed, "logSoftmax axis \(axis): \(logSoft)")
    }

    @Test func dropoutKeepsAboutOneMinusPAndScales() {
        var rng = SeededGenerator(seed: 5)
        let y = Tensor.ones([10_000]).dropout(probability: 0.3, generator: &rng)
        let kept = y.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.7) < 1e-6 })
        #expect(Swift.abs(Double(kept.count) / 10_000 - 0.7) < 0.02)
        var again = SeededGenerator(seed: 5)
        #expect(Tensor.ones([10_000]).dropout(probability: 0.3, generator: &again).scalars == y.scalars)
    }

    @Test func dropoutWithZeroProbabilityIsIdentityAndOneZeroes() {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.ones([4]).requiringGrad()
        let same = x.dropout(probability: 0, generator: &rng)
        #expect(same.isSameVariable(as: x))
        #expect(x.dropout(probability: 1, generator: &rng).scalars == [0, 0, 0, 0])
    }

    @Test func dropoutGradientUsesTheSameMask() {
        var rng = SeededGenerator(seed: 8)
        let x = Tensor.randn([5, 7], generator: &rng).requiringGrad()
        let y = x.dropout(probability: 0.4, generator: &rng)
        y.sum().backward()
        let mask = y.scalars.enumerated().map { $0.element == 0 ? Float(0) : Float(1 / 0.6) }
        expectClose(x.grad?.scalars ?? [], mask)
        let fixed = SeededGenerator(seed: 9)
        let check = checkGradients([x]) { xs in
            var g = fixed
            return xs[0].dropout(probability: 0.4, generator: &g)
        }
        #expect(check.passed, "\(check)")
    }

    @Test func dropPathDropsWholeSamples() {
        var rng = SeededGenerator(seed: 2)
        let x = Tensor.ones([64, 3, 5]).requiringGrad()
        let y = x.dropPath(probability: 0.5, generator: &rng)
        for b in 0..<64 {
            let sample = y.scalars[(b * 15)..<((b + 1) * 15)]
            #expect(sample.allSatisfy { $0 == 0 } || sample.allSatisfy { $0 == 2 })
        }
        #expect(y.scalars.contains(0) && y.scalars.contains(2))
        y.sum().backward()
        #expect(x.grad?.scalars == y.scalars)
        #expect(x.dropPath(probability: 0, generator: &rng).isSameVariable(as: x))
    }
}
