import FedBoneKernels
import Foundation

/// Multi-head attention straight from a fused `qkv` projection, without materialising the
/// per-head query, key and value tensors: every product is a strided GEMM on the `qkv` rows.
extension Tensor {
    // qkv: [B, N, 3C] (features ordered [3, heads, C/heads], as timm's qkv), bias: [heads, N, N]?,
    // mask: [nW, N, N]? (window b uses mask[b mod nW]) → out: [B, N, C]
    // per (b, h): S = scale·Q·Kᵀ + bias[h] + mask[b mod nW];  P = softmax(S) (rows);  O = P·V
    /// Scaled dot-product attention of `heads` heads over a fused query-key-value projection, as
    /// timm's `Attention`/`WindowAttention` compute it after `qkv(x)`:
    /// `softmax(scale · q·kᵀ + bias + mask) · v`, heads concatenated: `[B, N, 3C] → [B, N, C]`.
    ///
    /// - Parameters:
    ///   - heads: attention heads; `C` must divide into them.
    ///   - scale: the factor on `q·kᵀ` (usually `(C/heads)^-½`).
    ///   - bias: an additive `[heads, N, N]` bias shared by every batch entry (e.g. Swin's
    ///     relative position bias); it receives a gradient.
    ///   - mask: an additive `[nW, N, N]` constant (e.g. Swin's shifted-window mask, 0 or −100);
    ///     batch entry `b` uses `mask[b mod nW]`, so `B` must be a multiple of `nW`. No gradient.
    ///
    /// Backward, with `dP = dO·Vᵀ` and `dS = P ⊙ (dP − rowsum(dP ⊙ P))`: `dV = Pᵀ·dO`,
    /// `dQ = scale·dS·K`, `dK = scale·dSᵀ·Q`, `dbias[h] = Σ_b dS`.
    public func attention(heads: Int, scale: Float, bias: Tensor? = nil, mask: Tensor? = nil) -> Tensor {
        precondition(rank == 3, "attention: qkv must be [B, N, 3·C] with C divisible by \(heads) heads, got \(shape)")
        return attention(heads: heads, scale: scale, segmentBiases: bias.map { [$0] }, batchCounts: [shape[0]], mask: mask)
    }

    /// ``attention(heads:scale:bias:mask:)`` over consecutive segments of the batch entries,
    /// the `batchCounts[k]` entries of segment k with `segmentBiases?[k]`: each segment's bias
    /// receives the gradient of its entries alone (``BatchSegments``). Each segment's entries and
    /// bias gradient are computed as in a pass over that segment alone. Segments must start at
    /// multiples of the mask's `nW`.
    public func attention(heads: Int, scale: Float, segmentBiases biases: [Tensor]?, batchCounts: [Int], mask: Tensor? = nil) -> Tensor {
        let qkv = self
        precondition(rank == 3 && shape[2] % 3 == 0 && heads > 0 && (shape[2] / 3) % heads == 0,
                     "attention: qkv must be [B, N, 3·C] with C divisible by \(heads) heads, got \(shape)")
        let batches = shape[0], n = shape[1], c = shape[2] / 3, d = c / heads
        precondition(!batchCounts.isEmpty && batchCounts.reduce(0, +) == batches && (biases?.count ?? batchCounts.count) == batchCounts.count,
                     "attention: \(biases?.count ?? 0) biases for batch segments \(batchCounts) of \(batches) entries")
        if let biases {
            precondition(biases.allSatisfy { $0.shape == [heads, n, n] }, "attention: bias must be [\(heads), \(n), \(n)], got \(biases.map(\.shape))")
        }
        if let mask {
            precondition(mask.rank == 3 && mask.shape[1] == n && mask.shape[2] == n && mask.shape[0] > 0
                         && batches % mask.shape[0] == 0 && batchCounts.allSatisfy({ $0 % mask.shape[0] == 0 }),
                         "attention: mask must be [nW, \(n), \(n)] with nW dividing \(batches) and every segment \(batchCounts), got \(mask.shape)")
        }
        let pairs = batches * heads, nn = n * n
        FlopCounter.add(multiplyAdds: 2 * pairs * nn * d + 2 * pairs * nn)
        let windowsInMask = mask?.shape[0] ?? 1
        let starts = batchCounts.indices.map { batchCounts[..<$0].reduce(0, +) }
        // One bias for every entry, or the segments' biases one after another (segmentOf[b] picks).
        let sharedBias = Tensor.shareStorage(biases ?? [])
        let biasValues: Tensor? = biases.map { sharedBias ? $0[0] : Tensor(uncheckedShape: [$0.count * heads * nn], scalars: $0.flatMap(\.scalars)) }
        let segmentOf = batchCounts.indices.flatMap { k in [Int](repeating: sharedBias ? 0 : k, count: batchCounts[k]) }
        // The attention weights P, kept for the backward pass: [B, heads, N, N].
        let probabilities = Tensor(shape: [batches, heads, n, n]) { p in
            qkv.scalars.withUnsafeBufferPointer { px in withOptionalPointer(biasValues) { pb in withOptionalPointer(mask) { pm in
                guard let x = px.baseAddress, let pp = p.baseAddress else { return }
                batchedGemmLoop(pairs) { range in
                    for pair in range {
                        let b = pair / heads, h = pair % heads
                        let rows = x + b * n * 3 * c, scores = pp + pair * nn
                        sgemmOnThisThread(transA: false, transB: true, m: n, n: n, k: d, alpha: scale,
                                          a: rows + h * d, lda: 3 * c, b: rows + c + h * d, ldb: 3 * c, c: scores)
                        fb_softmax_rows(scores, scores, pb.map { $0 + (segmentOf[b] * heads + h) * nn },
                                        pm.map { $0 + (b % windowsInMask) * nn }, n, n)
                    }
                }
            } } }
        }
        let out = Tensor(shape: [batches, n, c]) { o in
            qkv.scalars.withUnsafeBufferPointer { px in probabilities.scalars.withUnsafeBufferPointer { pp in
                guard let x = px.baseAddress, let p = pp.baseAddress, let po = o.baseAddress else { return }
                batchedGemmLoop(pairs) { range in
                    for pair in range {
                        let b = pair / heads, h = pair % heads
                        sgemmOnThisThread(transA: false, transB: false, m: n, n: d, k: n, a: p + pair * nn, lda: n,
                                          b: x + b * n * 3 * c + 2 * c + h * d, ldb: 3 * c,
                                          c: po + b * n * c + h * d, ldc: c)
                    }
                }
            } }
        }
        return Tensor.record(out, inputs: [qkv] + (biases ?? [])) { g in
            var gBias = [Tensor?](repeating: nil, count: batchCounts.count)
            let gqkv = Tensor(shape: qkv.shape) { gx in
                qkv.scalars.withUnsafeBufferPointer { px in probabilities.scalars.withUnsafeBufferPointer { pp in
                    g.scalars.withUnsafeBufferPointer { pg in
                        guard let x = px.baseAddress, let p = pp.baseAddress, let go = pg.baseAddress,
                              let dx = gx.baseAddress else { return }
                        for k in batchCounts.indices {
                            let needBias = biases?[k].requiresGrad ?? false
                            let plan = ChunkPlan(count: batchCounts[k] * heads, minimumPerChunk: 1, parallel: GemmBackend.engineThreads)
                            var biasPartials = [Float](repeating: 0, count: needBias ? plan.chunks * heads * nn : 0)
                            biasPartials.withUnsafeMutableBufferPointer { partials in
                                plan.run { chunk, range in
                                    var scratch = [Float](repeating: 0, count: nn)
                                    scratch.withUnsafeMutableBufferPointer { ds in
                                        guard let dS = ds.baseAddress else { return }
                                        for pair in (range.lowerBound + starts[k] * heads)..<(range.upperBound + starts[k] * heads) {
                                            let b = pair / heads, h = pair % heads
                                            let rows = x + b * n * 3 * c, grads = dx + b * n * 3 * c
                                            let gOut = go + b * n * c + h * d, weights = p + pair * nn
                                            // dP = dO·Vᵀ;  dV = Pᵀ·dO
                                            sgemmOnThisThread(transA: false, transB: true, m: n, n: n, k: d, a: gOut, lda: c,
                                                              b: rows + 2 * c + h * d, ldb: 3 * c, c: dS)
                                            sgemmOnThisThread(transA: true, transB: false, m: n, n: d, k: n, a: weights, lda: n,
                                                              b: gOut, ldb: c, c: grads + 2 * c + h * d, ldc: 3 * c)
                                            fb_softmax_backward_rows(dS, weights, dS, n, n)
                                            if needBias, let base = partials.baseAddress {
                                                let acc = base + (chunk * heads + h) * nn
                                                for j in 0..<nn { acc[j] += dS[j] }
                                            }
                                            // dQ = scale·dS·K;  dK = scale·dSᵀ·Q
                                            sgemmOnThisThread(transA: false, transB: false, m: n, n: d, k: n, alpha: scale,
                                                              a: dS, lda: n, b: rows + c + h * d, ldb: 3 * c,
                                                              c: grads + h * d, ldc: 3 * c)
                                            sgemmOnThisThread(transA: true, transB: false, m: n, n: d, k: n, alpha: scale,
                                                              a: dS, lda: n, b: rows + h * d, ldb: 3 * c,
                                                              c: grads + c + h * d, ldc: 3 * c)
                                        }
                                    }
                                }
                            }
                            if needBias { gBias[k] = Tensor.sumOfBlocks(biasPartials, blocks: plan.chunks, shape: [heads, n, n]) }
                        }
                    }
                } }
            }
            let gx: Tensor? = qkv.requiresGrad ? gqkv : nil
            return [gx] + (biases == nil ? [] : gBias)
        }
    }
}
