import FedBoneKernels
import Foundation

/// Pointwise activations (GELU, ReLU, sigmoid, tanh) with their derivatives, as PyTorch's.
extension Tensor {
    /// Elements per chunk below which pointwise kernels stay on the calling thread.
    static let pointwiseChunk = 32_768

    /// Applies `f` to every element, split across cores for large tensors, without autograd.
    func parallelMapKernel(_ f: (Float) -> Float) -> Tensor {
        Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { src in
                parallelChunks(src.count, minimumPerChunk: Tensor.pointwiseChunk) { range in
                    for i in range { out[i] = f(src[i]) }
                }
            }
        }
    }

    /// Combines two same-shape tensors elementwise, split across cores, without autograd.
    func parallelZipKernel(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "internal: zip of \(shape) and \(other.shape)")
        return Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    parallelChunks(a.count, minimumPerChunk: Tensor.pointwiseChunk) { range in
                        for i in range { out[i] = f(a[i], b[i]) }
                    }
                }
            }
        }
    }

    // x: [...] → y: [...] (same shape for every activation below)

    /// GELU in its exact form, as PyTorch's default `nn.GELU()`:
    /// `y = x · Φ(x) = ½ · x · (1 + erf(x / √2))`.
    /// Derivative: `Φ(x) + x · φ(x)`, with `φ(x) = exp(−x²/2) / √(2π)`.
    /// Runs the AVX-512 (or portable) kernels of `FedBoneKernels`, whose `erf` and `exp` are
    /// polynomial approximations (absolute error of `y` below 10⁻⁶·|x|).
    public func gelu() -> Tensor {
        FlopCounter.add(multiplyAdds: count)
        let out = Tensor(shape: shape) { y in
            scalars.withUnsafeBufferPointer { x in
                parallelChunks(x.count, minimumPerChunk: Tensor.pointwiseChunk) { range in
                    fb_gelu_forward(x.baseAddress! + range.lowerBound, y.baseAddress! + range.lowerBound, range.count)
                }
            }
        }
        return Tensor.record(out, inputs: [self]) { [self] g in
            [Tensor(shape: shape) { dx in
                g.scalars.withUnsafeBufferPointer { pg in scalars.withUnsafeBufferPointer { x in
                    parallelChunks(x.count, minimumPerChunk: Tensor.pointwiseChunk) { range in
                        let lo = range.lowerBound
                        fb_gelu_backward(x.baseAddress! + lo, pg.baseAddress! + lo, dx.baseAddress! + lo, range.count)
                    }
                } }
            }]
        }
    }

    /// Rectified linear unit `y = max(x, 0)`. The gradient passes where `x > 0` (0 at 0, as PyTorch).
    public func relu() -> Tensor {
        FlopCounter.add(multiplyAdds: count)
        let out = parallelMapKernel { Swift.max($0, 0) }
        return Tensor.record(out, inputs: [self]) { g in
            [g.parallelZipKernel(out) { g, y in y > 0 ? g : 0 }]
        }
    }

    /// Logistic sigmoid `y = 1 / (1 + e⁻ˣ)`, evaluated without overflow for large |x|
    /// (`eˣ / (1 + eˣ)` for negative x). Derivative: `y · (1 − y)`.
    public func sigmoid() -> Tensor {
        FlopCounter.add(multiplyAdds: count)
        let out = parallelMapKernel(stableSigmoid)
        return Tensor.record(out, inputs: [self]) { g in
            [g.parallelZipKernel(out) { g, y in g * y * (1 - y) }]
        }
    }

    /// Hyperbolic tangent. Derivative: `1 − y²`.
    public func tanh() -> Tensor {
        FlopCounter.add(multiplyAdds: count)
        let out = parallelMapKernel { Foundation.tanh($0) }
        return Tensor.record(out, inputs: [self]) { g in
            [g.parallelZipKernel(out) { g, y in g * (1 - y * y) }]
        }
    }
}

/// `1 / (1 + e⁻ˣ)` without overflow: the exponential is always of a non-positive number.
@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}
