import FedBoneTensor

/// `linear` at Swin-T stage-1 shapes and batched `matmul` at window-attention shapes
/// (batch 8 × 64 windows × 3 heads, 49 tokens, head width 32), forward alone and with backward.
func matMulWorkloads() -> [Workload] {
    let rows = 8 * 3136, windows = 8 * 64 * 3
    return [
        linearWorkload("linear s1 qkv fwd", rows: rows, inFeatures: 96, outFeatures: 288, backward: false),
        linearWorkload("linear s1 qkv fwd+bwd", rows: rows, inFeatures: 96, outFeatures: 288, backward: true),
        linearWorkload("linear s1 fc2 fwd+bwd", rows: 2 * 3136, inFeatures: 384, outFeatures: 96, backward: true),
        matmulWorkload("matmul win q@kT fwd", batch: windows, m: 49, k: 32, n: 49, backward: false),
        matmulWorkload("matmul win q@kT fwd+bwd", batch: windows, m: 49, k: 32, n: 49, backward: true),
        matmulWorkload("matmul win attn@v fwd+bwd", batch: windows, m: 49, k: 49, n: 32, backward: true),
    ]
}

/// `x [rows, in] → x·Wᵀ + b [rows, out]`; with `backward`, every input requires a gradient and
/// the output is back-propagated from a ones seed (one GEMM forward, two backward).
private func linearWorkload(_ name: String, rows: Int, inFeatures: Int, outFeatures: Int, backward: Bool) -> Workload {
    let macs = Double(rows * inFeatures * outFeatures)
    return Workload(name: name, shape: shapeText([rows, inFeatures], [outFeatures, inFeatures]),
                    work: .flops((backward ? 6 : 2) * macs)) {
        let x = benchInput([rows, inFeatures], seed: 1)
        let w = benchInput([outFeatures, inFeatures], seed: 2), b = benchInput([outFeatures], seed: 3)
        let seed = Tensor.ones([rows, outFeatures])
        guard backward else { return { _ = x.linear(weight: w, bias: b) } }
        return {
            x.requiringGrad().linear(weight: w.requiringGrad(), bias: b.requiringGrad()).backward(seed)
        }
    }
}

/// `[batch, m, k] × [batch, k, n]`; with `backward`, both operands require gradients and the
/// product is back-propagated from a ones seed.
private func matmulWorkload(_ name: String, batch: Int, m: Int, k: Int, n: Int, backward: Bool) -> Workload {
    let macs = Double(batch * m * n * k)
    return Workload(name: name, shape: shapeText([batch, m, k], [batch, k, n]), work: .flops((backward ? 6 : 2) * macs)) {
        let a = benchInput([batch, m, k], seed: 1), b = benchInput([batch, k, n], seed: 2)
        let seed = Tensor.ones([batch, m, n])
        guard backward else { return { _ = a.matmul(b) } }
        return { a.requiringGrad().matmul(b.requiringGrad()).backward(seed) }
    }
}
