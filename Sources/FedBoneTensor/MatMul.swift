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
        linear(segmentWeights: [weight], segmentBiases: bias.map { [$0] }, rowCounts: [count / Swift.max(weight.shape.last ?? 1, 1)])
    }

    /// ``linear(weight:bias:)`` over consecutive row segments of `x` (flattened to rows of
    /// `in`), segment k by `segmentWeights[k]` and `segmentBiases?[k]`: each segment's weight and
    /// bias receive the gradient of its rows alone (``BatchSegments``), and `x` the gradient of
    /// every row. When the segments' weights (and biases) share one storage, the forward pass
    /// is one GEMM over all rows and the input gradient another; the weight gradients are one
    /// GEMM per segment, the same products a pass over each segment alone computes.
    public func linear(segmentWeights weights: [Tensor], segmentBiases biases: [Tensor]?, rowCounts: [Int]) -> Tensor {
        let x = self
        precondition(!weights.isEmpty && weights.count == rowCounts.count && (biases?.count ?? weights.count) == weights.count,
                     "linear: \(weights.count) weights and \(biases?.count ?? 0) biases for \(rowCounts.count) row segments")
        let weight = weights[0]
        precondition(weight.rank == 2, "linear: weight must be [out, in], got \(weight.shape)")
        let outF = weight.shape[0], inF = weight.shape[1]
        precondition(weights.allSatisfy { $0.shape == weight.shape }, "linear: segment weights differ in shape from \(weight.shape)")
        precondition(x.rank >= 1 && x.shape[x.rank - 1] == inF,
                     "linear: input last dimension must be \(inF) (weight \(weight.shape)), got input \(x.shape)")
        if let biases { precondition(biases.allSatisfy { $0.shape == [outF] }, "linear: bias must be [\(outF)], got \(biases.map(\.shape))") }
        let rows = x.count / Swift.max(inF, 1)
        precondition(rowCounts.reduce(0, +) == rows, "linear: row segments \(rowCounts) do not add up to the input's \(rows) rows")
        let starts = rowCounts.indices.map { rowCounts[..<$0].reduce(0, +) }
        let shared = Tensor.shareStorage(weights) && Tensor.shareStorage(biases ?? [])
        let out = Tensor(shape: Array(x.shape.dropLast()) + [outF]) { c in
            x.scalars.withUnsafeBufferPointer { px in
                for k in (shared ? [0] : Array(weights.indices)) {
                    let (lo, count) = shared ? (0, rows) : (starts[k], rowCounts[k])
                    weights[k].scalars.withUnsafeBufferPointer { pw in withOptionalPointer(biases?[k]) { pb in
                        sgemm(transA: false, transB: true, m: count, n: outF, k: inF,
                              a: px.baseAddress! + lo * inF, b: pw.baseAddress!, c: c.baseAddress! + lo * outF, bias: pb)
                    } }
                }
            }
        }
        return Tensor.record(out, inputs: [x] + weights + (biases ?? [])) { g in
            var gx: Tensor?
            var gw = [Tensor?](repeating: nil, count: weights.count), gb = gw
            g.scalars.withUnsafeBufferPointer { pg in
                if x.requiresGrad {
                    gx = Tensor(shape: x.shape) { c in
                        for k in (shared ? [0] : Array(weights.indices)) {
                            let (lo, count) = shared ? (0, rows) : (starts[k], rowCounts[k])
                            weights[k].scalars.withUnsafeBufferPointer { pw in
                                sgemm(transA: false, transB: false, m: count, n: inF, k: outF, a: pg.baseAddress! + lo * outF,
                                      b: pw.baseAddress!, c: c.baseAddress! + lo * inF)
                            }
                        }
                    }
                }
                for k in weights.indices {
                    let (lo, count) = (starts[k], rowCounts[k])
                    if weights[k].requiresGrad {
                        gw[k] = Tensor(shape: weight.shape) { c in x.scalars.withUnsafeBufferPointer { px in
                            sgemm(transA: true, transB: false, m: outF, n: inF, k: count, a: pg.baseAddress! + lo * outF,
                                  b: px.baseAddress! + lo * inF, c: c.baseAddress!)
                        } }
                    }
                    if let bias = biases?[k], bias.requiresGrad {
                        let segment = count == rows ? g : Tensor(uncheckedShape: [count * outF], scalars: Array(pg[(lo * outF)..<((lo + count) * outF)]))
                        gb[k] = segment.reshapedUnchecked([count, outF]).sumKernel(axes: [0]).reshapedUnchecked([outF])
                    }
                }
            }
            return [gx] + gw + (biases == nil ? [] : gb)
        }
    }
}
