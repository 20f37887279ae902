/// Bilinear resizing of NCHW batches, as PyTorch's
/// `F.interpolate(x, size=..., mode="bilinear", align_corners=False)`, with its backward pass.
extension Tensor {
    /// Bilinear resizing with `align_corners=False` (no antialiasing), exactly as PyTorch: along
    /// each axis, output index `d` reads source position `s = max((d + 0.5)·in/out − 0.5, 0)`
    /// (in `Float`), interpolating between `i0 = min(⌊s⌋, in − 1)` and `i1 = min(i0 + 1, in − 1)`
    /// with weight `λ = clamp(s − i0, 0, 1)` on `i1`. An axis whose size does not change is
    /// copied.
    ///
    /// - Shapes: `[N, C, H, W]` → `[N, C, size.0, size.1]`.
    public func upsampleBilinear(size: (Int, Int)) -> Tensor {
        let x = self
        precondition(x.rank == 4, "upsampleBilinear: input must be [N, C, H, W], got \(x.shape)")
        precondition(!x.shape.contains(0), "upsampleBilinear: empty input \(x.shape)")
        precondition(size.0 > 0 && size.1 > 0, "upsampleBilinear: output size must be positive, got \(size)")
        let (h, w) = (shape[2], shape[3])
        let planes = shape[0] * shape[1], outArea = size.0 * size.1
        let rows = LinearTaps(input: h, output: size.0), cols = LinearTaps(input: w, output: size.1)
        FlopCounter.add(multiplyAdds: 4 * planes * outArea)
        let perChunk = Swift.max(1, 16_384 / outArea)
        let out = Tensor(shape: [shape[0], shape[1], size.0, size.1]) { y in
            x.scalars.withUnsafeBufferPointer { px in
                parallelChunks(planes, minimumPerChunk: perChunk) { range in
                    for plane in range {
                        let src = px.baseAddress! + plane * h * w
                        let dst = y.baseAddress! + plane * outArea
                        for oh in 0..<size.0 {
                            let r0 = src + rows.low[oh] * w, r1 = src + rows.high[oh] * w
                            let lh0 = rows.lowWeight[oh], lh1 = rows.highWeight[oh]
                            for ow in 0..<size.1 {
                                let c0 = cols.low[ow], c1 = cols.high[ow]
                                let lw0 = cols.lowWeight[ow], lw1 = cols.highWeight[ow]
                                dst[oh * size.1 + ow] = (r0[c0] * lw0 + r0[c1] * lw1) * lh0 + (r1[c0] * lw0 + r1[c1] * lw1) * lh1
                            }
                        }
                    }
                }
            }
        }
        return Tensor.record(out, inputs: [x]) { gy in
            // gy: [N, C, size.0, size.1] → gx: [N, C, H, W], each gradient spread over its 4 taps.
            [Tensor(shape: x.shape) { dx in
                dx.update(repeating: 0)
                gy.scalars.withUnsafeBufferPointer { pg in
                    parallelChunks(planes, minimumPerChunk: perChunk) { range in
                        for plane in range {
                            let src = pg.baseAddress! + plane * outArea
                            let dst = dx.baseAddress! + plane * h * w
                            for oh in 0..<size.0 {
                                let r0 = dst + rows.low[oh] * w, r1 = dst + rows.high[oh] * w
                                let lh0 = rows.lowWeight[oh], lh1 = rows.highWeight[oh]
                                for ow in 0..<size.1 {
                                    let g = src[oh * size.1 + ow]
                                    let c0 = cols.low[ow], c1 = cols.high[ow]
                                    let lw0 = cols.lowWeight[ow], lw1 = cols.highWeight[ow]
                                    r0[c0] += g * lh0 * lw0
                                    r0[c1] += g * lh0 * lw1
                                    r1[c0] += g * lh1 * lw0
                                    r1[c1] += g * lh1 * lw1
                                }
                            }
                        }
                    }
                }
            }]
        }
    }
}

/// The two source indices and weights of every output index along one axis of a bilinear
/// resize with `align_corners=False` (PyTorch's `compute_source_index_and_lambda`).
struct LinearTaps {
    var low: [Int] = [], high: [Int] = []
    var lowWeight: [Float] = [], highWeight: [Float] = []

    init(input: Int, output: Int) {
        let scale = Float(input) / Float(output)
        for d in 0..<output {
            if input == output {
                low.append(d); high.append(d); lowWeight.append(1); highWeight.append(0)
                continue
            }
            let source = Swift.max(scale * (Float(d) + 0.5) - 0.5, 0)
            let i0 = Swift.min(Int(source.rounded(.down)), input - 1)
            let lambda = Swift.min(Swift.max(source - Float(i0), 0), 1)
            low.append(i0)
            high.append(i0 + (i0 < input - 1 ? 1 : 0))
            lowWeight.append(1 - lambda)
            highWeight.append(lambda)
        }
    }
}
