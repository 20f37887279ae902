import Testing
@testable import FedBoneLayers

@Suite struct ConvLayerTests {
    @Test func conv2dHasPyTorchParameterNamesAndShapes() {
        var rng = SeededGenerator(seed: 0)
        let conv = Conv2d(6, 8, kernelSize: (3, 2), stride: (2, 1), padding: (1, 0), groups: 2, generator: &rng)
        #expect(conv.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(conv.weight.shape == [8, 3, 3, 2])
        #expect(conv.bias?.shape == [8])
        #expect(conv.inChannels == 6 && conv.outChannels == 8 && conv.kernelSize == (3, 2))
        #expect(conv(.zeros([2, 6, 7, 5])).shape == [2, 8, 4, 4])
    }

    @Test func conv2dWithoutBiasHasOnlyAWeight() {
        var rng = SeededGenerator(seed: 0)
        let conv = Conv2d(3, 4, kernelSize: 1, bias: false, generator: &rng)
        #expect(conv.namedParameters().map(\.name) == ["weight"])
        #expect(conv(.ones([1, 3, 2, 3])).shape == [1, 4, 2, 3])
    }

    @Test func conv2dInitialisationIsBoundedByTheFanIn() {
        var rng = SeededGenerator(seed: 1)
        let conv = Conv2d(8, 16, kernelSize: 3, padding: 1, dilation: 2, groups: 4, generator: &rng)
        let bound = 1 / Float(8 / 4 * 9).squareRoot()
        let weights = conv.weight.value.scalars + (conv.bias?.value.scalars ?? [])
        #expect(weights.allSatisfy { Swift.abs($0) <= bound })
        #expect(weights.contains { Swift.abs($0) > bound * 0.9 })
        #expect(conv(.zeros([1, 8, 9, 9])).shape == [1, 16, 7, 7])
    }

    @Test func convTranspose2dHasPyTorchParameterNamesAndShapes() {
        var rng = SeededGenerator(seed: 0)
        let up = ConvTranspose2d(6, 4, kernelSize: (2, 3), stride: (2, 2), padding: (0, 1), outputPadding: (1, 0),
                                 groups: 2, generator: &rng)
        #expect(up.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(up.weight.shape == [6, 2, 2, 3])
        #expect(up.bias?.shape == [4])
        #expect(up.inChannels == 6 && up.outChannels == 4)
        // (5 − 1)·2 − 0 + 1·(2 − 1) + 1 + 1 = 11 rows; (3 − 1)·2 − 2 + 1·(3 − 1) + 0 + 1 = 5 columns.
        #expect(up(.zeros([2, 6, 5, 3])).shape == [2, 4, 11, 5])
    }

    @Test func convTranspose2dInitialisationUsesTheTransposedFanIn() {
        var rng = SeededGenerator(seed: 2)
        let up = ConvTranspose2d(16, 4, kernelSize: 2, stride: 2, generator: &rng)
        let bound = 1 / Float(4 * 4).squareRoot()
        let weights = up.weight.value.scalars + (up.bias?.value.scalars ?? [])
        #expect(weights.allSatisfy { Swift.abs($0) <= bound })
        #expect(weights.contains { Swift.abs($0) > bound * 0.9 })
        #expect(up(.zeros([1, 16, 3, 5])).shape == [1, 4, 6, 10])
    }

    @Test func convLayersTrainThroughSequential() {
        var rng = SeededGenerator(seed: 3)
        let net = Sequential([Conv2d(2, 3, kernelSize: 3, stride: 2, padding: 1, generator: &rng),
                              ConvTranspose2d(3, 2, kernelSize: 2, stride: 2, generator: &rng)])
        #expect(net.namedParameters().map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias"])
        let y = net(.ones([1, 2, 6, 4]))
        #expect(y.shape == [1, 2, 6, 4])
        y.square().sum().backward()
        #expect(net.parameters().allSatisfy { $0.grad?.shape == $0.shape })
    }
}
