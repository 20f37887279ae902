/// A scene style: the palette, lighting and layout statistics images are drawn from. Clients
/// that hold different mixtures of styles see non-IID data (see ``PartitionScheme``).
///
/// The four presets (documented in `docs/data.md`):
/// - `indoor`: tall beige walls, wooden floor, warm sun through the open ceiling, 3–6 objects,
///   0–2 figures.
/// - `sunlit`: low courtyard walls, grass, high white sun with hard shadows, much sky, 2–5
///   objects, 1–2 figures.
/// - `dusk`: dark blue-grey room, low orange sun with long shadows, fog, sensor noise, 2–5
///   objects, 0–2 figures.
/// - `toy`: pastel play room with a checker floor, bright even light, 5–9 small objects, no
///   figures (and many spheres).
public struct SceneStyle: Sendable, Equatable {
    /// The style's name, as manifests and `--styles` give it.
    public let name: String

    // Layout.
    let roomSize: ClosedRange<Float>
    let wallHeight: ClosedRange<Float>
    let objectCount: ClosedRange<Int>
    let figureCount: ClosedRange<Int>
    /// Relative frequency of sphere, box and cylinder.
    let classWeights: [Float]
    let objectSize: ClosedRange<Float>
    let cameraHeight: ClosedRange<Float>
    /// Downward pitch of the camera in degrees.
    let cameraPitch: ClosedRange<Float>

    // Palette (hues in [0, 1)).
    let wallHue: ClosedRange<Float>
    let wallSaturation: ClosedRange<Float>
    let wallValue: ClosedRange<Float>
    let floorHue: ClosedRange<Float>
    let floorSaturation: ClosedRange<Float>
    let floorValue: ClosedRange<Float>
    /// Floor patterns to draw from.
    let floorPatterns: [Pattern]
    /// Fraction of non-figure objects that are salient (saturated); the rest are muted
    /// distractors.
    let salientFraction: Float
    let salientSaturation: ClosedRange<Float>
    let salientValue: ClosedRange<Float>
    let mutedSaturation: ClosedRange<Float>
    let mutedValue: ClosedRange<Float>
    /// Probability that an object is textured (checker, stripes or speckle) rather than plain.
    let textureProbability: Float

    // Lighting and camera.
    let ambient: ClosedRange<Float>
    let ambientColor: SIMD3<Float>
    let sunIntensity: ClosedRange<Float>
    let sunColor: SIMD3<Float>
    /// Sun elevation in degrees.
    let sunElevation: ClosedRange<Float>
    let skyZenith: SIMD3<Float>
    let skyHorizon: SIMD3<Float>
    /// Fog density per metre (0 = none).
    let fog: ClosedRange<Float>
    let fogColor: SIMD3<Float>
    /// Standard deviation of the sensor noise added before quantisation (in [0, 1] units).
    let noise: Float

    /// The presets, in a fixed order (their indices are the style indices of a default dataset).
    public static let presets: [SceneStyle] = [.indoor, .sunlit, .dusk, .toy]

    /// The preset called `name`, or `nil`.
    public static func named(_ name: String) -> SceneStyle? { presets.first { $0.name == name } }

    /// Warm room, wooden floor, sun through the open ceiling.
    public static let indoor = SceneStyle(
        name: "indoor", roomSize: 6...10, wallHeight: 2.6...3.4, objectCount: 3...6, figureCount: 0...2,
        classWeights: [1, 1.3, 1], objectSize: 0.3...0.7, cameraHeight: 1.3...1.8, cameraPitch: 12...26,
        wallHue: 0.07...0.13, wallSaturation: 0.15...0.35, wallValue: 0.65...0.9,
        floorHue: 0.05...0.1, floorSaturation: 0.4...0.6, floorValue: 0.35...0.55, floorPatterns: [.stripes, .speckle],
        salientFraction: 0.6, salientSaturation: 0.6...0.9, salientValue: 0.55...0.9,
        mutedSaturation: 0.0...0.2, mutedValue: 0.35...0.75, textureProbability: 0.35,
        ambient: 0.45...0.6, ambientColor: [1.0, 0.95, 0.85], sunIntensity: 0.7...1.0, sunColor: [1.0, 0.9, 0.75],
        sunElevation: 45...70, skyZenith: [0.55, 0.7, 0.95], skyHorizon: [0.85, 0.9, 1.0],
        fog: 0...0, fogColor: [0.8, 0.8, 0.8], noise: 0.01)

    /// Courtyard with low walls, grass and a high sun.
    public static let sunlit = SceneStyle(
        name: "sunlit", roomSize: 10...16, wallHeight: 0.8...1.5, objectCount: 2...5, figureCount: 1...2,
        classWeights: [1, 1, 1.3], objectSize: 0.35...0.8, cameraHeight: 1.4...2.0, cameraPitch: 5...18,
        wallHue: 0.0...0.1, wallSaturation: 0.05...0.3, wallValue: 0.6...0.85,
        floorHue: 0.22...0.33, floorSaturation: 0.45...0.7, floorValue: 0.35...0.6, floorPatterns: [.speckle, .plain],
        salientFraction: 0.5, salientSaturation: 0.65...0.95, salientValue: 0.6...0.95,
        mutedSaturation: 0.0...0.15, mutedValue: 0.4...0.8, textureProbability: 0.3,
        ambient: 0.25...0.4, ambientColor: [0.75, 0.85, 1.0], sunIntensity: 0.9...1.2, sunColor: [1.0, 1.0, 0.95],
        sunElevation: 55...80, skyZenith: [0.25, 0.45, 0.9], skyHorizon: [0.7, 0.82, 0.97],
        fog: 0...0.01, fogColor: [0.8, 0.87, 0.95], noise: 0.01)

    /// Dim blue-grey room, low orange sun, fog and noise.
    public static let dusk = SceneStyle(
        name: "dusk", roomSize: 7...12, wallHeight: 1.8...3.0, objectCount: 2...5, figureCount: 0...2,
        classWeights: [1, 1, 1], objectSize: 0.3...0.75, cameraHeight: 1.2...1.8, cameraPitch: 8...22,
        wallHue: 0.55...0.7, wallSaturation: 0.1...0.35, wallValue: 0.4...0.6,
        floorHue: 0.55...0.7, floorSaturation: 0.05...0.25, floorValue: 0.35...0.55, floorPatterns: [.checker, .plain, .speckle],
        salientFraction: 0.5, salientSaturation: 0.55...0.9, salientValue: 0.5...0.85,
        mutedSaturation: 0.0...0.2, mutedValue: 0.35...0.65, textureProbability: 0.4,
        ambient: 0.5...0.7, ambientColor: [0.75, 0.8, 1.0], sunIntensity: 0.8...1.1, sunColor: [1.0, 0.6, 0.35],
        sunElevation: 12...28, skyZenith: [0.2, 0.2, 0.45], skyHorizon: [0.95, 0.55, 0.35],
        fog: 0.02...0.06, fogColor: [0.55, 0.5, 0.6], noise: 0.03)

    /// Pastel play room, checker floor, many small objects, no figures.
    public static let toy = SceneStyle(
        name: "toy", roomSize: 5...8, wallHeight: 2.4...3.0, objectCount: 5...9, figureCount: 0...0,
        classWeights: [1.5, 1, 0.8], objectSize: 0.2...0.45, cameraHeight: 1.0...1.5, cameraPitch: 20...35,
        wallHue: 0.0...1.0, wallSaturation: 0.15...0.3, wallValue: 0.85...0.97,
        floorHue: 0.0...1.0, floorSaturation: 0.2...0.4, floorValue: 0.75...0.95, floorPatterns: [.checker],
        salientFraction: 0.65, salientSaturation: 0.7...1.0, salientValue: 0.75...1.0,
        mutedSaturation: 0.0...0.15, mutedValue: 0.55...0.9, textureProbability: 0.5,
        ambient: 0.55...0.7, ambientColor: [1.0, 1.0, 1.0], sunIntensity: 0.4...0.6, sunColor: [1.0, 1.0, 1.0],
        sunElevation: 60...85, skyZenith: [0.7, 0.8, 1.0], skyHorizon: [0.9, 0.95, 1.0],
        fog: 0...0, fogColor: [1, 1, 1], noise: 0.008)
}

/// Surface patterns of the procedural textures.
enum Pattern: Sendable, Equatable {
    /// One colour.
    case plain
    /// A 3-D checkerboard of the two colours.
    case checker
    /// Bands of the two colours along one axis.
    case stripes
    /// Cells of random brightness around the first colour.
    case speckle
    /// The second colour above a height in the object's frame (hair on a head).
    case cap
}
