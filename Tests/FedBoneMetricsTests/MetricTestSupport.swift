import Foundation
import FedBoneMetrics

/// One-hot logits `[B, K, H, W]` (or `[B, K]` when `height` is nil) for predicted classes.
func oneHotLogits(_ classes: [Int], k: Int, batch: Int = 1, height: Int? = nil, width: Int = 1) -> Tensor {
    let plane = height.map { $0 * width } ?? 1
    precondition(classes.count == batch * plane)
    var scalars = [Float](repeating: 0, count: batch * k * plane)
    for (index, c) in classes.enumerated() {
        let n = index / plane, i = index % plane
        scalars[(n * k + c) * plane + i] = 1
    }
    let shape = height.map { [batch, k, $0, width] } ?? [batch, k]
    return Tensor(uncheckedShape: shape, scalars: scalars)
}

/// The logit of probability `p`.
func logit(_ p: Double) -> Float { Float(log(p / (1 - p))) }

/// A `[1, 1, h, w]` map with `value` at the given `(y, x)` pixels and `background` elsewhere.
func pointMap(_ points: [(Int, Int)], height: Int, width: Int, value: Float = 1, background: Float = 0) -> Tensor {
    var scalars = [Float](repeating: background, count: height * width)
    for (y, x) in points { scalars[y * width + x] = value }
    return Tensor(uncheckedShape: [1, 1, height, width], scalars: scalars)
}

/// `|a − b| ≤ tolerance`.
func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance
}
