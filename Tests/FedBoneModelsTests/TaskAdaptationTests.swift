import Testing
import FedBoneModels
import FedBoneTensor

/// The task adaptation module keeps its parameter names, and switched off it is its linear
/// reduction alone (the ablation `fedbone-noadapt`).
@Suite struct TaskAdaptationTests {
    @Test func switchedOffOnlyTheLinearReductionIsLeft() throws {
        var g1 = SeededGenerator(seed: 3), g2 = SeededGenerator(seed: 3)
        let full = TaskAdaptation(featureDim: 12, configuration: AdaptationConfiguration(width: 8, heads: 2), generator: &g1)
        let off = TaskAdaptation(featureDim: 12, configuration: AdaptationConfiguration(width: 8, heads: 2, enabled: false), generator: &g2)
        let names = full.namedParameters().map(\.name)
        #expect(names.contains("pointwise.weight") && names.contains("deform.weight") && names.contains("attn.qkv.weight")
                && names.contains("proj.bias") && names.contains("norm.weight"))
        #expect(off.namedParameters().map(\.name) == ["reduce.weight", "reduce.bias"])
        let features = Tensor.randn([2, 3, 3, 12], generator: &g1)
        let out = off(features)
        #expect(out.shape == [2, 3, 3, 8] && out.scalars == off.reduce(features).scalars)
        #expect(full(features).shape == [2, 3, 3, 8])
    }
}
