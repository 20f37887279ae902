import Testing
@testable import FedBoneTensor

/// Gradient checks (central differences) for the core ops: broadcasting arithmetic, unary
/// maths, reductions, shape ops and matrix products.
@Suite struct CoreGradientTests {
    private func randn(_ shape: [Int], seed: UInt64, grad: Bool = true) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let t = Tensor.randn(shape, generator: &rng)
        return grad ? t.requiringGrad() : t
    }

    @Test(arguments: [
        ([3, 4], [4]), ([2, 1, 5], [3, 1]), ([1], [2, 3]), ([4, 1, 3], [4, 2, 3]), ([2, 3], [2, 3]),
    ])
    func broadcastingArithmetic(lhs: [Int], rhs: [Int]) {
        let a = randn(lhs, seed: 1), b = randn(rhs, seed: 2)
        let positive = b.detached().abs() + 0.5
        for (name, f) in [("add", { (x: [Tensor]) in x[0] + x[1] }), ("sub", { $0[0] - $0[1] }), ("mul", { $0[0] * $0[1] })] {
            let r = checkGradients([a, b], f)
            #expect(r.passed, "\(name) \(lhs) \(rhs): \(r)")
        }
        let r = checkGradients([a, positive.requiringGrad()]) { $0[0] / $0[1] }
        #expect(r.passed, "div \(lhs) \(rhs): \(r)")
    }

    @Test func scalarArithmetic() {
        let a = randn([3, 2], seed: 3)
        let r = checkGradients([a]) { (($0[0] + 2) * 3 - 1) / 4 }
        #expect(r.passed, "\(r)")
    }

    @Test func unaryMaths() {
        let a = randn([2, 5], seed: 4)
        let positive = (a.detached().abs() + 0.5).requiringGrad()
        for (name, f, x) in [
            ("exp", { (t: [Tensor]) in t[0].exp() }, a),
            ("square", { $0[0].square() }, a),
            ("abs", { $0[0].abs() }, positive),
            ("log", { $0[0].log() }, positive),
            ("sqrt", { $0[0].sqrt() }, positive),
            ("pow", { $0[0].pow(1.5) }, positive),
            ("clamped", { $0[0].clamped(min: -0.4, max: 0.3) }, a),
        ] {
            let r = checkGradients([x], epsilon: 1e-3, f)
            #expect(r.passed, "\(name): \(r)")
        }
    }

    @Test func reductions() {
        let a = randn([3, 4, 5], seed: 5)
        for axes in [[0], [1], [2], [0, 2], [-1], [0, 1, 2]] {
            let r1 = checkGradients([a]) { $0[0].sum(axes: axes) }
            let r2 = checkGradients([a]) { $0[0].mean(axes: axes, keepDims: true) }
            #expect(r1.passed && r2.passed, "axes \(axes): \(r1) / \(r2)")
        }
        #expect(checkGradients([a]) { $0[0].mean() }.passed)
    }

    @Test func reductionValues() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.sum(axis: 0).scalars == [5, 7, 9])
        #expect(t.sum(axis: 1).scalars == [6, 15])
        #expect(t.mean(axis: -1, keepDims: true).shape == [2, 1])
        #expect(t.mean().item == 3.5)
    }

    @Test func shapeOps() {
        let a = randn([2, 3, 4], seed: 6)
        let checks: [(String, ([Tensor]) -> Tensor)] = [
            ("reshape", { $0[0].reshaped([4, -1]) }),
            ("permute", { $0[0].permuted([2, 0, 1]) }),
            ("transpose", { $0[0].transposed(0, 2) }),
            ("slice", { $0[0].slice(axis: 1, 1..<3) }),
            ("flatten", { $0[0].flattened(from: 1) }),
        ]
        for (name, f) in checks {
            let r = checkGradients([a], f)
            #expect(r.passed, "\(name): \(r)")
        }
        let b = randn([2, 5, 4], seed: 7)
        let r = checkGradients([a, b]) { Tensor.concatenate([$0[0], $0[1], $0[0]], axis: 1) }
        #expect(r.passed, "concatenate: \(r)")
    }

    @Test func gatherAndRoll() {
        let table = randn([5, 3], seed: 16)
        let r1 = checkGradients([table]) { $0[0].gatherRows([4, 0, 4, 2, 2, 2]) }
        #expect(r1.passed, "gatherRows: \(r1)")
        let grid = randn([2, 4, 3, 2], seed: 17)
        let r2 = checkGradients([grid]) { $0[0].rolled(-2, axis: 1).rolled(1, axis: 2) }
        #expect(r2.passed, "rolled: \(r2)")
    }

    @Test func gatherAndRollValues() throws {
        let t = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.gatherRows([2, 0]).scalars == [5, 6, 1, 2])
        let row = try Tensor(shape: [1, 4], scalars: [1, 2, 3, 4])
        #expect(row.rolled(1, axis: 1).scalars == [4, 1, 2, 3])   // torch.roll([1,2,3,4], 1)
        #expect(row.rolled(-1, axis: -1).scalars == [2, 3, 4, 1])
    }

    @Test func permuteMovesElements() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.transposed().scalars == [1, 4, 2, 5, 3, 6])
        #expect(t.slice(axis: 1, 1..<3).scalars == [2, 3, 5, 6])
        let c = Tensor.concatenate([t, t.slice(axis: 1, 0..<1)], axis: 1)
        #expect(c.shape == [2, 4] && c.scalars == [1, 2, 3, 1, 4, 5, 6, 4])
    }

    @Test func matmulShapes() {
        // Plain, shared right operand, batched, and broadcast batch dimensions.
        for (lhs, rhs) in [([3, 5], [5, 2]), ([2, 3, 5], [5, 4]), ([2, 3, 5], [2, 5, 4]), ([2, 1, 3, 5], [3, 5, 2])] {
            let a = randn(lhs, seed: 8), b = randn(rhs, seed: 9)
            let r = checkGradients([a, b]) { $0[0].matmul($0[1]) }
            #expect(r.passed, "matmul \(lhs) × \(rhs): \(r)")
        }
    }

    @Test func matmulValues() throws {
        let a = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = try Tensor(shape: [2, 1], scalars: [5, 6])
        #expect(a.matmul(b).scalars == [17, 39])
    }

    @Test func linearWithAndWithoutBias() {
        let x = randn([2, 3, 4], seed: 10), w = randn([5, 4], seed: 11), b = randn([5], seed: 12)
        let r1 = checkGradients([x, w, b]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        let r2 = checkGradients([x, w]) { $0[0].linear(weight: $0[1]) }
        #expect(r1.passed && r2.passed, "\(r1) / \(r2)")
    }

    @Test func gradientCheckCatchesAWrongBackward() {
        // An op whose backward is deliberately wrong (factor 2 missing) must fail the check.
        let a = randn([4], seed: 13)
        let r = checkGradients([a]) { x in
            let out = x[0].mapKernel { $0 * $0 }
            return Tensor.record(out, inputs: [x[0]]) { [x] g in [g.zipKernel(x[0].detached(), *)] }
        }
        #expect(!r.passed)
    }

    @Test func flopCounterCountsMatrixProducts() {
        let x = randn([4, 8], seed: 14, grad: false), w = randn([16, 8], seed: 15, grad: false)
        let (macs, y) = FlopCounter.count { x.linear(weight: w) }
        #expect(y.shape == [4, 16])
        #expect(macs == 4 * 16 * 8)
    }
}
