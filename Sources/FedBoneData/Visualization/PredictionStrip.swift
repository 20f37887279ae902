import Foundation

/// Pictures of a model's predictions next to the truth, for a person to look at: one row per
/// image, three tiles per row — the input image, the truth and the prediction of the task —
/// coloured like ``SampleStrip``:
/// - segmentation, parts: labels (the prediction's arg-max over classes) in the PASCAL VOC colour
///   map, ignored pixels (255) in its pale "void" colour;
/// - depth: the colour ramp from yellow (near) to dark purple (far) over the range of the
///   image's valid true depths (the prediction clamped to it), invalid pixels black;
/// - normals: `(n + 1)/2 → RGB` (the prediction normalised first), invalid pixels black;
/// - boundaries, saliency: grey levels, the prediction as sigmoid(logit);
/// - classification: a tile filled with the colour of the true and of the predicted class
///   (class c in the colour map's colour of label c + 1, so no class is black).
/// The input is drawn as RGB scaled by 255 when its values lie in [0, 1], else stretched from
/// its minimum to its maximum.
public enum PredictionStrip {
    /// The picture as interleaved RGB rows: the first `count` images of the batch (all when nil),
    /// each sample pixel drawn `scale`×`scale`, tiles and rows separated by a 2-pixel white gap.
    /// - Parameters:
    ///   - images: `[B, 3, H, W]`.
    ///   - target: the batch's truth.
    ///   - prediction: the task head's output for `images`: `[B, K, H, W]` (dense tasks) or
    ///     `[B, K]` (classification).
    public static func render(task: TaskKind, images: Tensor, target: TaskTarget, prediction: Tensor,
                              count: Int? = nil, scale: Int = 4) -> (width: Int, height: Int, rgb: [UInt8]) {
        precondition(images.rank == 4 && images.shape[1] == 3, "PredictionStrip: images \(images.shape) are not [B, 3, H, W]")
        precondition(scale >= 1, "PredictionStrip: scale must be at least 1, got \(scale)")
        let (b, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        precondition(prediction.shape.first == b, "PredictionStrip: prediction \(prediction.shape) for \(b) images")
        let rows = min(count ?? b, b)
        precondition(rows >= 1, "PredictionStrip: no image to draw")
        let gap = 2, tile = (w * scale, h * scale)
        let width = 3 * tile.0 + 2 * gap, height = rows * tile.1 + (rows - 1) * gap
        var out = [UInt8](repeating: 255, count: 3 * width * height)
        for n in 0..<rows {
            let pictures = [input(images, n), truth(task, target, n, h * w), predicted(task, prediction, target, n, h * w)]
            for (t, picture) in pictures.enumerated() {
                let left = t * (tile.0 + gap), top = n * (tile.1 + gap)
                for y in 0..<tile.1 {
                    for x in 0..<tile.0 {
                        let colour = picture[(y / scale) * w + x / scale]
                        let o = 3 * ((top + y) * width + left + x)
                        out[o] = colour.x
                        out[o + 1] = colour.y
                        out[o + 2] = colour.z
                    }
                }
            }
        }
        return (width, height, out)
    }

    /// ``render(task:images:target:prediction:count:scale:)`` as PNG bytes.
    public static func png(task: TaskKind, images: Tensor, target: TaskTarget, prediction: Tensor,
                           count: Int? = nil, scale: Int = 4) -> Data {
        let strip = render(task: task, images: images, target: target, prediction: prediction, count: count, scale: scale)
        return PNGEncoder.encode(width: strip.width, height: strip.height, rgb: strip.rgb)
    }

    /// Image `n` of `images` as colours.
    static func input(_ images: Tensor, _ n: Int) -> [SIMD3<UInt8>] {
        let plane = images.shape[2] * images.shape[3]
        let values = Array(images.scalars[(n * 3 * plane)..<((n + 1) * 3 * plane)])
        let low = values.min() ?? 0, high = values.max() ?? 1
        let (offset, range): (Float, Float) = low >= 0 && high <= 1 ? (0, 1) : (low, max(high - low, 1e-12))
        func byte(_ v: Float) -> UInt8 { UInt8(min(max((v - offset) / range * 255, 0), 255).rounded()) }
        return (0..<plane).map { SIMD3(byte(values[$0]), byte(values[plane + $0]), byte(values[2 * plane + $0])) }
    }

    /// The map of channel `c` of sample `n` of a `[B, K, H, W]` tensor.
    static func channel(_ t: Tensor, _ n: Int, _ c: Int, _ plane: Int) -> ArraySlice<Float> {
        let base = (n * t.shape[1] + c) * plane
        return t.scalars[base..<(base + plane)]
    }

    static func truth(_ task: TaskKind, _ target: TaskTarget, _ n: Int, _ plane: Int) -> [SIMD3<UInt8>] {
        switch target {
        case let .labels(labels):
            if task == .classification { return Array(repeating: labelColour(labels[n] + 1), count: plane) }
            return labels[(n * plane)..<((n + 1) * plane)].map(labelColour)
        case let .map(map):
            switch task {
            case .depth:
                let depth = channel(map, n, 0, plane)
                let range = depthRange(depth)
                return depth.map { $0 > 0 ? depthColour($0, range) : .zero }
            case .normals:
                return (0..<plane).map { normalColour(map, n, $0, plane) }
            default:
                return channel(map, n, 0, plane).map { $0 == 255 ? SampleStrip.labelColor(255) : grey($0) }
            }
        }
    }

    static func predicted(_ task: TaskKind, _ prediction: Tensor, _ target: TaskTarget, _ n: Int, _ plane: Int) -> [SIMD3<UInt8>] {
        let k = prediction.shape[1]
        switch task {
        case .textClassification, .tokenTagging:
            return Array(repeating: .zero, count: plane)
        case .classification:
            let logits = prediction.scalars[(n * k)..<((n + 1) * k)]
            return Array(repeating: labelColour(argmax(logits) + 1), count: plane)
        case .segmentation, .parts:
            let base = n * k * plane
            return (0..<plane).map { p in labelColour(argmax((0..<k).lazy.map { prediction.scalars[base + $0 * plane + p] })) }
        case .depth:
            guard case let .map(map) = target else { return Array(repeating: .zero, count: plane) }
            let range = depthRange(channel(map, n, 0, plane))
            return channel(prediction, n, 0, plane).map { depthColour($0, range) }
        case .normals:
            return (0..<plane).map { normalColour(prediction, n, $0, plane) }
        case .boundaries, .saliency:
            return channel(prediction, n, 0, plane).map { grey(1 / (1 + exp(-$0))) }
        }
    }

    static func argmax<C: Collection>(_ values: C) -> Int where C.Element == Float {
        var best = 0, bestValue = -Float.infinity
        for (i, v) in values.enumerated() where v > bestValue { (best, bestValue) = (i, v) }
        return best
    }

    static func labelColour(_ label: Int) -> SIMD3<UInt8> {
        SampleStrip.labelColor(UInt8(clamping: label))
    }

    static func grey(_ v: Float) -> SIMD3<UInt8> {
        SIMD3(repeating: UInt8(min(max(v, 0), 1) * 255))
    }

    static func depthRange(_ depth: ArraySlice<Float>) -> ClosedRange<Float> {
        let valid = depth.filter { $0 > 0 }
        let near = valid.min() ?? 0, far = valid.max() ?? 1
        return near...max(far, near)
    }

    static func depthColour(_ d: Float, _ range: ClosedRange<Float>) -> SIMD3<UInt8> {
        let span = range.upperBound - range.lowerBound
        return SampleStrip.ramp(span > 0 ? (d - range.lowerBound) / span : 0)
    }

    /// `(n + 1)/2` of the normalised vector at pixel `p` of sample `n`, black where it is zero.
    static func normalColour(_ t: Tensor, _ n: Int, _ p: Int, _ plane: Int) -> SIMD3<UInt8> {
        let base = n * 3 * plane + p
        let v = SIMD3(t.scalars[base], t.scalars[base + plane], t.scalars[base + 2 * plane])
        let length = (v * v).sum().squareRoot()
        guard length > 0 else { return .zero }
        let c = ((v / length + 1) * 127.5).rounded(.toNearestOrAwayFromZero)
        return SIMD3(UInt8(min(max(c.x, 0), 255)), UInt8(min(max(c.y, 0), 255)), UInt8(min(max(c.z, 0), 255)))
    }
}
