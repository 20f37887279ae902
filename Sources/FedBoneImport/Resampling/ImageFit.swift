/// How an image of any shape becomes N×N.
public enum ImageFit: String, Sendable, CaseIterable {
    /// The whole image is resized to N×N (the aspect ratio is not kept).
    case stretch
    /// The centred square of side min(width, height) is cut out, then resized to N×N
    /// (torchvision's `Resize(N)` + `CenterCrop(N)`, up to rounding).
    case crop

    /// The part of a `width`×`height` image that is resized.
    func region(width: Int, height: Int) -> Region {
        switch self {
        case .stretch:
            return Region(x: 0, y: 0, width: width, height: height)
        case .crop:
            let side = min(width, height)
            return Region(x: (width - side) / 2, y: (height - side) / 2, width: side, height: side)
        }
    }
}

/// A rectangle of source pixels.
struct Region: Equatable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int
}
