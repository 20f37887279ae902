import Testing
@testable import FedBoneTensor

/// `matmul` and `linear`, forward and backward, against PyTorch (fixtures from
/// `tools/make_fixtures.py`; the tolerance is described at ``parityError(_:_:)``).
@Suite struct MatMulParityTests {
    @Test func linearMatchesPyTorch() throws {
        let f = try ParityFixture("linear")
        let x = try f.tensor("input").requiringGrad()
        let w = try f.tensor("weight").requiringGrad()
        let b = try f.tensor("bias").requiringGrad()
        let y = x.linear(weight: w, bias: b)
        expectParity(y, try f.tensor("output"), "linear output")
        y.backward(try f.tensor("grad_output"))
        expectParity(x.grad, try f.tensor("grad_input"), "linear grad input")
        expectParity(w.grad, try f.tensor("grad_weight"), "linear grad weight")
        expectParity(b.grad, try f.tensor("grad_bias"), "linear grad bias")
    }

    @Test func broadcastingMatmulMatchesPyTorch() throws {
        let f = try ParityFixture("matmul")
        let a = try f.tensor("a").requiringGrad()
        let b = try f.tensor("b").requiringGrad()
        let y = a.matmul(b)
        expectParity(y, try f.tensor("output"), "matmul output")
        y.backward(try f.tensor("grad_output"))
        expectParity(a.grad, try f.tensor("grad_a"), "matmul grad a")
        expectParity(b.grad, try f.tensor("grad_b"), "matmul grad b")
    }
}
