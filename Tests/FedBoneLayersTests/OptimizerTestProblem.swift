import FedBoneLayers

/// The least-squares problem of `tools/optimizer_reference.py` (W0, B0, UNUSED0, X, Y there):
/// loss = mean((x·wᵀ + b − y)²) over a [4, 3] input and [4, 2] target. `unused` never gets a
/// gradient, so optimizers must leave it alone.
final class LeastSquaresProblem {
    let weight: Parameter
    let bias: Parameter
    let unused: Parameter
    private let x: Tensor
    private let y: Tensor

    init() throws {
        weight = Parameter(try Tensor(shape: [2, 3], scalars: [0.5, -0.3, 0.2, 0.1, 0.4, -0.6]))
        bias = Parameter(try Tensor(shape: [2], scalars: [0.05, -0.1]))
        unused = Parameter(try Tensor(shape: [2], scalars: [1, -2]))
        x = try Tensor(shape: [4, 3], scalars: [1, 2, -1, 0.5, -1.5, 2, -2, 0.3, 0.7, 1.2, 1.1, -0.4])
        y = try Tensor(shape: [4, 2], scalars: [0.3, -1, 1.5, 0.2, -0.7, 0.9, 0, 0.4])
    }

    /// The parameters with state-dict names.
    var named: [(name: String, parameter: Parameter)] {
        [("fc.weight", weight), ("fc.bias", bias), ("unused", unused)]
    }

    /// Zeroes the gradients, computes the loss and back-propagates it.
    @discardableResult
    func backward() -> Float {
        for p in [weight, bias, unused] { p.zeroGrad() }
        let loss = (x.linear(weight: weight.value, bias: bias.value) - y).square().mean()
        loss.backward()
        return loss.item
    }

    /// Runs `steps` optimizer steps and returns the loss before each.
    func train(_ optimizer: any Optimizer, steps: Int) -> [Float] {
        (0..<steps).map { _ in
            let loss = backward()
            optimizer.step()
            return loss
        }
    }
}

/// Whether two float sequences agree elementwise within `tolerance`.
func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}
