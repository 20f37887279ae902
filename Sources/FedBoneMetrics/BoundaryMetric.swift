import Foundation

/// Boundary detection F-measure at the optimal dataset scale (odsF), BSDS style.
///
/// Predictions are logits `[B, 1, H, W]`; a pixel is a predicted boundary at threshold `t` when
/// `sigmoid(logit) ≥ t`, for the 99 thresholds `t = 0.01, 0.02, …, 0.99`. A target pixel is a
/// true boundary when its value is ≥ 0.5.
///
/// **Tolerance.** A predicted and a true boundary pixel may be matched when their Euclidean
/// distance is at most `r = max(1, round(maxDist · sqrt(H² + W²)))` pixels, with the BSDS
/// benchmark's `maxDist = 0.0075` of the image diagonal by default (the value the
/// multi-task dense-prediction benchmarks use for PASCAL-Context; NYUD evaluations often use
/// 0.011). At 64×64, `r = 1`; at 480×640, `r = 6`.
///
/// **Matching.** Each true pixel matches at most one predicted pixel and vice versa. The
/// MATLAB evaluator (`correspondPixels` in the BSDS benchmark and in seism) solves a
/// minimum-cost assignment in which pairs farther than the tolerance are forbidden and an
/// unmatched pixel costs more than any allowed pair, so it finds a *maximum* one-to-one
/// matching, preferring short pairs. We approximate it greedily by increasing distance: the
/// offsets inside the tolerance disc are grouped by distance; for each distance, nearest first,
/// every still-unmatched predicted pixel (in raster order) takes the first still-unmatched true
/// pixel at that offset distance (offsets in `(dy, dx)` order). The result is a maximal
/// matching: it never has fewer than half the pairs of the maximum one, and it equals the
/// maximum unless a predicted pixel takes a true pixel that another predicted pixel needed
/// for lack of any alternative, which is rare for thin boundaries. We accept this for an
/// `O(predicted · disc)` algorithm without a graph solver, deterministic on every platform.
/// Two further differences from the MATLAB evaluator: it thins the thresholded prediction to
/// one-pixel width (`bwmorph(…, 'thin', Inf)`) before matching, which we do not (thick
/// predicted boundaries therefore lose precision here), and BSDS compares with several human
/// annotations where we have one.
///
/// **Aggregation.** For every threshold, the matched pairs `m`, the predicted pixels `P` and
/// the true pixels `T` are summed over all images before computing
/// `precision = m / P`, `recall = m / T`, `F = 2·precision·recall / (precision + recall)`.
/// `odsF` is the largest F over the thresholds (the first threshold on ties).
/// `oisF` (optimal image scale) takes each image's own best threshold, sums those counts,
/// then computes F.
///
/// **Empty maps.** `precision = 1` when nothing is predicted (no false positive) and
/// `recall = 1` when nothing is true (nothing missed); `F = 0` when precision + recall = 0.
/// Hence both empty gives F = 1, and exactly one empty gives F = 0. (The MATLAB code gives 0
/// for both empty; this never arises on a real test set.)
///
/// Values: "odsF" (primary, higher is better), "odsPrecision", "odsRecall", "odsThreshold",
/// "oisF".
public struct BoundaryMetric: TaskMetric {
    public let task: TaskSpec
    /// The matching tolerance relative to the image diagonal (used when `tolerancePixels` is nil).
    public let relativeTolerance: Double
    /// A fixed matching tolerance in pixels, overriding `relativeTolerance`.
    public let tolerancePixels: Int?
    /// The thresholds on sigmoid(logit): 0.01, 0.02, …, 0.99.
    public static let thresholds: [Float] = (1...99).map { Float($0) / 100 }

    /// Per threshold: matched pairs, predicted pixels; and the true pixels (threshold-free).
    private var matched: [Int]
    private var predicted: [Int]
    private var truth = 0
    /// The per-image best counts (matched, predicted, true) for oisF.
    private var oisMatched = 0, oisPredicted = 0, oisTruth = 0
    private var samples = 0

    /// A metric whose tolerance is `relativeTolerance` of each image's diagonal.
    public init(task: TaskSpec = TaskSpec(.boundaries), relativeTolerance: Double = 0.0075) {
        self.task = task
        self.relativeTolerance = relativeTolerance
        self.tolerancePixels = nil
        matched = Array(repeating: 0, count: Self.thresholds.count)
        predicted = matched
    }

    /// A metric with a fixed tolerance of `tolerancePixels` (≥ 0) pixels.
    public init(task: TaskSpec = TaskSpec(.boundaries), tolerancePixels: Int) {
        precondition(tolerancePixels >= 0, "BoundaryMetric: negative tolerance \(tolerancePixels)")
        self.task = task
        self.relativeTolerance = 0.0075
        self.tolerancePixels = tolerancePixels
        matched = Array(repeating: 0, count: Self.thresholds.count)
        predicted = matched
    }

    /// The tolerance in pixels for an image of `height × width`.
    public func tolerance(height: Int, width: Int) -> Int {
        if let tolerancePixels { return tolerancePixels }
        let diagonal = Double(height * height + width * width).squareRoot()
        return max(1, Int((relativeTolerance * diagonal).rounded()))
    }

    /// Adds logits `[B, 1, H, W]` against a `.map` target of the same shape.
    public mutating func update(prediction: Tensor, target: TaskTarget) {
        guard case .map(let edges) = target else {
            preconditionFailure("BoundaryMetric: expects a .map target")
        }
        precondition(prediction.shape == edges.shape && prediction.rank == 4 && prediction.shape[1] == 1,
                     "BoundaryMetric: prediction \(prediction.shape) and target \(edges.shape) must both be [B, 1, H, W]")
        let b = prediction.shape[0], h = prediction.shape[2], w = prediction.shape[3]
        let rings = offsetRings(radius: tolerance(height: h, width: w))
        for n in 0..<b {
            let range = (n * h * w)..<((n + 1) * h * w)
            let probabilities = prediction.scalars[range].map { 1 / (1 + exp(-$0)) }
            let isTrue = edges.scalars[range].map { $0 >= 0.5 }
            addImage(probabilities: probabilities, isTrue: isTrue, width: w, rings: rings)
        }
        samples += b
    }

    private mutating func addImage(probabilities: [Float], isTrue: [Bool], width: Int, rings: [[(Int, Int)]]) {
        let trueCount = isTrue.reduce(0) { $0 + ($1 ? 1 : 0) }
        let thresholds = Self.thresholds
        var imageMatched = [Int](repeating: 0, count: thresholds.count)
        var imagePredicted = [Int](repeating: 0, count: thresholds.count)
        imageMatched.withUnsafeMutableBufferPointer { matchedOut in
            imagePredicted.withUnsafeMutableBufferPointer { predictedOut in
                parallelChunks(thresholds.count, minimumPerChunk: 8) { range in
                    var matcher = GreedyMatcher(isTrue: isTrue, width: width, rings: rings)
                    for j in range {
                        var pixels: [Int] = []
                        for (i, p) in probabilities.enumerated() where p >= thresholds[j] { pixels.append(i) }
                        predictedOut[j] = pixels.count
                        matchedOut[j] = matcher.matches(predicted: pixels)
                    }
                }
            }
        }
        var best = 0, bestF = -1.0
        for j in thresholds.indices {
            matched[j] += imageMatched[j]
            predicted[j] += imagePredicted[j]
            let f = Self.fMeasure(matched: imageMatched[j], predicted: imagePredicted[j], truth: trueCount).f
            if f > bestF { best = j; bestF = f }
        }
        truth += trueCount
        oisMatched += imageMatched[best]
        oisPredicted += imagePredicted[best]
        oisTruth += trueCount
    }

    /// Precision, recall and F with the empty-map conventions above.
    static func fMeasure(matched: Int, predicted: Int, truth: Int) -> (precision: Double, recall: Double, f: Double) {
        let precision = predicted == 0 ? 1 : Double(matched) / Double(predicted)
        let recall = truth == 0 ? 1 : Double(matched) / Double(truth)
        let f = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        return (precision, recall, f)
    }

    public func summary() -> MetricSummary {
        var best = 0, bestF = -1.0
        for j in Self.thresholds.indices {
            let f = Self.fMeasure(matched: matched[j], predicted: predicted[j], truth: truth).f
            if f > bestF { best = j; bestF = f }
        }
        let ods = Self.fMeasure(matched: matched[best], predicted: predicted[best], truth: truth)
        let values: [String: Double] = [
            "odsF": ods.f,
            "odsPrecision": ods.precision,
            "odsRecall": ods.recall,
            "odsThreshold": Double(Self.thresholds[best]),
            "oisF": Self.fMeasure(matched: oisMatched, predicted: oisPredicted, truth: oisTruth).f,
        ]
        return MetricSummary(values: values, primaryName: "odsF", higherIsBetter: true, samples: samples)
    }
}

/// The greedy nearest-first one-to-one matching of predicted pixels to the true pixels of one
/// image (see ``BoundaryMetric``), with scratch space reused across thresholds.
struct GreedyMatcher {
    let isTrue: [Bool]
    let width: Int
    let height: Int
    let rings: [[(Int, Int)]]
    /// Whether each true pixel is already matched; reset after each call through `touched`.
    private var taken: [Bool]
    private var touched: [Int] = []

    init(isTrue: [Bool], width: Int, rings: [[(Int, Int)]]) {
        self.isTrue = isTrue
        self.width = width
        self.height = isTrue.count / max(width, 1)
        self.rings = rings
        taken = [Bool](repeating: false, count: isTrue.count)
    }

    /// The number of pairs matched for the `predicted` pixel indices (raster order): ring by
    /// ring, nearest first, each still-unmatched predicted pixel takes the first free true pixel
    /// at an offset of that ring.
    mutating func matches(predicted: [Int]) -> Int {
        var unmatched = predicted
        var left: [Int] = []
        left.reserveCapacity(predicted.count)
        var count = 0
        let (w, h) = (width, height)
        isTrue.withUnsafeBufferPointer { truth in
            taken.withUnsafeMutableBufferPointer { taken in
                for ring in rings where !unmatched.isEmpty {
                    left.removeAll(keepingCapacity: true)
                    for p in unmatched {
                        let y = p / w, x = p % w
                        var found = false
                        for (dy, dx) in ring {
                            let yy = y + dy, xx = x + dx
                            guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                            let q = yy * w + xx
                            if truth[q] && !taken[q] {
                                taken[q] = true
                                touched.append(q)
                                found = true
                                break
                            }
                        }
                        if found { count += 1 } else { left.append(p) }
                    }
                    swap(&unmatched, &left)
                }
                for q in touched { taken[q] = false }
            }
        }
        touched.removeAll(keepingCapacity: true)
        return count
    }
}

/// The integer offsets `(dy, dx)` with `dy² + dx² ≤ radius²`, grouped by distance (nearest
/// group first) and ordered by `(dy, dx)` inside a group.
func offsetRings(radius: Int) -> [[(Int, Int)]] {
    var byDistance: [Int: [(Int, Int)]] = [:]
    for dy in -radius...radius {
        for dx in -radius...radius where dy * dy + dx * dx <= radius * radius {
            byDistance[dy * dy + dx * dx, default: []].append((dy, dx))
        }
    }
    return byDistance.keys.sorted().compactMap { byDistance[$0] }
}
