/// Multi-head self-attention, timm's `Attention`:
/// `softmax(q·kᵀ · headDim^-½ + bias) · v`, heads concatenated, then `proj`.
///
/// Input and output `[B, N, dim]`. One `qkv` linear map `dim → 3·dim` (split as
/// `[3, heads, headDim]` along the features, as timm) and an output projection `proj`.
/// Parameter names: `qkv.weight`, `qkv.bias`, `proj.weight`, `proj.bias`.
public final class MultiHeadSelfAttention: Module, UnaryLayer {
    /// `dim → 3·dim`, producing queries, keys and values.
    public let qkv: Linear
    /// Dropout on the attention weights; `nil` when the probability is 0.
    public let attnDrop: Dropout?
    /// `dim → dim`, mixing the heads.
    public let proj: Linear
    /// Dropout on the output; `nil` when the probability is 0.
    public let projDrop: Dropout?
    /// The number of heads.
    public let heads: Int
    /// The factor on the attention logits, `headDim^-½`.
    public let scale: Float

    /// Attention over `dim` features split into `heads` heads (`dim` must divide evenly).
    public init(dim: Int, heads: Int, qkvBias: Bool = true, attentionDropout: Float = 0, projectionDropout: Float = 0,
                generator: inout SeededGenerator) {
        precondition(heads > 0 && dim % heads == 0, "MultiHeadSelfAttention: dim \(dim) is not divisible by \(heads) heads")
        self.heads = heads
        scale = 1 / Float(dim / heads).squareRoot()
        qkv = Linear(dim, 3 * dim, bias: qkvBias, generator: &generator)
        proj = Linear(dim, dim, generator: &generator)
        attnDrop = attentionDropout > 0 ? Dropout(attentionDropout, generator: &generator) : nil
        projDrop = projectionDropout > 0 ? Dropout(projectionDropout, generator: &generator) : nil
        super.init()
    }

    /// `[B, N, dim] → [B, N, dim]` without an attention bias.
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, bias: nil) }

    // x: [B, N, C] → qkv: [B, N, 3, H, C/H] → [3, B, H, N, C/H]
    // attn = softmax(q·kᵀ·scale + bias): [B, H, N, N];  out = (attn·v): [B, H, N, C/H] → [B, N, C]
    /// `[B, N, dim] → [B, N, dim]`, adding `bias` to the attention logits before the softmax.
    /// `bias` broadcasts against `[B, heads, N, N]`: e.g. a relative-position bias
    /// `[heads, N, N]`, a mask `[1, N, N]`, a per-sample mask `[B, 1, N, N]` or a key-padding
    /// mask `[B, 1, 1, N]` (use large negative values to mask).
    public func callAsFunction(_ x: Tensor, bias: Tensor?) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == qkv.inFeatures,
                     "MultiHeadSelfAttention: input must be [B, N, \(qkv.inFeatures)], got \(x.shape)")
        let (b, n, c) = (x.shape[0], x.shape[1], x.shape[2])
        let headDim = c / heads
        if let bias {
            let target = [b, heads, n, n]
            let lead = target.count - bias.rank
            precondition(bias.rank >= 2 && bias.rank <= 4
                         && bias.shape.enumerated().allSatisfy { $0.element == 1 || $0.element == target[lead + $0.offset] }
                         && bias.shape.last == n,
                         "MultiHeadSelfAttention: bias \(bias.shape) does not broadcast to the attention logits \(target)")
        }
        if bias == nil && attnDrop == nil {
            // The fused kernel: strided GEMMs on the qkv rows, no per-head copies.
            var out = proj(qkv(x).attention(heads: heads, scale: scale))
            if let projDrop { out = projDrop(out) }
            return out
        }
        let parts = qkv(x).reshaped([b, n, 3, heads, headDim]).permuted([2, 0, 3, 1, 4])
        func part(_ i: Int) -> Tensor { parts.slice(axis: 0, i..<(i + 1)).reshaped([b, heads, n, headDim]) }
        let q = part(0) * scale, k = part(1), v = part(2)
        var logits = q.matmul(k.transposed(-2, -1))
        if let bias { logits = logits + bias }
        var attention = logits.softmax(axis: -1)
        if let attnDrop { attention = attnDrop(attention) }
        var out = proj(attention.matmul(v).permuted([0, 2, 1, 3]).reshaped([b, n, c]))
        if let projDrop { out = projDrop(out) }
        return out
    }
}
