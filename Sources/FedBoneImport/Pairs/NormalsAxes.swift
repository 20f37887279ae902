import Foundation

/// How a normals PNG's channels map to the format's camera frame (x right, y up, z towards
/// the camera; `docs/data.md`).
///
/// Written as three comma-separated signed channel names, one per output axis: `x,y,z` (the
/// default) takes R, G, B as they are; `x,-y,-z` converts OpenCV's frame (y down, z away from
/// the camera).
public struct NormalsAxes: Sendable, Equatable, CustomStringConvertible {
    /// For output axis x, y, z: the source channel (0 = R, 1 = G, 2 = B) and its sign.
    public let channels: [Int]
    public let signs: [Float]

    /// The PNG is in the format's frame already.
    public static let identity = NormalsAxes(channels: [0, 1, 2], signs: [1, 1, 1])

    private init(channels: [Int], signs: [Float]) {
        self.channels = channels
        self.signs = signs
    }

    /// Parses `x,-y,-z` and the like.
    /// - Throws: ``ImportError/invalidOptions(_:)`` unless every channel appears once.
    public init(_ text: String) throws {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var channels: [Int] = [], signs: [Float] = []
        for part in parts {
            let negative = part.hasPrefix("-")
            let name = part.drop { $0 == "-" || $0 == "+" }
            guard part.count - name.count <= 1, let channel = ["x", "y", "z"].firstIndex(of: String(name)) else {
                channels = []
                break
            }
            channels.append(channel)
            signs.append(negative ? -1 : 1)
        }
        guard channels.count == 3, Set(channels).count == 3 else {
            throw ImportError.invalidOptions("--normals-axes '\(text)': give each of x, y, z once, with an optional sign, e.g. x,-y,-z")
        }
        self.init(channels: channels, signs: signs)
    }

    public var description: String {
        zip(channels, signs).map { ($1 < 0 ? "-" : "") + ["x", "y", "z"][$0] }.joined(separator: ",")
    }
}
