import FedBoneKernels
import Foundation

/// Layer normalisation and 2-D batch normalisation with fused backward passes, as PyTorch's
/// `F.layer_norm` and `F.batch_norm`. Layer norm runs the vectorised C kernels of
/// `FedBoneKernels` (two-pass statistics in `Float`); batch norm accumulates in `Double`.
///
/// FLOPs are counted as fvcore does: `count · 5` with an affine transform, `count · 4` without.
extension Tensor {
    // x: [..., D], weight: [D]?, bias: [D]? → y: [..., D]
    // per row r: μ = mean(x), σ² = mean((x − μ)²) (biased), rstd = 1/√(σ² + ε)
    // y = (x − μ) · rstd · weight + bias
    /// Layer normalisation over the last dimension, as `F.layer_norm(x, (D,), weight, bias, eps)`.
    ///
    /// Two passes per row compute the mean and the reciprocal standard deviation, which are kept
    /// for the backward pass: with `x̂ = (x − μ)·rstd` and `ĝ = g·weight`,
    /// `∂x = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂))`, `∂weight = Σ_rows g·x̂`, `∂bias = Σ_rows g`.
    public func layerNorm(weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank >= 1 && shape[rank - 1] > 0, "layerNorm: input needs a non-empty last dimension, got \(shape)")
        return layerNorm(segmentWeights: [weight], segmentBiases: [bias], rowCounts: [count / shape[rank - 1]], epsilon: epsilon)
    }

    /// ``layerNorm(weight:bias:epsilon:)`` over consecutive row segments, segment k with
    /// `segmentWeights[k]` and `segmentBiases[k]` (each list all tensors or all nil): each
    /// segment's weight and bias receive the gradient of its rows alone (``BatchSegments``).
    /// Every row is computed as in a pass over its segment alone, and each segment's parameter
    /// gradient sums its rows' blocks in the same order.
    public func layerNorm(segmentWeights weights: [Tensor?], segmentBiases biases: [Tensor?], rowCounts: [Int],
                          epsilon: Float = 1e-5) -> Tensor {
        let x = self
        precondition(rank >= 1 && shape[rank - 1] > 0, "layerNorm: input needs a non-empty last dimension, got \(shape)")
        let d = shape[rank - 1]
        precondition(!rowCounts.isEmpty && weights.count == rowCounts.count && biases.count == rowCounts.count,
                     "layerNorm: \(weights.count) weights and \(biases.count) biases for \(rowCounts.count) row segments")
        precondition(weights.allSatisfy { $0 == nil } || weights.allSatisfy { $0 != nil }, "layerNorm: every segment needs a weight, or none")
        precondition(biases.allSatisfy { $0 == nil } || biases.allSatisfy { $0 != nil }, "layerNorm: every segment needs a bias, or none")
        for weight in weights { if let weight { precondition(weight.shape == [d], "layerNorm: weight must be [\(d)] for input \(shape), got \(weight.shape)") } }
        for bias in biases { if let bias { precondition(bias.shape == [d], "layerNorm: bias must be [\(d)] for input \(shape), got \(bias.shape)") } }
        let rows = count / d
        precondition(rowCounts.reduce(0, +) == rows, "layerNorm: row segments \(rowCounts) do not add up to the input's \(rows) rows")
        let starts = rowCounts.indices.map { rowCounts[..<$0].reduce(0, +) }
        let affine = weights[0] != nil || biases[0] != nil
        FlopCounter.add(multiplyAdds: count * (affine ? 5 : 4))
        var mean = [Float](repeating: 0, count: rows)
        var rstd = [Float](repeating: 0, count: rows)
        let out = Tensor(shape: shape) { y in
            x.scalars.withUnsafeBufferPointer { px in
                mean.withUnsafeMutableBufferPointer { pm in rstd.withUnsafeMutableBufferPointer { pr in
                    for k in rowCounts.indices {
                        withOptionalPointer(weights[k]) { pw in withOptionalPointer(biases[k]) { pb in
                            parallelChunks(rowCounts[k], minimumPerChunk: Swift.max(1, Tensor.pointwiseChunk / d)) { range in
                                let lo = starts[k] + range.lowerBound
                                fb_layer_norm_forward(px.baseAddress! + lo * d, pw, pb, y.baseAddress! + lo * d,
                                                      pm.baseAddress! + lo, pr.baseAddress! + lo, range.count, d, epsilon)
                            }
                        } }
                    }
                } }
            }
        }
        let savedMean = mean, savedRstd = rstd
        let inputs = [x] + weights.compactMap { $0 } + biases.compactMap { $0 }
        return Tensor.record(out, inputs: inputs) { g in
            // Rows in fixed blocks (about 64 KiB of each operand) from each segment's start: each
            // block computes its rows' input gradient and, while they are in cache, its partial
            // weight and bias sums; partials are added in block order, so results do not depend
            // on the thread count.
            let needX = x.requiresGrad
            let blockRows = Swift.max(1, 16_384 / d)
            let segmentBlocks = rowCounts.map { ($0 + blockRows - 1) / blockRows }
            let firstBlocks = segmentBlocks.indices.map { segmentBlocks[..<$0].reduce(0, +) }
            let blocks = segmentBlocks.reduce(0, +)
            let needW = weights.contains { $0?.requiresGrad ?? false }, needB = biases.contains { $0?.requiresGrad ?? false }
            var partialW = [Float](repeating: 0, count: needW ? blocks * d : 0)
            var partialB = [Float](repeating: 0, count: needB ? blocks * d : 0)
            var dxScalars = [Float](unsafeUninitializedCapacity: needX ? x.count : 0) { _, initialized in
                initialized = needX ? x.count : 0
            }
            g.scalars.withUnsafeBufferPointer { pg in x.scalars.withUnsafeBufferPointer { px in
                savedMean.withUnsafeBufferPointer { pm in savedRstd.withUnsafeBufferPointer { pr in
                    partialW.withUnsafeMutableBufferPointer { pw in partialB.withUnsafeMutableBufferPointer { pb in
                        dxScalars.withUnsafeMutableBufferPointer { pdx in
                            for k in rowCounts.indices {
                                withOptionalPointer(weights[k]) { segmentWeight in
                                    parallelChunks(segmentBlocks[k]) { range in
                                        for block in range {
                                            let lo = starts[k] + block * blockRows, count = Swift.min(blockRows, starts[k] + rowCounts[k] - lo)
                                            let (gr, xr) = (pg.baseAddress! + lo * d, px.baseAddress! + lo * d)
                                            if needX, let dx = pdx.baseAddress {
                                                fb_layer_norm_backward_input(gr, xr, segmentWeight, pm.baseAddress! + lo, pr.baseAddress! + lo,
                                                                             dx + lo * d, count, d)
                                            }
                                            if needW || needB {
                                                let slot = firstBlocks[k] + block
                                                fb_layer_norm_backward_params(gr, xr, pm.baseAddress! + lo, pr.baseAddress! + lo,
                                                                              needW ? pw.baseAddress! + slot * d : nil,
                                                                              needB ? pb.baseAddress! + slot * d : nil, count, d)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    } }
                } }
            } }
            var grads: [Tensor?] = [needX ? Tensor(uncheckedShape: x.shape, scalars: dxScalars) : nil]
            func segmentSums(_ partials: [Float], of parameters: [Tensor?]) -> [Tensor?] {
                parameters.indices.filter { parameters[$0] != nil }.map { k -> Tensor? in
                    guard parameters[k]?.requiresGrad == true else { return nil }
                    let slice = Array(partials[(firstBlocks[k] * d)..<((firstBlocks[k] + segmentBlocks[k]) * d)])
                    return Tensor.sumOfBlocks(slice, blocks: segmentBlocks[k], shape: [d])
                }
            }
            grads += segmentSums(partialW, of: weights)
            grads += segmentSums(partialB, of: biases)
            return grads
        }
    }

    // x: [N, C, H, W], weight/bias: [C]?, runningMean/runningVariance: [C]? → y: [N, C, H, W]
    // per channel c over the M = N·H·W values: μ_c, σ²_c (biased); y = (x − μ_c)/√(σ²_c + ε)·w_c + b_c
    /// Batch normalisation of an NCHW tensor, as `F.batch_norm(x, running_mean, running_var,
    /// weight, bias, training, momentum, eps)`.
    ///
    /// - Training: normalises with the batch mean and the biased batch variance; when running
    ///   statistics are given, returns them updated as PyTorch does,
    ///   `new = (1 − momentum) · running + momentum · batch`, using the *unbiased* variance
    ///   `σ² · M / (M − 1)` for the variance. The gradient flows through the batch statistics:
    ///   `∂x = w · rstd · (g − mean(g) − x̂ · mean(g · x̂))` per channel.
    /// - Evaluation (`training == false`): normalises with the running statistics, which are
    ///   required, and returns them unchanged; `∂x = g · w · rstd`.
    ///
    /// In both modes `∂weight = Σ g · x̂` and `∂bias = Σ g` per channel. The running statistics
    /// never receive gradients. Training needs more than one value per channel (`M > 1`).
    public func batchNorm2d(
        weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVariance: Tensor?,
        training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5
    ) -> (output: Tensor, newRunningMean: Tensor?, newRunningVariance: Tensor?) {
        let x = self
        precondition(rank == 4, "batchNorm2d: input must be [N, C, H, W], got \(shape)")
        let c = shape[1], hw = shape[2] * shape[3], m = shape[0] * hw
        for (name, t) in [("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVariance", runningVariance)] {
            if let t { precondition(t.shape == [c], "batchNorm2d: \(name) must be [\(c)] for input \(shape), got \(t.shape)") }
        }
        precondition((runningMean == nil) == (runningVariance == nil),
                     "batchNorm2d: give both running statistics or neither")
        precondition(training || runningMean != nil, "batchNorm2d: evaluation mode needs running statistics")
        precondition(!training || m > 1, "batchNorm2d: training needs more than one value per channel, got input \(shape)")
        FlopCounter.add(multiplyAdds: count * (weight == nil && bias == nil ? 4 : 5))

        // Per-channel mean and reciprocal standard deviation used for normalising.
        var mean = [Float](repeating: 0, count: c), rstd = [Float](repeating: 0, count: c)
        var newMean: Tensor? = runningMean?.detached(), newVariance: Tensor? = runningVariance?.detached()
        if training {
            var unbiased = [Float](repeating: 0, count: c)
            x.scalars.withUnsafeBufferPointer { px in
                mean.withUnsafeMutableBufferPointer { pm in rstd.withUnsafeMutableBufferPointer { pr in
                    unbiased.withUnsafeMutableBufferPointer { pu in
                        parallelChunks(c, minimumPerChunk: Swift.max(1, Tensor.pointwiseChunk / Swift.max(m, 1))) { channels in
                            for ch in channels {
                                var s = 0.0, ss = 0.0
                                for n in 0..<shape[0] {
                                    let block = px.baseAddress! + (n * c + ch) * hw
                                    for i in 0..<hw {
                                        let v = Double(block[i])
                                        s += v
                                        ss += v * v
                                    }
                                }
                                let mu = s / Double(m)
                                let variance = Swift.max(ss / Double(m) - mu * mu, 0)
                                pm[ch] = Float(mu)
                                pr[ch] = Float(1 / (variance + Double(epsilon)).squareRoot())
                                pu[ch] = Float(variance * Double(m) / Double(m - 1))
                            }
                        }
                    }
                } }
            }
            if let runningMean, let runningVariance {
                newMean = Tensor(shape: [c]) { out in
                    for ch in 0..<c { out[ch] = momentum * mean[ch] + (1 - momentum) * runningMean.scalars[ch] }
                }
                newVariance = Tensor(shape: [c]) { out in
                    for ch in 0..<c { out[ch] = momentum * unbiased[ch] + (1 - momentum) * runningVariance.scalars[ch] }
                }
            }
        } else if let runningMean, let runningVariance {
            mean = runningMean.scalars
            rstd = runningVariance.scalars.map { 1 / ($0 + epsilon).squareRoot() }
        }

        let batches = shape[0]
        let channelMean = mean, channelRstd = rstd
        let perChannel = Swift.max(1, Tensor.pointwiseChunk / Swift.max(m, 1))
        let out = Tensor(shape: shape) { y in
            x.scalars.withUnsafeBufferPointer { px in
                withOptionalPointer(weight) { pw in withOptionalPointer(bias) { pb in
                    parallelChunks(c, minimumPerChunk: perChannel) { channels in
                        for ch in channels {
                            let scale = channelRstd[ch] * (pw?[ch] ?? 1)
                            let shift = (pb?[ch] ?? 0) - channelMean[ch] * scale
                            for n in 0..<batches {
                                let offset = (n * c + ch) * hw
                                for i in 0..<hw { y[offset + i] = px[offset + i] * scale + shift }
                            }
                        }
                    }
                } }
            }
        }
        let inputs = [x] + [weight, bias].compactMap { $0 }
        let output = Tensor.record(out, inputs: inputs) { g in
            var sumG = [Float](repeating: 0, count: c), sumGX = [Float](repeating: 0, count: c)
            g.scalars.withUnsafeBufferPointer { pg in x.scalars.withUnsafeBufferPointer { px in
                sumG.withUnsafeMutableBufferPointer { sg in sumGX.withUnsafeMutableBufferPointer { sgx in
                    parallelChunks(c, minimumPerChunk: perChannel) { channels in
                        for ch in channels {
                            var a = 0.0, b = 0.0
                            let mu = channelMean[ch], rs = channelRstd[ch]
                            for n in 0..<batches {
                                let offset = (n * c + ch) * hw
                                for i in 0..<hw {
                                    let gv = Double(pg[offset + i])
                                    a += gv
                                    b += gv * Double((px[offset + i] - mu) * rs)
                                }
                            }
                            sg[ch] = Float(a)
                            sgx[ch] = Float(b)
                        }
                    }
                } }
            } }
            var gx: Tensor?
            if x.requiresGrad {
                gx = Tensor(shape: x.shape) { dx in
                    g.scalars.withUnsafeBufferPointer { pg in x.scalars.withUnsafeBufferPointer { px in
                        withOptionalPointer(weight) { pw in
                            parallelChunks(c, minimumPerChunk: perChannel) { channels in
                                for ch in channels {
                                    let mu = channelMean[ch], rs = channelRstd[ch], k = rs * (pw?[ch] ?? 1)
                                    let meanG = sumG[ch] / Float(m), meanGX = sumGX[ch] / Float(m)
                                    for n in 0..<batches {
                                        let offset = (n * c + ch) * hw
                                        for i in 0..<hw {
                                            if training {
                                                let xh = (px[offset + i] - mu) * rs
                                                dx[offset + i] = k * (pg[offset + i] - meanG - xh * meanGX)
                                            } else {
                                                dx[offset + i] = k * pg[offset + i]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    } }
                }
            }
            var grads: [Tensor?] = [gx]
            if let weight { grads.append(weight.requiresGrad ? Tensor(uncheckedShape: [c], scalars: sumGX) : nil) }
            if let bias { grads.append(bias.requiresGrad ? Tensor(uncheckedShape: [c], scalars: sumG) : nil) }
            return grads
        }
        return (output, newMean, newVariance)
    }
}

/// Calls `body` with a pointer to `tensor`'s scalars, or `nil` when there is no tensor.
@inline(__always)
func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.scalars.withUnsafeBufferPointer { body($0.baseAddress) }
}

extension Tensor {
    /// The sum of `blocks` consecutive blocks of partial sums, each `shape` in size, added in
    /// block order (so the result does not depend on which thread produced which block).
    static func sumOfBlocks(_ partials: [Float], blocks: Int, shape: [Int]) -> Tensor {
        let width = shape.reduce(1, *)
        return Tensor(shape: shape) { out in
            out.update(repeating: 0)
            partials.withUnsafeBufferPointer { p in
                for block in 0..<blocks {
                    let row = p.baseAddress! + block * width
                    for j in 0..<width { out[j] += row[j] }
                }
            }
        }
    }
}
