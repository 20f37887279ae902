import Foundation

/// Unary elementwise maths with their derivatives.
extension Tensor {
    /// Applies `f` to every element, without autograd.
    @inline(__always)
    func mapKernel(_ f: (Float) -> Float) -> Tensor {
        Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { src in
                for i in 0..<src.count { out[i] = f(src[i]) }
            }
        }
    }

    /// Combines two same-shape tensors elementwise, without autograd.
    @inline(__always)
    func zipKernel(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "internal: zip of \(shape) and \(other.shape)")
        return Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { out[i] = f(a[i], b[i]) }
                }
            }
        }
    }

    /// Elementwise eˣ.
    public func exp() -> Tensor {
        let out = mapKernel { Foundation.exp($0) }
        return Tensor.record(out, inputs: [self]) { g in [g.zipKernel(out, *)] }
    }

    /// Elementwise natural logarithm.
    public func log() -> Tensor {
        let out = mapKernel { Foundation.log($0) }
        return Tensor.record(out, inputs: [self]) { [self] g in [g.zipKernel(self, /)] }
    }

    /// Elementwise square root.
    public func sqrt() -> Tensor {
        let out = mapKernel { $0.squareRoot() }
        return Tensor.record(out, inputs: [self]) { g in [g.zipKernel(out) { $0 * 0.5 / $1 }] }
    }

    /// Elementwise x².
    public func square() -> Tensor {
        let out = mapKernel { $0 * $0 }
        return Tensor.record(out, inputs: [self]) { [self] g in [g.zipKernel(self) { 2 * $0 * $1 }] }
    }

    /// Elementwise |x| (gradient 0 at 0).
    public func abs() -> Tensor {
        let out = mapKernel { Swift.abs($0) }
        return Tensor.record(out, inputs: [self]) { [self] g in
            [g.zipKernel(self) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }]
        }
    }

    /// Elementwise xᵖ for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let out = mapKernel { Foundation.pow($0, p) }
        return Tensor.record(out, inputs: [self]) { [self] g in
            [g.zipKernel(self) { $0 * p * Foundation.pow($1, p - 1) }]
        }
    }

    /// Elementwise clamp to `[lower, upper]`; the gradient passes where the input is inside.
    public func clamped(min lower: Float, max upper: Float) -> Tensor {
        let out = mapKernel { Swift.min(Swift.max($0, lower), upper) }
        return Tensor.record(out, inputs: [self]) { [self] g in
            [g.zipKernel(self) { $1 >= lower && $1 <= upper ? $0 : 0 }]
        }
    }
}
