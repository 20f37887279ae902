import Testing
@testable import FedBoneTensor

@Suite struct AutogradTests {
    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let x = Tensor.ones([2, 3]).requiringGrad()
        (x * 3).sum().backward()
        (x * 2).sum().backward()
        #expect(x.grad?.scalars == [Float](repeating: 5, count: 6))
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test func sharedSubexpressionSumsBothPaths() {
        let x = try! Tensor(shape: [2], scalars: [1, 2]).requiringGrad()
        let y = x * x
        (y + y * 3).sum().backward()
        // d/dx (4 x²) = 8x
        #expect(x.grad?.scalars == [8, 16])
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Tensor.ones([3]).requiringGrad()
        let y = withoutGrad { x * 2 }
        #expect(!y.requiresGrad)
        #expect((x * 2).requiresGrad)
    }

    @Test func seededBackwardMatchesSplitTraining() {
        var rng = SeededGenerator(seed: 1)
        let w = Tensor.randn([4, 3], generator: &rng).requiringGrad()
        let x = Tensor.randn([5, 4], generator: &rng)
        // Whole graph.
        x.matmul(w).square().sum().backward()
        let whole = w.grad!
        w.zeroGrad()
        // Split at the features: the "client" computes the feature gradient, the "server" seeds it.
        let features = x.matmul(w)
        let cut = features.detached().requiringGrad()
        cut.square().sum().backward()
        features.backward(cut.grad!)
        #expect(zip(whole.scalars, w.grad!.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func badScalarCountIsAClearError() {
        #expect(throws: TensorError.countMismatch(shape: [2, 2], count: 3)) {
            try Tensor(shape: [2, 2], scalars: [1, 2, 3])
        }
    }
}
