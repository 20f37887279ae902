import Foundation

/// Loss functions and cosine similarity, matching PyTorch's `torch.nn.functional` with the
/// default `'mean'` reduction. Every loss returns a rank-0 tensor.
public enum Loss {
    // logits: [N, C] or [N, C, d₁, …] (class axis 1), targets: N · d₁ · … class indices → loss: []
    // per kept position p: ℓ_p = log Σ_c exp(x_{p,c}) − x_{p,t_p};  loss = Σ ℓ_p / (#kept)
    /// Cross-entropy of class logits against integer targets, as
    /// `F.cross_entropy(logits, targets, ignore_index=ignoreIndex)` (mean over kept targets).
    ///
    /// `targets` lists one class index per position in row-major order of the non-class
    /// dimensions (for `[N, C, H, W]`: `n·H·W + h·W + w`). Positions whose target equals
    /// `ignoreIndex` are left out of the loss and the mean and get zero gradient. A fused
    /// log-softmax + NLL kernel; its backward is `(softmax − onehot) · g / #kept`.
    ///
    /// When every target is ignored PyTorch returns NaN (0/0); this returns 0 with a zero
    /// gradient instead, so a batch of unlabeled pixels cannot poison training.
    /// - Precondition: every target is the ignore index or a class in `0..<C`.
    public static func crossEntropy(logits: Tensor, targets: [Int], ignoreIndex: Int = 255) -> Tensor {
        precondition(logits.rank >= 2, "crossEntropy: logits must be [N, C] or [N, C, H, W], got \(logits.shape)")
        let batch = logits.shape[0], classes = logits.shape[1]
        let spatial = logits.shape[2...].reduce(1, *)
        let positions = batch * spatial
        precondition(classes > 0, "crossEntropy: logits \(logits.shape) have no classes")
        precondition(targets.count == positions,
                     "crossEntropy: logits \(logits.shape) need \(positions) targets, got \(targets.count)")
        for (p, t) in targets.enumerated() where t != ignoreIndex {
            precondition(t >= 0 && t < classes,
                         "crossEntropy: target \(t) at position \(p) is not a class in 0..<\(classes) and not the ignore index \(ignoreIndex)")
        }
        FlopCounter.add(multiplyAdds: 2 * logits.count)
        var losses = [Float](repeating: 0, count: positions)
        // Per kept position: the maximum logit m and log Σ exp(x − m).
        var maxima = [Float](repeating: 0, count: positions)
        var logSums = [Float](repeating: 0, count: positions)
        logits.scalars.withUnsafeBufferPointer { px in
            losses.withUnsafeMutableBufferPointer { pl in
                maxima.withUnsafeMutableBufferPointer { pm in logSums.withUnsafeMutableBufferPointer { pz in
                    parallelChunks(positions, minimumPerChunk: Swift.max(1, Tensor.pointwiseChunk / classes)) { range in
                        for p in range where targets[p] != ignoreIndex {
                            let row = px.baseAddress! + (p / spatial) * classes * spatial + p % spatial
                            var m = -Float.infinity
                            for j in 0..<classes { m = Swift.max(m, row[j * spatial]) }
                            var sum: Float = 0
                            for j in 0..<classes { sum += Foundation.exp(row[j * spatial] - m) }
                            let logSum = Foundation.log(sum)
                            pm[p] = m
                            pz[p] = logSum
                            pl[p] = logSum - (row[targets[p] * spatial] - m)
                        }
                    }
                } }
            }
        }
        let kept = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
        let total = losses.reduce(0.0) { $0 + Double($1) }
        let out = Tensor(kept > 0 ? Float(total / Double(kept)) : 0)
        let savedMaxima = maxima, savedLogSums = logSums
        return Tensor.record(out, inputs: [logits]) { g in
            let coefficient = kept > 0 ? g.item / Float(kept) : 0
            let grad = Tensor(shape: logits.shape) { dx in
                logits.scalars.withUnsafeBufferPointer { px in
                    parallelChunks(positions, minimumPerChunk: Swift.max(1, Tensor.pointwiseChunk / classes)) { range in
                        for p in range {
                            let base = (p / spatial) * classes * spatial + p % spatial
                            let t = targets[p]
                            if t == ignoreIndex {
                                for j in 0..<classes { dx[base + j * spatial] = 0 }
                                continue
                            }
                            let m = savedMaxima[p], logSum = savedLogSums[p]
                            for j in 0..<classes {
                                let i = base + j * spatial
                                let softmax = Foundation.exp((px[i] - m) - logSum)
                                dx[i] = coefficient * (j == t ? softmax - 1 : softmax)
                            }
                        }
                    }
                }
            }
            return [grad]
        }
    }

    // prediction, target: [...] (same shape), mask: broadcastable to it → loss: []
    /// Mean absolute error `mean |p − t|`, as `F.l1_loss`. With a mask, the mean runs over the
    /// elements where the (broadcast) mask is positive; if there are none the loss is 0 with a
    /// zero gradient. The gradient of `|·|` at 0 is 0, as PyTorch's.
    public static func l1(_ prediction: Tensor, _ target: Tensor, mask: Tensor? = nil) -> Tensor {
        precondition(prediction.shape == target.shape,
                     "l1: prediction \(prediction.shape) and target \(target.shape) differ in shape")
        return maskedMean((prediction - target).abs(), mask: mask, opName: "l1")
    }

    // prediction, target: [...] (same shape), mask: broadcastable to it → loss: []
    /// Mean squared error `mean (p − t)²`, as `F.mse_loss`, with the same optional mask as
    /// ``l1(_:_:mask:)``.
    public static func mse(_ prediction: Tensor, _ target: Tensor, mask: Tensor? = nil) -> Tensor {
        precondition(prediction.shape == target.shape,
                     "mse: prediction \(prediction.shape) and target \(target.shape) differ in shape")
        return maskedMean((prediction - target).square(), mask: mask, opName: "mse")
    }

    // logits, targets: [...] (same shape, targets in [0, 1]), mask: broadcastable → loss: []
    // ℓ = (1 − t)·x + w·softplus(−x),  w = 1 + (positiveWeight − 1)·t
    /// Binary cross-entropy on logits, as `nn.BCEWithLogitsLoss(pos_weight=positiveWeight)`
    /// with a scalar positive-class weight, computed stably as PyTorch does
    /// (`softplus(−x) = m + log(e⁻ᵐ + e⁻ˣ⁻ᵐ)`, `m = max(−x, 0)`).
    ///
    /// The mean runs over every element, or with a mask over the elements where the broadcast
    /// mask is positive (0 with zero gradient if none). Gradients:
    /// `∂x = (1 − t) − w·σ(−x)` and `∂t = −x + (positiveWeight − 1)·softplus(−x)`, each times
    /// `g / count`.
    public static func binaryCrossEntropyWithLogits(
        _ logits: Tensor, _ targets: Tensor, positiveWeight: Float? = nil, mask: Tensor? = nil
    ) -> Tensor {
        precondition(logits.shape == targets.shape,
                     "binaryCrossEntropyWithLogits: logits \(logits.shape) and targets \(targets.shape) differ in shape")
        let selection = mask.map { binaryMask($0, shape: logits.shape, opName: "binaryCrossEntropyWithLogits") }
        let selected = selection.map { $0.scalars.reduce(0.0) { $0 + Double($1) } } ?? Double(logits.count)
        let pw = positiveWeight ?? 1
        FlopCounter.add(multiplyAdds: 4 * logits.count)
        // Per element: softplus(−x) (kept for the backward pass) and the selected loss.
        var softplus = [Float](repeating: 0, count: logits.count)
        var losses = [Float](repeating: 0, count: logits.count)
        logits.scalars.withUnsafeBufferPointer { px in targets.scalars.withUnsafeBufferPointer { pt in
            softplus.withUnsafeMutableBufferPointer { psp in losses.withUnsafeMutableBufferPointer { pl in
                withOptionalPointer(selection) { pm in
                    parallelChunks(px.count, minimumPerChunk: Tensor.pointwiseChunk) { range in
                        for i in range {
                            let x = px[i], t = pt[i]
                            let m = Swift.max(-x, 0)
                            let sp = m + Foundation.log(Foundation.exp(-m) + Foundation.exp(-x - m))
                            psp[i] = sp
                            let loss = (1 - t) * x + (1 + (pw - 1) * t) * sp
                            pl[i] = pm.map { $0[i] * loss } ?? loss
                        }
                    }
                }
            } }
        } }
        let total = losses.reduce(0.0) { $0 + Double($1) }
        let out = Tensor(selected > 0 ? Float(total / selected) : 0)
        let savedSoftplus = softplus
        return Tensor.record(out, inputs: [logits, targets]) { g in
            let coefficient = selected > 0 ? g.item / Float(selected) : 0
            func gradient(_ f: (_ x: Float, _ t: Float, _ sp: Float) -> Float) -> Tensor {
                Tensor(shape: logits.shape) { d in
                    logits.scalars.withUnsafeBufferPointer { px in targets.scalars.withUnsafeBufferPointer { pt in
                        withOptionalPointer(selection) { pm in
                            savedSoftplus.withUnsafeBufferPointer { psp in
                                parallelChunks(d.count, minimumPerChunk: Tensor.pointwiseChunk) { range in
                                    for i in range { d[i] = coefficient * (pm?[i] ?? 1) * f(px[i], pt[i], psp[i]) }
                                }
                            }
                        }
                    } }
                }
            }
            let gx = logits.requiresGrad ? gradient { x, t, _ in (1 - t) - (1 + (pw - 1) * t) * stableSigmoid(-x) } : nil
            let gt = targets.requiresGrad ? gradient { x, _, sp in -x + (pw - 1) * sp } : nil
            return [gx, gt]
        }
    }

    // a: [..., n, ...], b: broadcastable to a common shape S; axis indexes S → out: S without axis
    // cos = Σ aᵢbᵢ / (max(‖a‖, ε) · max(‖b‖, ε))
    /// Cosine similarity along `axis`, as `F.cosine_similarity(a, b, dim=axis, eps=epsilon)` in
    /// PyTorch 2.x, which clamps each norm separately (not their product). `a` and `b`
    /// broadcast against each other; the axis is removed from the result.
    ///
    /// Like PyTorch's, the gradient treats the clamp as the identity for the norm's derivative:
    /// `∂a = g · (b / (â·b̂) − cos · a / (‖a‖·â))` with `â = max(‖a‖, ε)`, `b̂ = max(‖b‖, ε)`
    /// (the second term is 0 where `‖a‖ = 0`), and symmetrically for `b`.
    public static func cosineSimilarity(_ a: Tensor, _ b: Tensor, axis: Int = 1, epsilon: Float = 1e-8) -> Tensor {
        guard let full = ShapeMath.broadcast(a.shape, b.shape) else {
            preconditionFailure("cosineSimilarity: shapes \(a.shape) and \(b.shape) cannot be broadcast together")
        }
        precondition(!full.isEmpty, "cosineSimilarity: inputs need rank ≥ 1, got \(a.shape) and \(b.shape)")
        let ax = normalizeAxis(axis, rank: full.count)
        let outer = full[..<ax].reduce(1, *), n = full[ax], inner = full[(ax + 1)...].reduce(1, *)
        let ea = a.broadcastKernel(to: full), eb = b.broadcastKernel(to: full)
        let lanes = outer * inner
        FlopCounter.add(multiplyAdds: 3 * ea.count)
        // Per lane: cosine, ‖a‖, ‖b‖.
        var cosine = [Float](repeating: 0, count: lanes)
        var normA = [Float](repeating: 0, count: lanes), normB = [Float](repeating: 0, count: lanes)
        ea.scalars.withUnsafeBufferPointer { pa in eb.scalars.withUnsafeBufferPointer { pb in
            cosine.withUnsafeMutableBufferPointer { pc in
                normA.withUnsafeMutableBufferPointer { pna in normB.withUnsafeMutableBufferPointer { pnb in
                    parallelChunks(lanes, minimumPerChunk: Swift.max(1, Tensor.pointwiseChunk / Swift.max(n, 1))) { range in
                        for lane in range {
                            let base = (lane / inner) * n * inner + lane % inner
                            var dot = 0.0, saa = 0.0, sbb = 0.0
                            for j in 0..<n {
                                let x = Double(pa[base + j * inner]), y = Double(pb[base + j * inner])
                                dot += x * y
                                saa += x * x
                                sbb += y * y
                            }
                            let na = saa.squareRoot(), nb = sbb.squareRoot()
                            pna[lane] = Float(na)
                            pnb[lane] = Float(nb)
                            pc[lane] = Float(dot / (Swift.max(na, Double(epsilon)) * Swift.max(nb, Double(epsilon))))
                        }
                    }
                } }
            }
        } }
        var outShape = full
        outShape.remove(at: ax)
        let out = Tensor(uncheckedShape: outShape, scalars: cosine)
        let savedCosine = cosine, savedNormA = normA, savedNormB = normB
        return Tensor.record(out, inputs: [a, b]) { g in
            // ∂self = g · (other / (ŝ·ô) − cos · self / (‖self‖·ŝ)), per lane.
            func gradient(_ mine: Tensor, _ other: Tensor, _ myNorm: [Float], _ otherNorm: [Float]) -> Tensor {
                Tensor(shape: full) { d in
                    mine.scalars.withUnsafeBufferPointer { pm in other.scalars.withUnsafeBufferPointer { po in
                        g.scalars.withUnsafeBufferPointer { pg in
                            for lane in 0..<lanes {
                                let base = (lane / inner) * n * inner + lane % inner
                                let clampedMine = Swift.max(myNorm[lane], epsilon), clampedOther = Swift.max(otherNorm[lane], epsilon)
                                let cross = pg[lane] / (clampedMine * clampedOther)
                                let own = myNorm[lane] > 0 ? pg[lane] * savedCosine[lane] / (myNorm[lane] * clampedMine) : 0
                                for j in 0..<n {
                                    let i = base + j * inner
                                    d[i] = cross * po[i] - own * pm[i]
                                }
                            }
                        }
                    } }
                }
            }
            let ga = a.requiresGrad ? gradient(ea, eb, savedNormA, savedNormB).sumToShape(a.shape) : nil
            let gb = b.requiresGrad ? gradient(eb, ea, savedNormB, savedNormA).sumToShape(b.shape) : nil
            return [ga, gb]
        }
    }

    /// The mean of `values`, or with a mask the mean over the elements where the broadcast mask
    /// is positive (0 with zero gradient when there are none).
    private static func maskedMean(_ values: Tensor, mask: Tensor?, opName: String) -> Tensor {
        guard let mask else { return values.mean() }
        let selection = binaryMask(mask, shape: values.shape, opName: opName)
        let selected = selection.scalars.reduce(0.0) { $0 + Double($1) }
        return (values * selection).sum() * (selected > 0 ? Float(1 / selected) : 0)
    }

    /// `mask > 0` as 1/0, broadcast to `shape` (no gradient).
    private static func binaryMask(_ mask: Tensor, shape: [Int], opName: String) -> Tensor {
        precondition(ShapeMath.broadcast(mask.shape, shape) == shape,
                     "\(opName): mask \(mask.shape) does not broadcast to \(shape)")
        return mask.broadcastKernel(to: shape).mapKernel { $0 > 0 ? 1 : 0 }
    }
}
