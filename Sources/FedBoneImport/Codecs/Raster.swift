/// A decoded image: `height` rows of `width` pixels of `channels` interleaved samples,
/// row-major.
public struct Raster<Sample: Sendable & Equatable>: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Samples per pixel (1 grey or label, 3 RGB).
    public var channels: Int
    /// `height · width · channels` samples.
    public var samples: [Sample]

    public init(width: Int, height: Int, channels: Int, samples: [Sample]) {
        precondition(samples.count == width * height * channels, "Raster: \(samples.count) samples for \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }
}

extension Raster where Sample == UInt8 {
    /// The colour planes `[3, H, W]` of an RGB raster (what `MultiTaskSample.rgb` holds).
    var planarRGB: [UInt8] {
        precondition(channels == 3, "planarRGB: the raster has \(channels) channels")
        let plane = width * height
        var out = [UInt8](repeating: 0, count: 3 * plane)
        samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for p in 0..<plane {
                    target[p] = source[3 * p]
                    target[plane + p] = source[3 * p + 1]
                    target[2 * plane + p] = source[3 * p + 2]
                }
            }
        }
        return out
    }
}
