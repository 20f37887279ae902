/// Rescales gradients so that their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_` (norm type 2).
///
/// The total norm `‖g‖ = √(Σ over all parameters and elements of g²)` is accumulated in
/// `Double`. When `c = maxNorm / (‖g‖ + 1e-6)` is below 1, every gradient is multiplied by `c`
/// in place; otherwise nothing changes. Parameters without a gradient are skipped. As in PyTorch
/// (`error_if_nonfinite=False`), a NaN or infinite norm is returned and not treated specially.
/// - Returns: the total norm before clipping (0 when no parameter has a gradient).
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    precondition(maxNorm.isFinite && maxNorm >= 0, "clipGradientNorm: maxNorm \(maxNorm) must be finite and ≥ 0")
    var sumOfSquares = 0.0
    for p in parameters {
        guard let grad = p.grad else { continue }
        grad.withUnsafeBufferPointer { g in
            for x in g { sumOfSquares += Double(x) * Double(x) }
        }
    }
    let norm = sumOfSquares.squareRoot()
    let coefficient = Double(maxNorm) / (norm + 1e-6)
    guard coefficient < 1 else { return Float(norm) }
    let scale = Float(coefficient)
    for p in parameters {
        guard var grad = p.grad else { continue }
        p.value.setGrad(nil)
        grad.withUnsafeMutableBufferPointer { g in
            for j in g.indices { g[j] *= scale }
        }
        p.value.setGrad(grad)
    }
    return Float(norm)
}
