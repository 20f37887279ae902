import Testing
@testable import FedBoneLayers

private final class Block: Module, UnaryLayer {
    let fc1: Linear
    let fc2: Linear
    let extra: Linear?
    let runningMean = Buffer(.zeros([2]))
    init(generator: inout SeededGenerator) {
        fc1 = Linear(3, 4, generator: &generator)
        fc2 = Linear(4, 2, bias: false, generator: &generator)
        extra = nil
    }
    func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x)) }
}

private final class Net: Module {
    let patchEmbed: Linear
    let layers: [Block]
    init(generator: inout SeededGenerator) {
        patchEmbed = Linear(3, 3, generator: &generator)
        layers = [Block(generator: &generator), Block(generator: &generator)]
    }
}

@Suite struct ModuleTests {
    @Test func parametersAreNamedLikePyTorchStateDictKeys() {
        var rng = SeededGenerator(seed: 0)
        let net = Net(generator: &rng)
        #expect(net.namedParameters().map(\.name) == [
            "patch_embed.weight", "patch_embed.bias",
            "layers.0.fc1.weight", "layers.0.fc1.bias", "layers.0.fc2.weight",
            "layers.1.fc1.weight", "layers.1.fc1.bias", "layers.1.fc2.weight",
        ])
        #expect(net.namedBuffers().map(\.name) == ["layers.0.running_mean", "layers.1.running_mean"])
        #expect(net.parameterCount == 12 + 2 * (12 + 4 + 8))
    }

    @Test func snakeCaseMatchesTimmNames() {
        #expect(snakeCase("relativePositionBiasTable") == "relative_position_bias_table")
        #expect(snakeCase("norm1") == "norm1")
        #expect(snakeCase("_qkv") == "qkv")
    }

    @Test func trainAndEvalReachEveryDescendant() {
        var rng = SeededGenerator(seed: 0)
        let net = Net(generator: &rng)
        net.eval()
        #expect(!net.layers[1].fc2.isTraining)
        net.train()
        #expect(net.layers[1].fc2.isTraining)
    }

    @Test func strictLoadRejectsMismatchAndChangesNothing() throws {
        var rng = SeededGenerator(seed: 0)
        let a = Net(generator: &rng), b = Net(generator: &rng)
        var state = a.stateDict()
        state["patch_embed.weight"] = .zeros([2, 2])
        state["bogus"] = .zeros([1])
        let before = b.layers[0].fc1.weight.value.scalars
        #expect(throws: ModuleError.self) { try b.load(stateDict: state) }
        #expect(b.layers[0].fc1.weight.value.scalars == before)
        let report = try b.load(stateDict: state, strict: false)
        #expect(report.unexpected == ["bogus"])
        #expect(report.mismatched.map(\.name) == ["patch_embed.weight"])
        #expect(b.layers[0].fc1.weight.value.scalars == a.layers[0].fc1.weight.value.scalars)
    }

    @Test func sequentialNamesLayersByIndex() {
        var rng = SeededGenerator(seed: 0)
        let seq = Sequential([Linear(2, 3, generator: &rng), Linear(3, 1, generator: &rng)])
        #expect(seq.namedParameters().map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias"])
        #expect(seq(.ones([5, 2])).shape == [5, 1])
    }
}
