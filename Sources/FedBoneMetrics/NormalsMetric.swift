import Foundation

/// Angular error of surface normals over every valid pixel of the test set.
///
/// A pixel is valid when its target normal is non-zero (`‖n‖ > 0`). Both the prediction `n̂`
/// and the target `n` are normalised to unit length (a zero prediction counts as 90°), and the
/// error is `θ = acos(clamp(n̂·n, −1, 1))` in degrees. Over the set `V` of valid pixels of all
/// images together:
///
/// - `meanAngle = Σ_V θ / |V|`;  `rmseAngle = sqrt(Σ_V θ² / |V|)`;
/// - `medianAngle`: the median of all θ (the mean of the two middle values for even `|V|`).
///   The errors are kept in a histogram of 0.001° bins rather than all in memory, so the
///   median is exact to within 0.0005°;
/// - `within11.25`, `within22.5`, `within30`: the fraction (not percent) of pixels with
///   θ < 11.25°, 22.5°, 30°, counted exactly.
///
/// With no valid pixel every value is NaN.
///
/// Values: "meanAngle" (primary, lower is better), "medianAngle", "rmseAngle", "within11.25",
/// "within22.5", "within30".
public struct NormalsMetric: TaskMetric {
    public let task: TaskSpec
    /// Histogram bin width in degrees.
    static let binWidth = 0.001
    private var histogram: [Int]
    private var sum = 0.0
    private var sumOfSquares = 0.0
    private var within: [Int] = [0, 0, 0]
    /// Valid pixels seen so far.
    public private(set) var validPixels = 0
    private var samples = 0
    /// The thresholds of the "within" fractions, in degrees.
    public static let thresholds: [Double] = [11.25, 22.5, 30]

    public init(task: TaskSpec = TaskSpec(.normals)) {
        self.task = task
        histogram = Array(repeating: 0, count: Int((180 / Self.binWidth).rounded()) + 1)
    }

    /// Adds predicted normals `[B, 3, H, W]` against a `.map` target of the same shape.
    public mutating func update(prediction: Tensor, target: TaskTarget) {
        guard case .map(let normals) = target else {
            preconditionFailure("NormalsMetric: expects a .map target")
        }
        precondition(prediction.shape == normals.shape && prediction.rank == 4 && prediction.shape[1] == 3,
                     "NormalsMetric: prediction \(prediction.shape) and target \(normals.shape) must both be [B, 3, H, W]")
        let b = prediction.shape[0], plane = prediction.shape[2] * prediction.shape[3]
        prediction.withUnsafeBufferPointer { p in
            normals.withUnsafeBufferPointer { t in
                for n in 0..<b {
                    for i in 0..<plane {
                        let base = n * 3 * plane + i
                        let tx = Double(t[base]), ty = Double(t[base + plane]), tz = Double(t[base + 2 * plane])
                        let tNorm = (tx * tx + ty * ty + tz * tz).squareRoot()
                        guard tNorm > 0 else { continue }
                        let px = Double(p[base]), py = Double(p[base + plane]), pz = Double(p[base + 2 * plane])
                        let pNorm = (px * px + py * py + pz * pz).squareRoot()
                        let cosine = pNorm > 0 ? (px * tx + py * ty + pz * tz) / (pNorm * tNorm) : 0
                        add(angle: acos(min(max(cosine, -1), 1)) * 180 / Double.pi)
                    }
                }
            }
        }
        samples += b
    }

    private mutating func add(angle: Double) {
        sum += angle
        sumOfSquares += angle * angle
        for (j, limit) in Self.thresholds.enumerated() where angle < limit {
            within[j] += 1
        }
        histogram[min(Int(angle / Self.binWidth), histogram.count - 1)] += 1
        validPixels += 1
    }

    /// The midpoint of the bin holding the `rank`-th smallest error (0-based).
    private func binCentre(ofRank rank: Int) -> Double {
        var seen = 0
        for (bin, count) in histogram.enumerated() {
            seen += count
            if seen > rank { return (Double(bin) + 0.5) * Self.binWidth }
        }
        return 180
    }

    public func summary() -> MetricSummary {
        guard validPixels > 0 else {
            let names = ["meanAngle", "medianAngle", "rmseAngle", "within11.25", "within22.5", "within30"]
            return MetricSummary(values: Dictionary(uniqueKeysWithValues: names.map { ($0, Double.nan) }),
                                 primaryName: "meanAngle", higherIsBetter: false, samples: samples)
        }
        let n = Double(validPixels)
        let median = (binCentre(ofRank: (validPixels - 1) / 2) + binCentre(ofRank: validPixels / 2)) / 2
        let values: [String: Double] = [
            "meanAngle": sum / n,
            "medianAngle": median,
            "rmseAngle": (sumOfSquares / n).squareRoot(),
            "within11.25": Double(within[0]) / n,
            "within22.5": Double(within[1]) / n,
            "within30": Double(within[2]) / n,
        ]
        return MetricSummary(values: values, primaryName: "meanAngle", higherIsBetter: false, samples: samples)
    }
}
