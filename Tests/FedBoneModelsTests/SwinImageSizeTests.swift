import Testing
import FedBoneModels

/// One general model serves clients with images of different sizes: a model built for one
/// size runs another exactly as a model built for that size (same weights, where the windows
/// agree), pads grids smaller than its windows, and refuses what it cannot take.
@Suite struct SwinImageSizeTests {
    static let general = SwinConfiguration(embedDim: 8, depths: [2, 2], numHeads: [1, 2], windowSize: 4, mlpRatio: 2)

    private func embeddings(_ grid: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.randn([2, grid, grid, Self.general.embedDim], generator: &rng)
    }

    @Test func aModelBuiltForOneSizeRunsAnotherAsAModelBuiltForIt() throws {
        // 32×32 and 48×48 images (grids 8 and 12, then 4 and 6): the windows are 4 everywhere,
        // so both models have the same parameters, and shifts follow the input.
        let reference = try SwinTransformer(Self.general, imageSize: (32, 32), seed: 5)
        let native = try SwinTransformer(Self.general, imageSize: (48, 48), seed: 6)
        _ = try native.load(stateDict: reference.stateDict())
        let x = embeddings(12, seed: 1)
        let served = reference(x), built = native(x)
        #expect(served.shape == [2, 6, 6, 16])
        #expect(served.shape == built.shape)
        #expect(zip(served.scalars, built.scalars).allSatisfy { abs($0 - $1) <= 1e-5 })
        #expect(reference.featureShape(embeddingShape: [12, 12, 8]) == [6, 6, 16])
        #expect(reference.featureShape(embeddingShape: [7, 5, 8]) == [4, 3, 16])
    }

    @Test func gradientsFlowAtAnotherSizeAsAtTheBuiltOne() throws {
        let reference = try SwinTransformer(Self.general, imageSize: (32, 32), seed: 5)
        let native = try SwinTransformer(Self.general, imageSize: (48, 48), seed: 6)
        _ = try native.load(stateDict: reference.stateDict())
        let x = embeddings(12, seed: 2)
        let a = x.requiringGrad(), b = x.requiringGrad()
        reference(a).square().sum().backward()
        native(b).square().sum().backward()
        let ga = try #require(a.grad), gb = try #require(b.grad)
        #expect(zip(ga.scalars, gb.scalars).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
        let pa = Dictionary(uniqueKeysWithValues: reference.namedParameters().map { ($0.name, $0.parameter.grad) })
        for (name, p) in native.namedParameters() {
            let expected = try #require(p.grad), got = try #require(pa[name] ?? nil)
            #expect(zip(got.scalars, expected.scalars).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }, "\(name)")
        }
    }

    @Test func gridsSmallerThanTheWindowAndOddGridsArePadded() throws {
        let model = try SwinTransformer(Self.general, imageSize: (32, 32), seed: 5)
        for grid in [1, 3, 5, 9] {
            let y = model(embeddings(grid, seed: UInt64(grid)))
            #expect(y.shape == [2, (grid + 1) / 2, (grid + 1) / 2, 16])
            #expect(y.scalars.allSatisfy { $0.isFinite })
        }
        // The reference size still gives what it gave before another size ran.
        let x = embeddings(8, seed: 7)
        let before = model(x)
        _ = model(embeddings(12, seed: 8))
        #expect(model(x).scalars == before.scalars)
    }

    @Test func shapesItCannotServeAreRefusedWithWhatItTakes() throws {
        let model = try SwinTransformer(Self.general, imageSize: (32, 32), seed: 5)
        #expect(try model.embeddingShape(imageSize: (48, 40)) == [12, 10, 8])
        #expect(throws: ModelError.self) { try model.embeddingShape(imageSize: (30, 32)) }
        #expect(throws: ModelError.self) { try model.embeddingShape(imageSize: (2, 2)) }
        #expect(throws: ModelError.self) { try model.validate(embeddingShape: [12, 12, 16]) }
        #expect(throws: ModelError.self) { try model.validate(embeddingShape: [0, 12, 8]) }
        #expect(throws: ModelError.self) { try model.validate(embeddingShape: [12, 8]) }
        try model.validate(embeddingShape: [3, 17, 8])
        do {
            try model.validate(embeddings: Tensor.zeros([1, 4, 4, 6]))
            Issue.record("six channels passed")
        } catch {
            #expect("\(error)".contains("8 channels"))
        }
    }
}
