import Testing
import FedBoneLayers

@Suite struct GradientClippingTests {
    @Test func clippingMatchesTorchClipGradNorm() throws {
        // "clip_grad_norm_ max_norm=0.5" in `python3 tools/optimizer_reference.py` (torch 2.13).
        let problem = try LeastSquaresProblem()
        problem.backward()
        let norm = clipGradientNorm([problem.weight, problem.bias, problem.unused], maxNorm: 0.5)
        #expect(Swift.abs(norm - 2.99102044) <= 1e-5)
        #expect(close(problem.weight.grad?.scalars ?? [],
                      [-0.00154628989, -0.0155047355, -0.0161316171, 0.197883919, 0.324095011, -0.320542693], tolerance: 1e-6))
        #expect(close(problem.bias.grad?.scalars ?? [], [-0.0359409042, -0.0355229825], tolerance: 1e-6))
        #expect(problem.unused.grad == nil)
        let after = clipGradientNorm([problem.weight, problem.bias], maxNorm: 0.5)
        #expect(Swift.abs(after - 0.5) <= 1e-5)
    }

    @Test func smallGradientsAreLeftAlone() throws {
        let problem = try LeastSquaresProblem()
        problem.backward()
        let before = problem.weight.grad?.scalars
        let norm = clipGradientNorm([problem.weight, problem.bias], maxNorm: 10)
        #expect(norm > 2.99 && norm < 3)
        #expect(problem.weight.grad?.scalars == before)
    }

    @Test func noGradientsGiveZeroNorm() throws {
        let problem = try LeastSquaresProblem()
        #expect(clipGradientNorm([problem.weight], maxNorm: 1) == 0)
    }
}
