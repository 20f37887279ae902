// Pending: move to Tests/FedBoneTensorTests/PyTorchParityTests.swift once conv2d,
// convTranspose2d, deformableConv2d, upsampleBilinear, layerNorm, softmax and Loss are merged.
// Uses ParityFixture / expectParity from Tests/FedBoneTensorTests/ParityFixture.swift; fixtures
// come from tools/make_fixtures.py. Every check compares the forward output and the gradients
// of sum(output · grad_output) (or of the loss itself) with PyTorch's float64 values, to a
// relative error of 1e-5 measured against the reference's largest magnitude (see parityError).
import Testing
@testable import FedBoneTensor

@Suite struct PyTorchParityTests {
    /// Runs `op` on the fixture's tensors `inputs` (made autograd leaves), compares the output
    /// and, after seeding backward with `grad_output` (or 1 for a scalar output), every
    /// `grad_<input>` the fixture has.
    private func check(_ fixture: ParityFixture, inputs: [String],
                       sourceLocation: SourceLocation = #_sourceLocation,
                       _ op: ([Tensor]) -> Tensor) throws {
        let leaves = try inputs.map { try fixture.tensor($0).requiringGrad() }
        let output = op(leaves)
        let expected = try fixture.tensor("output")
        expectParity(output, expected, "\(fixture.name) output", sourceLocation: sourceLocation)
        guard output.shape == expected.shape else { return }  // backward would stop on the seed's shape
        output.backward(fixture.tensors["grad_output"])
        for (name, leaf) in zip(inputs, leaves) {
            guard let expectedGrad = fixture.tensors["grad_\(name)"] else { continue }
            expectParity(leaf.grad, expectedGrad, "\(fixture.name) grad \(name)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ["conv2d_stride2", "conv2d_dilated_grouped"])
    func conv2dMatchesPyTorch(_ name: String) throws {
        let f = try ParityFixture(name)
        let stride = try f.pair("stride"), padding = try f.pair("padding"), dilation = try f.pair("dilation")
        let groups = try f.int("groups")
        try check(f, inputs: ["input", "weight", "bias"]) { t in
            t[0].conv2d(weight: t[1], bias: t[2], stride: stride, padding: padding, dilation: dilation, groups: groups)
        }
    }

    @Test func convTranspose2dMatchesPyTorch() throws {
        let f = try ParityFixture("conv_transpose2d")
        let stride = try f.pair("stride"), padding = try f.pair("padding"), outputPadding = try f.pair("output_padding")
        let dilation = try f.pair("dilation"), groups = try f.int("groups")
        try check(f, inputs: ["input", "weight", "bias"]) { t in
            t[0].convTranspose2d(weight: t[1], bias: t[2], stride: stride, padding: padding,
                                 outputPadding: outputPadding, dilation: dilation, groups: groups)
        }
    }

    /// `deform_conv2d` has one offset group, `deform_conv2d_strided` two (the offset group
    /// count is offset channels / (2·kh·kw), as in torchvision).
    @Test(arguments: ["deform_conv2d", "deform_conv2d_strided"])
    func deformableConv2dMatchesTorchvision(_ name: String) throws {
        let f = try ParityFixture(name)
        let stride = try f.pair("stride"), padding = try f.pair("padding"), dilation = try f.pair("dilation")
        try check(f, inputs: ["input", "offset", "weight", "bias"]) { t in
            t[0].deformableConv2d(offset: t[1], weight: t[2], bias: t[3], stride: stride, padding: padding, dilation: dilation)
        }
    }

    @Test func layerNormMatchesPyTorch() throws {
        let f = try ParityFixture("layer_norm")
        let epsilon = try f.float("epsilon")
        try check(f, inputs: ["input", "weight", "bias"]) { t in
            t[0].layerNorm(weight: t[1], bias: t[2], epsilon: epsilon)
        }
    }

    @Test(arguments: ["upsample_bilinear_up", "upsample_bilinear_down"])
    func bilinearResizeMatchesPyTorch(_ name: String) throws {
        let f = try ParityFixture(name)
        let size = try f.pair("size")
        try check(f, inputs: ["input"]) { t in t[0].upsampleBilinear(size: size) }
    }

    @Test func softmaxAttentionMatchesPyTorch() throws {
        let f = try ParityFixture("attention")
        let scale = try f.float("scale")
        try check(f, inputs: ["q", "k", "v", "bias"]) { t in
            (t[0].matmul(t[1].transposed()) * scale + t[3]).softmax(axis: -1).matmul(t[2])
        }
    }

    @Test func crossEntropyWithIgnoredPixelsMatchesPyTorch() throws {
        let f = try ParityFixture("cross_entropy")
        let targets = try f.tensor("targets").scalars.map { Int($0) }
        #expect(targets.contains(255) && targets.contains { $0 != 255 })
        try check(f, inputs: ["logits"]) { t in
            Loss.crossEntropy(logits: t[0], targets: targets, ignoreIndex: 255)
        }
    }

    @Test func binaryCrossEntropyWithPositiveWeightMatchesPyTorch() throws {
        let f = try ParityFixture("bce_with_logits")
        let targets = try f.tensor("targets"), positiveWeight = try f.tensor("pos_weight")
        try check(f, inputs: ["logits"]) { t in
            Loss.binaryCrossEntropyWithLogits(t[0], targets, positiveWeight: positiveWeight.item)
        }
    }
}
