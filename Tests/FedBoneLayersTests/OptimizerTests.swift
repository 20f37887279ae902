import Testing
import FedBoneLayers

/// Five steps on ``LeastSquaresProblem`` against `torch.optim`. The expected numbers are printed
/// by `python3 tools/optimizer_reference.py` (torch 2.13, the `trajectory(...)` calls); the
/// comment on each test names its line of output.
@Suite struct OptimizerTests {
    private func expectTrajectory(_ problem: LeastSquaresProblem, _ optimizer: any Optimizer,
                                  losses: [Float], weight: [Float], bias: [Float]) {
        let got = problem.train(optimizer, steps: 5)
        #expect(close(got, losses), "losses \(got)")
        #expect(close(problem.weight.value.scalars, weight), "weight \(problem.weight.value.scalars)")
        #expect(close(problem.bias.value.scalars, bias), "bias \(problem.bias.value.scalars)")
        #expect(problem.unused.value.scalars == [1, -2])
        #expect(optimizer.stepCount == 5)
    }

    @Test func plainSGDMatchesTorch() throws {
        // "sgd plain": torch.optim.SGD(lr=0.1)
        let problem = try LeastSquaresProblem()
        expectTrajectory(problem, SGD(problem.named, learningRate: 0.1),
                         losses: [1.60313761, 0.851834357, 0.50251174, 0.336892605, 0.256014407],
                         weight: [0.50081563, -0.266105145, 0.240197793, -0.217268109, -0.0924884677, -0.0697056949],
                         bias: [0.132023901, 0.0175340455])
    }

    @Test func sgdWithMomentumDampeningAndWeightDecayMatchesTorch() throws {
        // "sgd momentum": torch.optim.SGD(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)
        let problem = try LeastSquaresProblem()
        expectTrajectory(problem, SGD(problem.named, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01),
                         losses: [1.60313761, 0.8504287, 0.25617221, 0.310687512, 0.747688055],
                         weight: [0.495759606, -0.219154418, 0.294831812, -0.561501324, -0.605195999, 0.525152326],
                         bias: [0.24212499, 0.198931083])
    }

    @Test func nesterovSGDMatchesTorch() throws {
        // "sgd nesterov": torch.optim.SGD(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05)
        let problem = try LeastSquaresProblem()
        expectTrajectory(problem, SGD(problem.named, learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.05),
                         losses: [1.60313761, 0.875779033, 0.373527259, 0.195641294, 0.236988217],
                         weight: [0.484824508, -0.23600179, 0.261466116, -0.398134112, -0.372763962, 0.251916707],
                         bias: [0.183305666, 0.102877416])
    }

    @Test func adamMatchesTorch() throws {
        // "adam": torch.optim.Adam(lr=0.05, betas=(0.9, 0.999), eps=1e-8)
        let problem = try LeastSquaresProblem()
        expectTrajectory(problem, Adam(problem.named, learningRate: 0.05),
                         losses: [1.60313761, 1.33885622, 1.10440624, 0.90393573, 0.734096289],
                         weight: [0.461759329, -0.133466557, 0.405289829, -0.145759761, 0.15298523, -0.353472054],
                         bias: [0.235769883, 0.141222641])
    }

    @Test func adamWithCoupledWeightDecayMatchesTorch() throws {
        // "adam weight decay": torch.optim.Adam(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)
        let problem = try LeastSquaresProblem()
        expectTrajectory(problem, Adam(problem.named, learningRate: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1),
                         losses: [1.60313761, 1.33879399, 1.10631526, 0.906967998, 0.737440109],
                         weight: [0.460274667, -0.131951049, 0.37371099, -0.14276728, 0.155121744, -0.355751663],
                         bias: [0.215702489, 0.134752065])
    }

    @Test func adamWMatchesTorch() throws {
        // "adamw": torch.optim.AdamW(lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
        let problem = try LeastSquaresProblem()
        expectTrajectory(problem, AdamW(problem.named, learningRate: 0.05, weightDecay: 0.1),
                         losses: [1.60313761, 1.32937551, 1.0886637, 0.884606719, 0.713017642],
                         weight: [0.460689634, -0.135716051, 0.401151866, -0.145625696, 0.145752385, -0.34128949],
                         bias: [0.233894706, 0.141114891])
    }

    @Test func parametersWithoutGradientsGetNoState() throws {
        let problem = try LeastSquaresProblem()
        let sgd = SGD(problem.named, learningRate: 0.1, momentum: 0.9)
        let adam = Adam(problem.named)
        problem.backward()
        sgd.step()
        adam.step()
        #expect(Set(sgd.stateDict().keys) == ["step", "fc.weight.momentum_buffer", "fc.bias.momentum_buffer"])
        #expect(Set(adam.stateDict().keys) == ["step", "fc.weight.exp_avg", "fc.weight.exp_avg_sq", "fc.weight.step",
                                               "fc.bias.exp_avg", "fc.bias.exp_avg_sq", "fc.bias.step"])
    }

    @Test func zeroGradForgetsEveryGradient() throws {
        let problem = try LeastSquaresProblem()
        let sgd = SGD(problem.named, learningRate: 0.1)
        problem.backward()
        #expect(problem.weight.grad != nil)
        sgd.zeroGrad()
        #expect(problem.weight.grad == nil && problem.bias.grad == nil)
    }

    @Test func learningRateChangesTakeEffectAtTheNextStep() throws {
        let problem = try LeastSquaresProblem()
        let sgd = SGD(problem.named, learningRate: 0.1)
        sgd.learningRate = 0
        problem.backward()
        sgd.step()
        #expect(problem.weight.value.scalars == [0.5, -0.3, 0.2, 0.1, 0.4, -0.6])
        #expect(sgd.hyperparameters.learningRate == 0)
    }
}
