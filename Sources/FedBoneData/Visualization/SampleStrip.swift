/// Colour pictures of a sample's ground truth, side by side, for a person to look at.
///
/// Tiles, left to right: the image, then each dense task of the dataset in its order — labels
/// in the PASCAL VOC colour map (255 in its pale "void" colour), depth as a colour ramp from
/// yellow (near) to dark purple (far) with invalid pixels black, normals as
/// `(n + 1)/2 → RGB` with invalid pixels black, masks in grey levels.
public enum SampleStrip {
    /// The strip as interleaved RGB rows, each pixel of the sample drawn `scale`×`scale`, tiles
    /// separated by a 2-pixel white gap. Returns the strip's width, height and bytes.
    public static func render(_ sample: MultiTaskSample, tasks: [TaskKind], scale: Int = 4) -> (width: Int, height: Int, rgb: [UInt8]) {
        precondition(scale >= 1, "SampleStrip: scale must be at least 1, got \(scale)")
        let h = sample.height, w = sample.width, plane = h * w
        var tiles: [[SIMD3<UInt8>]] = [(0..<plane).map { SIMD3(sample.rgb[$0], sample.rgb[plane + $0], sample.rgb[2 * plane + $0]) }]
        for kind in tasks where kind.isDense {
            if let tile = picture(sample, kind) { tiles.append(tile) }
        }
        let gap = 2, tileWidth = w * scale, height = h * scale
        let width = tiles.count * tileWidth + (tiles.count - 1) * gap
        var out = [UInt8](repeating: 255, count: 3 * width * height)
        for (t, tile) in tiles.enumerated() {
            let left = t * (tileWidth + gap)
            for y in 0..<height {
                for x in 0..<tileWidth {
                    let colour = tile[(y / scale) * w + x / scale]
                    let o = 3 * (y * width + left + x)
                    out[o] = colour.x
                    out[o + 1] = colour.y
                    out[o + 2] = colour.z
                }
            }
        }
        return (width, height, out)
    }

    /// The picture of one task's ground truth, or `nil` when the sample lacks it.
    static func picture(_ sample: MultiTaskSample, _ kind: TaskKind) -> [SIMD3<UInt8>]? {
        let plane = sample.height * sample.width
        switch kind {
        case .textClassification, .tokenTagging: return nil
        case .segmentation: return sample.semantic.map { $0.map(labelColor) }
        case .parts: return sample.parts.map { $0.map(labelColor) }
        case .boundaries: return sample.boundaries.map { $0.map { $0 == 0 ? .zero : SIMD3(repeating: 255) } }
        case .saliency: return sample.saliency.map { $0.map { $0 == 0 ? .zero : SIMD3(repeating: 255) } }
        case .depth:
            guard let depth = sample.depth else { return nil }
            let valid = depth.filter { $0 > 0 }
            let near = valid.min() ?? 0, far = valid.max() ?? 1
            return depth.map { $0 > 0 ? ramp(far > near ? ($0 - near) / (far - near) : 0) : .zero }
        case .normals:
            guard sample.normals != nil else { return nil }
            return (0..<plane).map { p in
                let n = sample.normal(at: p)
                guard n != .zero else { return .zero }
                let c = ((n + 1) * 127.5).rounded(.toNearestOrAwayFromZero)
                return SIMD3(UInt8(min(max(c.x, 0), 255)), UInt8(min(max(c.y, 0), 255)), UInt8(min(max(c.z, 0), 255)))
            }
        case .classification: return nil
        }
    }

    /// The PASCAL VOC colour of a label (bit-interleaved), pale beige for 255.
    public static func labelColor(_ label: UInt8) -> SIMD3<UInt8> {
        guard label != 255 else { return SIMD3(224, 224, 192) }
        var r: UInt8 = 0, g: UInt8 = 0, b: UInt8 = 0
        var c = label
        for bit in 0..<8 {
            r |= ((c >> 0) & 1) << (7 - bit)
            g |= ((c >> 1) & 1) << (7 - bit)
            b |= ((c >> 2) & 1) << (7 - bit)
            c >>= 3
            if c == 0 { break }
        }
        return SIMD3(r, g, b)
    }

    /// A colour ramp over [0, 1]: yellow, orange, magenta, dark purple (like matplotlib's
    /// "plasma" reversed).
    static func ramp(_ x: Float) -> SIMD3<UInt8> {
        let stops: [SIMD3<Float>] = [[240, 249, 33], [248, 149, 64], [204, 71, 120], [126, 3, 168], [13, 8, 135]]
        let s = min(max(x, 0), 1) * Float(stops.count - 1)
        let i = min(Int(s), stops.count - 2), f = s - Float(i)
        let c = stops[i] + (stops[i + 1] - stops[i]) * f
        return SIMD3(UInt8(c.x.rounded()), UInt8(c.y.rounded()), UInt8(c.z.rounded()))
    }
}
