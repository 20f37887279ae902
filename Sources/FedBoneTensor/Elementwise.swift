import Foundation

/// Binary elementwise kernels with NumPy/PyTorch broadcasting, and their backward passes.
enum BinaryOp { case add, sub, mul, div }

extension Tensor {
    /// Applies `op` elementwise with broadcasting, without recording autograd.
    static func broadcastKernel(_ a: Tensor, _ b: Tensor, _ op: BinaryOp, opName: String) -> Tensor {
        guard let outShape = ShapeMath.broadcast(a.shape, b.shape) else {
            preconditionFailure("\(opName): shapes \(a.shape) and \(b.shape) cannot be broadcast together")
        }
        let (cShape, cStrides) = ShapeMath.coalesce(
            outShape,
            [ShapeMath.broadcastStrides(a.shape, to: outShape), ShapeMath.broadcastStrides(b.shape, to: outShape)])
        let inner = cShape.last ?? 1
        let sa = cStrides[0].last ?? 0
        let sb = cStrides[1].last ?? 0
        return Tensor(shape: outShape) { out in
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    guard let ba = pa.baseAddress, let bb = pb.baseAddress, let dst = out.baseAddress else { return }
                    if cShape.count <= 2 {
                        // One or two coalesced dimensions (same shapes, a bias over rows): split
                        // the rows, or the one long row, across cores.
                        let rows = cShape.count == 2 ? cShape[0] : 1
                        let ra = cShape.count == 2 ? cStrides[0][0] : 0, rb = cShape.count == 2 ? cStrides[1][0] : 0
                        if rows == 1 {
                            parallelChunks(inner, minimumPerChunk: Tensor.pointwiseChunk) { r in
                                let x = ba + r.lowerBound * sa, y = bb + r.lowerBound * sb, z = dst + r.lowerBound
                                binaryOpLoop(op, x, sa, y, sb, z, r.count)
                            }
                        } else {
                            parallelChunks(rows, minimumPerChunk: Swift.max(1, Tensor.pointwiseChunk / Swift.max(inner, 1))) { range in
                                for row in range {
                                    binaryOpLoop(op, ba + row * ra, sa, bb + row * rb, sb, dst + row * inner, inner)
                                }
                            }
                        }
                        return
                    }
                    var o = 0
                    forEachRow(shape: cShape, strides: cStrides) { offsets in
                        let x = ba + offsets[0], y = bb + offsets[1], z = dst + o
                        switch op {
                        case .add: binaryLoop(x, sa, y, sb, z, inner) { $0 + $1 }
                        case .sub: binaryLoop(x, sa, y, sb, z, inner) { $0 - $1 }
                        case .mul: binaryLoop(x, sa, y, sb, z, inner) { $0 * $1 }
                        case .div: binaryLoop(x, sa, y, sb, z, inner) { $0 / $1 }
                        }
                        o += inner
                    }
                }
            }
        }
    }

    /// Same-shape addition without autograd (gradient accumulation).
    func adding(_ other: Tensor) -> Tensor {
        precondition(shape == other.shape, "internal: adding \(other.shape) to \(shape)")
        return Tensor.broadcastKernel(self, other, .add, opName: "add")
    }

    /// Sums a broadcast gradient back down to `target`, the shape of the input it came from.
    func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return sumKernel(axes: axes).reshapedUnchecked(target)
    }

    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp, name: String) -> Tensor {
        let out = broadcastKernel(a, b, op, opName: name)
        return record(out, inputs: [a, b]) { g in
            let ga: Tensor?, gb: Tensor?
            switch op {
            case .add:
                ga = a.requiresGrad ? g.sumToShape(a.shape) : nil
                gb = b.requiresGrad ? g.sumToShape(b.shape) : nil
            case .sub:
                ga = a.requiresGrad ? g.sumToShape(a.shape) : nil
                gb = b.requiresGrad ? g.negated().sumToShape(b.shape) : nil
            case .mul:
                ga = a.requiresGrad ? broadcastKernel(g, b, .mul, opName: name).sumToShape(a.shape) : nil
                gb = b.requiresGrad ? broadcastKernel(g, a, .mul, opName: name).sumToShape(b.shape) : nil
            case .div:
                ga = a.requiresGrad ? broadcastKernel(g, b, .div, opName: name).sumToShape(a.shape) : nil
                gb = b.requiresGrad
                    ? broadcastKernel(broadcastKernel(g, out, .mul, opName: name), b, .div, opName: name)
                        .negated().sumToShape(b.shape)
                    : nil
            }
            return [ga, gb]
        }
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .add, name: "add") }
    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .sub, name: "sub") }
    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .mul, name: "mul") }
    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .div, name: "div") }

    /// Adds a constant to every element.
    public static func + (a: Tensor, s: Float) -> Tensor {
        let out = a.mapKernel { $0 + s }
        return record(out, inputs: [a]) { g in [g] }
    }
    /// Subtracts a constant from every element.
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    /// Multiplies every element by a constant.
    public static func * (a: Tensor, s: Float) -> Tensor {
        let out = a.mapKernel { $0 * s }
        return record(out, inputs: [a]) { g in [g.mapKernel { $0 * s }] }
    }
    /// Multiplies every element by a constant.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    /// Adds every element to a constant.
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    /// Subtracts every element from a constant.
    public static func - (s: Float, a: Tensor) -> Tensor { (-a) + s }
    /// Divides every element by a constant.
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    /// Negates every element.
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    /// Negation without autograd.
    func negated() -> Tensor { mapKernel { -$0 } }
}

/// One row of `op`: `z[i] = x[i·sx] op y[i·sy]`.
@inline(__always)
func binaryOpLoop(_ op: BinaryOp, _ x: UnsafePointer<Float>, _ sx: Int, _ y: UnsafePointer<Float>, _ sy: Int,
                  _ z: UnsafeMutablePointer<Float>, _ n: Int) {
    switch op {
    case .add: binaryLoop(x, sx, y, sy, z, n) { $0 + $1 }
    case .sub: binaryLoop(x, sx, y, sy, z, n) { $0 - $1 }
    case .mul: binaryLoop(x, sx, y, sy, z, n) { $0 * $1 }
    case .div: binaryLoop(x, sx, y, sy, z, n) { $0 / $1 }
    }
}

/// The inner loop of a binary kernel for each combination of unit and zero strides.
@inline(__always)
func binaryLoop(_ x: UnsafePointer<Float>, _ sx: Int, _ y: UnsafePointer<Float>, _ sy: Int,
                _ z: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Float, Float) -> Float) {
    if sx == 1 && sy == 1 {
        for i in 0..<n { z[i] = f(x[i], y[i]) }
    } else if sx == 1 && sy == 0 {
        let v = y.pointee
        for i in 0..<n { z[i] = f(x[i], v) }
    } else if sx == 0 && sy == 1 {
        let v = x.pointee
        for i in 0..<n { z[i] = f(v, y[i]) }
    } else {
        for i in 0..<n { z[i] = f(x[i * sx], y[i * sy]) }
    }
}
