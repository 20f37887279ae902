import Testing
@testable import FedBoneTensor

/// The segmented ops behind batched server passes (``BatchSegments``): linear, layer norm and
/// attention over consecutive row segments, each segment with its own parameter leaves.
/// Gradients against finite differences (distinct parameters per segment), and the shared
/// parameter case against separate passes over each segment: to float tolerance where one GEMM
/// covers all the segments' rows (a taller matrix may be summed in another order: OpenBLAS's
/// Haswell kernels do), bit for bit where each segment's products run alone (attention).
@Suite struct SegmentedGradientTests {
    private func randn(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.randn(shape, std: std, generator: &rng)
    }

    private func close(_ a: [Float]?, _ b: [Float]?) -> Bool {
        guard let a, let b, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }
    }

    @Test func segmentedLinearGradientsMatchFiniteDifferences() {
        let x = randn([5, 2, 3], seed: 1).requiringGrad()
        let weights = (0..<2).map { randn([4, 3], seed: 10 + UInt64($0)).requiringGrad() }
        let biases = (0..<2).map { randn([4], seed: 20 + UInt64($0)).requiringGrad() }
        let r = checkGradients([x] + weights + biases) { t in
            t[0].linear(segmentWeights: [t[1], t[2]], segmentBiases: [t[3], t[4]], rowCounts: [4, 6])
        }
        #expect(r.passed, "\(r)")
    }

    @Test func segmentedLayerNormGradientsMatchFiniteDifferences() {
        let x = randn([7, 5], seed: 2).requiringGrad()
        let weights = (0..<3).map { randn([5], seed: 30 + UInt64($0)).requiringGrad() }
        let biases = (0..<3).map { randn([5], seed: 40 + UInt64($0)).requiringGrad() }
        let r = checkGradients([x] + weights + biases) { t in
            t[0].layerNorm(segmentWeights: [t[1], t[2], t[3]], segmentBiases: [t[4], t[5], t[6]], rowCounts: [2, 4, 1])
        }
        #expect(r.passed, "\(r)")
    }

    @Test func segmentedAttentionBiasGradientsMatchFiniteDifferences() {
        let qkv = randn([6, 4, 12], seed: 3).requiringGrad()
        let biases = (0..<2).map { randn([2, 4, 4], seed: 50 + UInt64($0)).requiringGrad() }
        let mask = Tensor(uncheckedShape: [2, 4, 4], scalars: (0..<32).map { $0 % 5 == 2 ? -100 : 0 })
        let r = checkGradients([qkv] + biases) { t in
            t[0].attention(heads: 2, scale: 0.5, segmentBiases: [t[1], t[2]], batchCounts: [2, 4], mask: mask)
        }
        #expect(r.passed, "\(r)")
    }

    /// The batched pass with one shared parameter value gives each segment what a pass over
    /// that segment alone gives: outputs, input gradients and parameter gradients.
    @Test func sharedParametersGiveEachSegmentItsOwnPass() {
        let counts = [2, 3, 1]
        let rows = counts.map { $0 * 4 }
        let x = randn([6, 4, 8], seed: 4)
        let seed = randn([6, 4, 8], seed: 5)
        let weight = randn([8, 8], seed: 6).requiringGrad(), bias = randn([8], seed: 7).requiringGrad()
        let gamma = randn([8], seed: 8).requiringGrad(), beta = randn([8], seed: 9).requiringGrad()
        func body(_ input: Tensor, _ w: [Tensor], _ b: [Tensor], _ g: [Tensor], _ e: [Tensor], _ r: [Int]) -> Tensor {
            input.layerNorm(segmentWeights: g, segmentBiases: e, rowCounts: r).linear(segmentWeights: w, segmentBiases: b, rowCounts: r)
        }
        let segments = BatchSegments(counts: counts)
        let leaves = [weight, bias, gamma, beta].map(segments.leaves(of:))
        let input = x.requiringGrad()
        let batched = body(input, leaves[0], leaves[1], leaves[2], leaves[3], rows)
        batched.backward(seed)
        var start = 0
        for (k, count) in counts.enumerated() {
            let alone = x.slice(axis: 0, start..<(start + count)).requiringGrad()
            let own = [weight, bias, gamma, beta].map { $0.detached().requiringGrad() }
            let out = body(alone, [own[0]], [own[1]], [own[2]], [own[3]], [count * 4])
            out.backward(seed.slice(axis: 0, start..<(start + count)))
            #expect(close(out.scalars, batched.slice(axis: 0, start..<(start + count)).scalars), "segment \(k): output")
            #expect(close(alone.grad?.scalars, input.grad?.slice(axis: 0, start..<(start + count)).scalars), "segment \(k): input gradient")
            for (p, parameter) in [weight, bias, gamma, beta].enumerated() {
                #expect(close(own[p].grad?.scalars, segments.gradient(of: parameter, segment: k)?.scalars), "segment \(k): parameter \(p)")
            }
            start += count
        }
        #expect(weight.grad == nil && gamma.grad == nil, "the shared parameters themselves receive no gradient")
    }

    @Test func sharedAttentionBiasGivesEachSegmentItsOwnPassBitForBit() {
        let counts = [4, 2]
        let qkv = randn([6, 5, 12], seed: 11)
        let seed = randn([6, 5, 4], seed: 12)
        let bias = randn([2, 5, 5], seed: 13).requiringGrad()
        let mask = Tensor(uncheckedShape: [2, 5, 5], scalars: (0..<50).map { $0 % 3 == 1 ? -100 : 0 })
        let segments = BatchSegments(counts: [2, 1])
        let leaves = segments.leaves(of: bias)
        let input = qkv.requiringGrad()
        let batched = input.attention(heads: 2, scale: 0.4, segmentBiases: leaves, batchCounts: segments.rowCounts(rows: 6), mask: mask)
        batched.backward(seed)
        var start = 0
        for (k, count) in counts.enumerated() {
            let alone = qkv.slice(axis: 0, start..<(start + count)).requiringGrad()
            let own = bias.detached().requiringGrad()
            let out = alone.attention(heads: 2, scale: 0.4, bias: own, mask: mask)
            out.backward(seed.slice(axis: 0, start..<(start + count)))
            #expect(out.scalars == batched.slice(axis: 0, start..<(start + count)).scalars)
            #expect(alone.grad?.scalars == input.grad?.slice(axis: 0, start..<(start + count)).scalars)
            #expect(own.grad?.scalars == segments.gradient(of: bias, segment: k)?.scalars)
            start += count
        }
    }

    @Test func segmentedDropPathDrawsEachSegmentFromItsOwnGenerator() {
        let x = randn([5, 3], seed: 14)
        var generators = [SeededGenerator(seed: 1), SeededGenerator(seed: 2)]
        let together = x.dropPath(probability: 0.5, generators: &generators, counts: [2, 3])
        var first = SeededGenerator(seed: 1), second = SeededGenerator(seed: 2)
        let a = x.slice(axis: 0, 0..<2).dropPath(probability: 0.5, generator: &first)
        let b = x.slice(axis: 0, 2..<5).dropPath(probability: 0.5, generator: &second)
        #expect(together.scalars == a.scalars + b.scalars)
        #expect(generators[0].next() == first.next() && generators[1].next() == second.next())
    }

    @Test func segmentsSplitRowsBatchMajorAndKeepOneLeafPerParameter() {
        let segments = BatchSegments(counts: [1, 3])
        #expect(segments.total == 4)
        #expect(segments.rowCounts(rows: 8) == [2, 6])
        let parameter = Tensor.zeros([3]).requiringGrad()
        let first = segments.leaves(of: parameter), again = segments.leaves(of: parameter)
        #expect(first.count == 2 && first[0].isSameVariable(as: again[0]) && !first[0].isSameVariable(as: first[1]))
        #expect(segments.gradient(of: parameter, segment: 1) == nil)
        #expect(BatchSegments.current == nil)
        segments.run { #expect(BatchSegments.current === segments) }
    }
}
