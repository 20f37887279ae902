/// Resampling with the triangle (bilinear) filter widened by the downscale factor, as Pillow's
/// `Image.resize(..., BILINEAR)` does (what the Python importers use): output pixel `o` of a
/// source run `[start, start + length)` resized to `target` pixels is centred on
/// `start + (o + ½)·length/target`, and source pixel `i` weighs `max(0, 1 − |i + ½ − centre| / s)`
/// with `s = max(length/target, 1)`, normalised to sum 1. Downscaling averages every source
/// pixel the output pixel covers (antialiased); upscaling interpolates linearly; at the same
/// size the image is unchanged. Pixels outside the region but inside the image may contribute
/// at its edges, as in Pillow's `box` argument.
///
/// With a validity mask, invalid source pixels weigh 0 and the weights are renormalised over
/// the valid ones, so invalid values (depth 0, zero normals) never blend into valid ones; an
/// output pixel with no valid source pixel is invalid.
struct FilterResize {
    /// One axis's taps: for output pixel `o`, source pixels `first[o] ..< first[o] + count[o]`
    /// with weights `weights[o · stride ..< o · stride + count[o]]`.
    struct Taps {
        var first: [Int]
        var count: [Int]
        var weights: [Float]
        var stride: Int

        init(size: Int, start: Int, length: Int, target: Int) {
            let scale = Double(length) / Double(target)
            let filterScale = max(scale, 1)
            let support = filterScale
            stride = Int(support.rounded(.up)) * 2 + 1
            first = [Int](repeating: 0, count: target)
            count = [Int](repeating: 0, count: target)
            weights = [Float](repeating: 0, count: target * stride)
            for o in 0..<target {
                let centre = Double(start) + (Double(o) + 0.5) * scale
                let lower = max(Int(centre - support + 0.5), 0)
                let upper = max(min(Int(centre + support + 0.5), size), lower)
                first[o] = lower
                count[o] = min(upper - lower, stride)
                func weight(_ k: Int) -> Double { max(0, 1 - abs((Double(lower + k) - centre + 0.5) / filterScale)) }
                let total = (0..<count[o]).reduce(0) { $0 + weight($1) }
                for k in 0..<count[o] { weights[o * stride + k] = total > 0 ? Float(weight(k) / total) : 0 }
            }
        }
    }

    let width: Int
    let height: Int
    let region: Region
    let target: Int
    private let columns: Taps
    private let rows: Taps

    /// Resizes `region` of a `width`×`height` image to `target`×`target`.
    init(width: Int, height: Int, region: Region, target: Int) {
        self.width = width
        self.height = height
        self.region = region
        self.target = target
        columns = Taps(size: width, start: region.x, length: region.width, target: target)
        rows = Taps(size: height, start: region.y, length: region.height, target: target)
    }

    /// Whether resizing leaves every pixel as it is (the whole image, already target-sized).
    var isIdentity: Bool {
        region == Region(x: 0, y: 0, width: width, height: height) && width == target && height == target
    }

    /// Resizes interleaved 8-bit samples of `channels` per pixel, rounding to the nearest byte.
    func resize(_ samples: [UInt8], channels: Int) -> [UInt8] {
        if isIdentity { return samples }
        let (values, _) = resize(samples.map(Float.init), channels: channels, valid: nil)
        return values.map { UInt8(max(0, min(255, $0.rounded()))) }
    }

    /// Resizes interleaved `Float` samples of 1…3 `channels` per pixel. With `valid` (one flag
    /// a source pixel), the result's second part flags the output pixels that had a valid
    /// source pixel (values of the others are 0); without it, every output pixel is valid.
    func resize(_ samples: [Float], channels: Int, valid: [Bool]?) -> ([Float], [Bool]) {
        precondition((1...3).contains(channels), "FilterResize: \(channels) channels; 1…3 are supported")
        let masked = valid != nil
        let mask = valid.map { $0.map { $0 ? Float(1) : 0 } } ?? []
        // Horizontal pass over every source row into `target` columns; a fourth lane carries the
        // summed weight of valid pixels.
        var wide = [SIMD4<Float>](repeating: .zero, count: height * target)
        for y in 0..<height {
            for o in 0..<target {
                var sum = SIMD4<Float>.zero
                for k in 0..<columns.count[o] {
                    let x = columns.first[o] + k, p = y * width + x
                    let w = columns.weights[o * columns.stride + k] * (masked ? mask[p] : 1)
                    var v = SIMD4<Float>(0, 0, 0, 1)
                    for c in 0..<channels { v[c] = samples[p * channels + c] }
                    sum += w * v
                }
                wide[y * target + o] = sum
            }
        }
        // Vertical pass.
        var out = [Float](repeating: 0, count: target * target * channels)
        var validOut = [Bool](repeating: true, count: target * target)
        for o in 0..<target {
            for x in 0..<target {
                var sum = SIMD4<Float>.zero
                for k in 0..<rows.count[o] {
                    sum += rows.weights[o * rows.stride + k] * wide[(rows.first[o] + k) * target + x]
                }
                let p = o * target + x
                let ok = !masked || sum[3] > 1e-6
                validOut[p] = ok
                for c in 0..<channels { out[p * channels + c] = ok ? (masked ? sum[c] / sum[3] : sum[c]) : 0 }
            }
        }
        return (out, validOut)
    }
}
