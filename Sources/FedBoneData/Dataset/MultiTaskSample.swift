/// One image with its ground truth for every task its dataset provides.
///
/// Storage is compact, as on disk: colours and labels are bytes, normals are 8-bit signed
/// (`round(127·n)`), depth is `Float`. Every map is row-major; `[C, H, W]` maps are planar.
/// A task the dataset does not provide is `nil`.
public struct MultiTaskSample: Sendable, Equatable {
    /// Image height in pixels.
    public var height: Int
    /// Image width in pixels.
    public var width: Int
    /// Colour `[3, H, W]`, 0…255 (batches divide by 255, so images are in [0, 1]).
    public var rgb: [UInt8]
    /// Semantic class per pixel `[H, W]`; 255 where undefined.
    public var semantic: [UInt8]?
    /// Human-part class per pixel `[H, W]`: 0 = not a figure, 1…P parts; 255 where undefined.
    public var parts: [UInt8]?
    /// Depth in metres along the camera axis `[H, W]`; 0 = invalid.
    public var depth: [Float]?
    /// Unit surface normals in the camera frame `[3, H, W]` (x right, y up, z towards the
    /// camera), stored as `round(127·n)`; the zero vector marks an invalid pixel.
    public var normals: [Int8]?
    /// Boundary mask `[H, W]` in {0, 1}.
    public var boundaries: [UInt8]?
    /// Saliency mask `[H, W]` in {0, 1}.
    public var saliency: [UInt8]?
    /// Image-level class (255 = unknown, ignored by the loss), or `nil` when the dataset has no
    /// classification task.
    public var imageClass: Int?
    /// Index of the image's style in its dataset's style list (0 when the dataset has one).
    public var style: Int

    public init(height: Int, width: Int, rgb: [UInt8], semantic: [UInt8]? = nil, parts: [UInt8]? = nil,
                depth: [Float]? = nil, normals: [Int8]? = nil, boundaries: [UInt8]? = nil,
                saliency: [UInt8]? = nil, imageClass: Int? = nil, style: Int = 0) {
        precondition(rgb.count == 3 * height * width, "MultiTaskSample: rgb has \(rgb.count) values, expected 3·\(height)·\(width)")
        self.height = height
        self.width = width
        self.rgb = rgb
        self.semantic = semantic
        self.parts = parts
        self.depth = depth
        self.normals = normals
        self.boundaries = boundaries
        self.saliency = saliency
        self.imageClass = imageClass
        self.style = style
    }

    /// Whether the sample holds ground truth for `kind`.
    public func has(_ kind: TaskKind) -> Bool {
        switch kind {
        case .segmentation: return semantic != nil
        case .parts: return parts != nil
        case .depth: return depth != nil
        case .normals: return normals != nil
        case .boundaries: return boundaries != nil
        case .saliency: return saliency != nil
        case .classification: return imageClass != nil
        case .textClassification, .tokenTagging: return false
        }
    }

    /// The sample with only the colour image and the ground truth of `kind` (what a client of
    /// that task keeps).
    public func keeping(only kind: TaskKind) -> MultiTaskSample {
        var out = MultiTaskSample(height: height, width: width, rgb: rgb, style: style)
        switch kind {
        case .segmentation: out.semantic = semantic
        case .parts: out.parts = parts
        case .depth: out.depth = depth
        case .normals: out.normals = normals
        case .boundaries: out.boundaries = boundaries
        case .saliency: out.saliency = saliency
        case .classification: out.imageClass = imageClass
        case .textClassification, .tokenTagging: break
        }
        return out
    }

    /// A description of the first map whose length does not match the image size, or `nil`.
    public func sizeProblem() -> String? {
        let plane = height * width
        let counts: [(String, Int?, Int)] = [
            ("semantic", semantic?.count, plane), ("parts", parts?.count, plane), ("depth", depth?.count, plane),
            ("normals", normals?.count, 3 * plane), ("boundaries", boundaries?.count, plane),
            ("saliency", saliency?.count, plane),
        ]
        for (name, count, expected) in counts {
            if let count, count != expected { return "\(name) has \(count) values, expected \(expected) for \(height)×\(width)" }
        }
        return nil
    }

    /// The unit normal at pixel `p` (row-major index), or zero for an invalid pixel.
    public func normal(at p: Int) -> SIMD3<Float> {
        guard let normals else { return .zero }
        let plane = height * width
        let v = SIMD3<Float>(Float(normals[p]), Float(normals[plane + p]), Float(normals[2 * plane + p]))
        let length = (v * v).sum().squareRoot()
        return length > 0 ? v / length : .zero
    }
}
