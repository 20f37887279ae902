import Testing
@testable import FedBoneTensor

@Suite struct RandomTests {
    @Test func sameSeedSameStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        #expect(Tensor.randn([100], generator: &a).scalars == Tensor.randn([100], generator: &b).scalars)
        var c = SeededGenerator(seed: 43)
        #expect(Tensor.randn([4], generator: &a).scalars != Tensor.randn([4], generator: &c).scalars)
    }

    @Test func streamIsPinned() {
        // The first outputs for seed 0 are those of the reference xoshiro256** seeded through
        // SplitMix64 (Vigna), and are fixed forever: checkpoints and fixtures depend on them.
        var g = SeededGenerator(seed: 0)
        let words = (0..<3).map { _ in g.next() }
        #expect(words == Self.pinnedWords)
    }

    static let pinnedWords: [UInt64] = [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0]

    @Test func savedStateResumesTheStream() {
        var g = SeededGenerator(seed: 5)
        _ = g.next()
        var restored = SeededGenerator(state: g.stateWords)
        #expect(g.next() == restored.next())
    }

    @Test func distributionsHaveTheirMoments() {
        var g = SeededGenerator(seed: 1)
        let n = Tensor.randn([20000], mean: 1, std: 2, generator: &g)
        let mean = n.mean().item
        let variance = (n - mean).square().mean().item
        #expect(abs(mean - 1) < 0.05 && abs(variance - 4) < 0.15)
        let u = Tensor.uniform([20000], low: -1, high: 3, generator: &g)
        #expect(u.scalars.allSatisfy { $0 >= -1 && $0 < 3 })
        #expect(abs(u.mean().item - 1) < 0.05)
        let t = Tensor.truncatedNormal([20000], std: 1, a: -0.5, b: 0.5, generator: &g)
        #expect(t.scalars.allSatisfy { $0 >= -0.5 && $0 <= 0.5 })
    }
}
