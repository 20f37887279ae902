import FedBoneLayers

/// Window multi-head self-attention with a learned relative position bias (Swin's W-MSA and,
/// with a mask, SW-MSA), as timm's `WindowAttention`.
///
/// For windows `x: [B·nW, N, C]` (N = window area):
/// `softmax(q·kᵀ/√d + B[rel(i, j)] + mask)·v`, then a linear projection. `B` is the
/// `[(2Wh−1)(2Ww−1), heads]` table `relative_position_bias_table`, indexed by the relative offset
/// of each token pair. Parameter names match timm (`qkv`, `proj`, `relative_position_bias_table`).
public final class WindowAttention: Module {
    public let relativePositionBiasTable: Parameter
    public let qkv: Linear
    public let proj: Linear
    /// Attention heads.
    public let numHeads: Int
    /// Window height and width.
    public let window: (height: Int, width: Int)
    private let relativeIndex: [Int]

    /// Attention over `window`-sized windows of `dim` channels.
    public init(dim: Int, numHeads: Int, window: (height: Int, width: Int), generator: inout SeededGenerator) {
        self.numHeads = numHeads
        self.window = window
        let tableRows = (2 * window.height - 1) * (2 * window.width - 1)
        relativePositionBiasTable = Parameter(.truncatedNormal([tableRows, numHeads], std: 0.02, a: -0.04, b: 0.04, generator: &generator))
        qkv = Linear(dim, 3 * dim, generator: &generator)
        proj = Linear(dim, dim, generator: &generator)
        relativeIndex = Self.relativePositionIndex(height: window.height, width: window.width)
        super.init()
    }

    /// timm's `get_relative_position_index`: for tokens i, j of a window (row-major),
    /// `(Δrow + Wh − 1)·(2Ww − 1) + (Δcol + Ww − 1)`.
    static func relativePositionIndex(height: Int, width: Int) -> [Int] {
        let n = height * width
        var index = [Int](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                let dr = i / width - j / width + height - 1
                let dc = i % width - j % width + width - 1
                index[i * n + j] = dr * (2 * width - 1) + dc
            }
        }
        return index
    }

    /// The bias for every head and token pair: `[heads, N, N]`.
    func relativePositionBias() -> Tensor { relativePositionBias(of: relativePositionBiasTable.value) }

    /// `table`'s bias for every head and token pair: `[heads, N, N]`.
    private func relativePositionBias(of table: Tensor) -> Tensor {
        let n = window.height * window.width
        return table.gatherRows(relativeIndex).reshaped([n, n, numHeads]).permuted([2, 0, 1])
    }

    /// - Parameters:
    ///   - x: windows `[B·nW, N, C]`.
    ///   - mask: `[nW, N, N]` additive mask (0 or −100) for shifted windows, or `nil`.
    ///
    /// Inside a ``BatchSegments/run(_:)`` that records gradients, each segment's windows give
    /// their gradient to that segment's leaf of the bias table.
    public func callAsFunction(_ x: Tensor, mask: Tensor?) -> Tensor {
        let headDim = x.shape[2] / numHeads
        let scale = 1 / Float(headDim).squareRoot()
        let projected = qkv(x)
        guard let segments = BatchSegments.current, GradMode.enabled else {
            return proj(projected.attention(heads: numHeads, scale: scale, bias: relativePositionBias(), mask: mask))
        }
        let biases = segments.leaves(of: relativePositionBiasTable.value).map(relativePositionBias(of:))
        return proj(projected.attention(heads: numHeads, scale: scale, segmentBiases: biases,
                                        batchCounts: segments.rowCounts(rows: x.shape[0]), mask: mask))
    }
}
