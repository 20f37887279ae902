import Testing
@testable import FedBoneTensor

/// The fused `attention(heads:scale:bias:mask:)` against the unfused composition of engine ops
/// (reshape, permute, matmul, softmax), and its gradients against finite differences.
@Suite struct FusedAttentionTests {
    private func randn(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.randn(shape, std: std, generator: &rng)
    }

    /// The reference: timm's attention written with separate ops.
    private func unfused(_ qkv: Tensor, heads: Int, scale: Float, bias: Tensor?, mask: Tensor?) -> Tensor {
        let b = qkv.shape[0], n = qkv.shape[1], c = qkv.shape[2] / 3, d = c / heads
        let parts = qkv.reshaped([b, n, 3, heads, d]).permuted([2, 0, 3, 1, 4])
        func part(_ i: Int) -> Tensor { parts.slice(axis: 0, i..<(i + 1)).reshaped([b, heads, n, d]) }
        var scores = part(0).matmul(part(1).transposed()) * scale
        if let bias { scores = scores + bias.reshaped([1, heads, n, n]) }
        if let mask {
            let w = mask.shape[0]
            scores = (scores.reshaped([b / w, w, heads, n, n]) + mask.reshaped([1, w, 1, n, n])).reshaped([b, heads, n, n])
        }
        return scores.softmax(axis: -1).matmul(part(2)).transposed(1, 2).reshaped([b, n, c])
    }

    private func mask(windows: Int, n: Int) -> Tensor {
        Tensor(uncheckedShape: [windows, n, n], scalars: (0..<(windows * n * n)).map { $0 % 7 == 3 ? -100 : 0 })
    }

    @Test(arguments: [(2, 5, 2, false, false), (4, 7, 3, true, true), (3, 4, 1, true, false), (6, 9, 2, false, true)])
    func matchesUnfusedOpsForwardAndBackward(batches: Int, tokens: Int, heads: Int, withBias: Bool, withMask: Bool) {
        let c = heads * 3
        let qkv = randn([batches, tokens, 3 * c], seed: 1).requiringGrad()
        let bias = withBias ? randn([heads, tokens, tokens], seed: 2).requiringGrad() : nil
        let m = withMask ? mask(windows: batches % 2 == 0 ? 2 : 3, n: tokens) : nil
        let scale: Float = 0.37
        let seed = randn([batches, tokens, c], seed: 3)
        let fused = qkv.attention(heads: heads, scale: scale, bias: bias, mask: m)
        fused.backward(seed)
        let fusedGrads = (qkv.grad!, bias?.grad)
        qkv.zeroGrad()
        bias?.zeroGrad()
        let reference = unfused(qkv, heads: heads, scale: scale, bias: bias, mask: m)
        reference.backward(seed)
        func close(_ a: Tensor, _ b: Tensor) -> Bool {
            a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= 1e-5 + 1e-4 * abs($1) }
        }
        #expect(close(fused, reference), "forward differs")
        #expect(close(fusedGrads.0, qkv.grad!), "qkv gradient differs")
        if let bias { #expect(close(fusedGrads.1!, bias.grad!), "bias gradient differs") }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let qkv = randn([4, 5, 12], seed: 4).requiringGrad()
        let bias = randn([2, 5, 5], seed: 5).requiringGrad()
        let m = mask(windows: 2, n: 5)
        let r = checkGradients([qkv, bias]) { $0[0].attention(heads: 2, scale: 0.5, bias: $0[1], mask: m) }
        #expect(r.passed, "\(r)")
    }
}
