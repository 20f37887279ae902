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
        let qkv = self
        precondition(rank == 3 && shape[2] % 3 == 0 && heads > 0 && (shape[2] / 3) % heads == 0,
                     "attention: qkv must be [B, N, 3·C] with C divisible by \(heads) heads, got \(shape)")
        let batches = shape[0], n = shape[1], c = shape[2] / 3, d = c / heads
        if let bias {
            precondition(bias.shape == [heads, n, n], "attention: bias must be [\(heads), \(n), \(n)], got \(bias.shape)")
        }
        if let mask {
            precondition(mask.rank == 3 && mask.shape[1] == n && mask.shape[2] == n && mask.shape[0] > 0
                         && batches % mask.shape[0] == 0,
                         "attention: mask must be [nW, \(n), \(n)] with nW dividing \(batches), got \(mask.shape)")
        }
        let pairs = batches * heads, nn = n * n
        FlopCounter.add(multiplyAdds: 2 * pairs * nn * d + 2 * pairs * nn)
        let windowsInMask = mask?.shape[0] ?? 1
        // The attention weights P, kept for the backward pass: [B, heads, N, N].
        let probabilities = Tensor(shape: [batches, heads, n, n]) { p in
            qkv.scalars.withUnsafeBufferPointer { px in withOptionalPointer(bias) { pb in withOptionalPointer(mask) { pm in
                guard let x = px.baseAddress, let pp = p.baseAddress else { return }
                batchedGemmLoop(pairs) { range in
                    for pair in range {
                        let b = pair / heads, h = pair % heads
                        let rows = x + b * n * 3 * c, scores = pp + pair * nn
                        sgemmOnThisThread(transA: false, transB: true, m: n, n: n, k: d, alpha: scale,
                                          a: rows + h * d, lda: 3 * c, b: rows + c + h * d, ldb: 3 * c, c: scores)
                        fb_softmax_rows(scores, scores, pb.map { $0 + h * nn }, pm.map { $0 + (b % windowsInMask) * nn }, n, n)
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
        let inputs = [qkv] + [bias].compactMap { $0 }
        return Tensor.record(out, inputs: inputs) { g in
            let needBias = bias?.requiresGrad ?? false
            let plan = ChunkPlan(count: pairs, minimumPerChunk: 1, parallel: GemmBackend.engineThreads)
            var biasPartials = [Float](repeating: 0, count: needBias ? plan.chunks * heads * nn : 0)
            let gqkv = Tensor(shape: qkv.shape) { gx in
                qkv.scalars.withUnsafeBufferPointer { px in probabilities.scalars.withUnsafeBufferPointer { pp in
                    g.scalars.withUnsafeBufferPointer { pg in biasPartials.withUnsafeMutableBufferPointer { partials in
                        guard let x = px.baseAddress, let p = pp.baseAddress, let go = pg.baseAddress,
                              let dx = gx.baseAddress else { return }
                        plan.run { chunk, range in
                            var scratch = [Float](repeating: 0, count: nn)
                            scratch.withUnsafeMutableBufferPointer { ds in
                                guard let dS = ds.baseAddress else { return }
                                for pair in range {
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
                    } }
                } }
            }
            var gBias: Tensor?
            if needBias {
                gBias = Tensor(shape: [heads, n, n]) { gb in
                    biasPartials.withUnsafeBufferPointer { partials in
                        for j in 0..<(heads * nn) {
                            var s: Float = 0
                            for chunk in 0..<plan.chunks { s += partials[chunk * heads * nn + j] }
                            gb[j] = s
                        }
                    }
                }
            }
            let gx: Tensor? = qkv.requiresGrad ? gqkv : nil
            return bias == nil ? [gx] : [gx, gBias]
        }
    }
}
