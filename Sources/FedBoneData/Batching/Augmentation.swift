/// Training-time augmentation that keeps every dense map aligned with the image: a random crop
/// of the image size from the image padded by ``padding`` pixels on each side, and a horizontal
/// flip with probability 1/2.
///
/// Padded pixels hold colour 0, label 255 (ignored), depth 0 and normal 0 (invalid), and 0 in
/// the boundary and saliency masks. A flip mirrors every map and negates the x component of
/// the normals (the camera's x axis points right). The image class is kept.
public struct Augmentation: Sendable, Equatable {
    /// Whether to flip horizontally with probability 1/2.
    public var horizontalFlip: Bool
    /// Pixels of padding on each side for the random crop (0 = no crop).
    public var padding: Int

    public init(horizontalFlip: Bool = true, padding: Int = 4) {
        precondition(padding >= 0, "Augmentation: padding must not be negative, got \(padding)")
        self.horizontalFlip = horizontalFlip
        self.padding = padding
    }

    /// No augmentation.
    public static let none = Augmentation(horizontalFlip: false, padding: 0)

    /// `sample` flipped and cropped at random, drawing from `generator` (three draws when both
    /// are on, in the order flip, row offset, column offset).
    public func apply(_ sample: MultiTaskSample, generator g: inout SeededGenerator) -> MultiTaskSample {
        let flip = horizontalFlip && g.int(below: 2) == 1
        let dy = padding > 0 ? g.int(below: 2 * padding + 1) - padding : 0
        let dx = padding > 0 ? g.int(below: 2 * padding + 1) - padding : 0
        return Self.transform(sample, flip: flip, shiftY: dy, shiftX: dx)
    }

    /// The sample mirrored left–right if `flip`, then shifted: output pixel (y, x) takes input
    /// pixel (y + shiftY, x + shiftX), or the padding value where that lies outside.
    public static func transform(_ sample: MultiTaskSample, flip: Bool, shiftY: Int, shiftX: Int) -> MultiTaskSample {
        guard flip || shiftY != 0 || shiftX != 0 else { return sample }
        let h = sample.height, w = sample.width
        // source[p] = the input pixel output pixel p shows, or −1 for padding.
        var source = [Int](repeating: -1, count: h * w)
        for y in 0..<h {
            let sy = y + shiftY
            guard sy >= 0, sy < h else { continue }
            for x in 0..<w {
                let shifted = x + shiftX
                guard shifted >= 0, shifted < w else { continue }
                source[y * w + x] = sy * w + (flip ? w - 1 - shifted : shifted)
            }
        }
        func remap<T>(_ values: [T], channels: Int, fill: T) -> [T] {
            var out = [T](repeating: fill, count: values.count)
            let plane = h * w
            for c in 0..<channels {
                for p in 0..<plane where source[p] >= 0 { out[c * plane + p] = values[c * plane + source[p]] }
            }
            return out
        }
        var out = sample
        out.rgb = remap(sample.rgb, channels: 3, fill: 0)
        out.semantic = sample.semantic.map { remap($0, channels: 1, fill: 255) }
        out.parts = sample.parts.map { remap($0, channels: 1, fill: 255) }
        out.depth = sample.depth.map { remap($0, channels: 1, fill: 0) }
        out.boundaries = sample.boundaries.map { remap($0, channels: 1, fill: 0) }
        out.saliency = sample.saliency.map { remap($0, channels: 1, fill: 0) }
        if let normals = sample.normals {
            var moved = remap(normals, channels: 3, fill: 0)
            if flip {
                for p in 0..<(h * w) { moved[p] = 0 &- moved[p] }
            }
            out.normals = moved
        }
        return out
    }
}
