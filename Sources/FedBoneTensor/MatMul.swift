/// Matrix products through BLAS: `matmul` (with batch broadcasting) and `linear`.
extension Tensor {
    /// Matrix product over the last two dimensions: `[..., M, K] × [..., K, N] → [..., M, N]`.
    /// Leading (batch) dimensions broadcast. A rank-2 right operand is shared by every batch
    /// and the product runs as one GEMM.
    public func matmul(_ other: Tensor) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: operands need rank ≥ 2, got \(a.shape) and \(b.shape)")
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        precondition(k == k2, "matmul: inner dimensions differ: \(a.shape) × \(b.shape)")
        if b.rank == 2 {
            let rows = a.count / Swift.max(k, 1)
            let outShape = Array(a.shape.dropLast()) + [n]
            let out = Tensor(shape: outShape) { c in
                a.scalars.withUnsafeBufferPointer { pa in b.scalars.withUnsafeBufferPointer { pb in
                    sgemm(transA: false, transB: false, m: rows, n: n, k: k, a: pa.baseAddress!, b: pb.baseAddress!, c: c.baseAddress!)
                } }
            }
            return Tensor.record(out, inputs: [a, b]) { g in
                var ga: Tensor?, gb: Tensor?
                g.scalars.withUnsafeBufferPointer { pg in
                    if a.requiresGrad {
                        ga = Tensor(shape: a.shape) { c in b.scalars.withUnsafeBufferPointer { pb in
                            sgemm(transA: false, transB: true, m: rows, n: k, k: n, a: pg.baseAddress!, b: pb.baseAddress!, c: c.baseAddress!)
                        } }
                    }
                    if b.requiresGrad {
                        gb = Tensor(shape: b.shape) { c in a.scalars.withUnsafeBufferPointer { pa in
                            sgemm(transA: true, transB: false, m: k, n: n, k: rows, a: pa.baseAddress!, b: pg.baseAddress!, c: c.baseAddress!)
                        } }
                    }
                }
                return [ga, gb]
            }
        }
        guard let batchShape = ShapeMath.broadcast(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2))) else {
            preconditionFailure("matmul: batch dimensions of \(a.shape) and \(b.shape) cannot be broadcast")
        }
        let ea = a.broadcastKernel(to: batchShape + [m, k])
        let eb = b.broadcastKernel(to: batchShape + [k, n])
        let batches = batchShape.reduce(1, *)
        // The batch of small products runs across cores (``batchedGemmLoop``); the worker threads
        // do not see the FlopCounter, so the multiply-adds are counted here.
        FlopCounter.add(multiplyAdds: batches * m * n * k)
        let out = Tensor(shape: batchShape + [m, n]) { c in
            ea.scalars.withUnsafeBufferPointer { pa in eb.scalars.withUnsafeBufferPointer { pb in
                batchedGemmLoop(batches) { range in
                    for i in range {
                        sgemmOnThisThread(transA: false, transB: false, m: m, n: n, k: k,
                                          a: pa.baseAddress! + i * m * k, b: pb.baseAddress! + i * k * n,
                                          c: c.baseAddress! + i * m * n)
                    }
                }
            } }
        }
        return Tensor.record(out, inputs: [a, b]) { g in
            var ga: Tensor?, gb: Tensor?
            g.scalars.withUnsafeBufferPointer { pg in
                if a.requiresGrad {
                    ga = Tensor(shape: ea.shape) { c in eb.scalars.withUnsafeBufferPointer { pb in
                        batchedGemmLoop(batches) { range in
                            for i in range {
                                sgemmOnThisThread(transA: false, transB: true, m: m, n: k, k: n,
                                                  a: pg.baseAddress! + i * m * n, b: pb.baseAddress! + i * k * n,
                                                  c: c.baseAddress! + i * m * k)
                            }
                        }
                    } }.sumToShape(a.shape)
                }
                if b.requiresGrad {
                    gb = Tensor(shape: eb.shape) { c in ea.scalars.withUnsafeBufferPointer { pa in
                        batchedGemmLoop(batches) { range in
                            for i in range {
                                sgemmOnThisThread(transA: true, transB: false, m: k, n: n, k: m,
                                                  a: pa.baseAddress! + i * m * k, b: pg.baseAddress! + i * m * n,
                                                  c: c.baseAddress! + i * k * n)
                            }
                        }
                    } }.sumToShape(b.shape)
                }
            }
            return [ga, gb]
        }
    }

    /// Affine map as PyTorch's `nn.functional.linear`: `x · weightᵀ + bias`, with `x` of shape
    /// `[..., in]`, `weight` `[out, in]` and `bias` `[out]`. One GEMM forward, two backward.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        let x = self
        precondition(weight.rank == 2, "linear: weight must be [out, in], got \(weight.shape)")
        let outF = weight.shape[0], inF = weight.shape[1]
        precondition(x.rank >= 1 && x.shape[x.rank - 1] == inF,
                     "linear: input last dimension must be \(inF) (weight \(weight.shape)), got input \(x.shape)")
        if let bias { precondition(bias.shape == [outF], "linear: bias must be [\(outF)], got \(bias.shape)") }
        let rows = x.count / Swift.max(inF, 1)
        let out = Tensor(shape: Array(x.shape.dropLast()) + [outF]) { c in
            x.scalars.withUnsafeBufferPointer { px in weight.scalars.withUnsafeBufferPointer { pw in
                withOptionalPointer(bias) { pb in
                    sgemm(transA: false, transB: true, m: rows, n: outF, k: inF,
                          a: px.baseAddress!, b: pw.baseAddress!, c: c.baseAddress!, bias: pb)
                }
            } }
        }
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.record(out, inputs: inputs) { g in
            var gx: Tensor?, gw: Tensor?, gb: Tensor?
            g.scalars.withUnsafeBufferPointer { pg in
                if x.requiresGrad {
                    gx = Tensor(shape: x.shape) { c in weight.scalars.withUnsafeBufferPointer { pw in
                        sgemm(transA: false, transB: false, m: rows, n: inF, k: outF, a: pg.baseAddress!, b: pw.baseAddress!, c: c.baseAddress!)
                    } }
                }
                if weight.requiresGrad {
                    gw = Tensor(shape: weight.shape) { c in x.scalars.withUnsafeBufferPointer { px in
                        sgemm(transA: true, transB: false, m: outF, n: inF, k: rows, a: pg.baseAddress!, b: px.baseAddress!, c: c.baseAddress!)
                    } }
                }
                if let bias, bias.requiresGrad {
                    gb = g.reshapedUnchecked([rows, outF]).sumKernel(axes: [0]).reshapedUnchecked([outF])
                }
            }
            return bias == nil ? [gx, gw] : [gx, gw, gb]
        }
    }
}
