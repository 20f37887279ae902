import Foundation

/// How a surface looks: two colours, a pattern and its scale, and a specular highlight.
struct Material: Sendable {
    var color: Vec3
    var secondColor: Vec3
    var pattern: Pattern
    /// Pattern cells per metre.
    var frequency: Float
    var specular: Float
    var shininess: Float
}

/// One solid object of a scene with its labels.
struct SceneObject: Sendable {
    var shape: Shape
    var material: Material
    /// Semantic class (``SceneClasses/semantic``).
    var semantic: UInt8
    /// Human-part class; 0 for objects that are not part of a figure.
    var part: UInt8
    var salient: Bool
}

/// A run of objects with one bounding sphere (a figure's parts, or a single object), so a ray
/// that misses the sphere skips them all.
struct ObjectGroup: Sendable {
    var center: Vec3
    var radius: Float
    var range: Range<Int>
}

/// A pinhole camera: position, orthonormal basis and the half-extent of the image plane at
/// unit distance.
struct Camera: Sendable {
    var position: Vec3
    var right: Vec3
    var up: Vec3
    var forward: Vec3
    var tanHalfX: Float
    var tanHalfY: Float

    /// The unit ray through image-plane point (u, v) ∈ [−1, 1]² (u right, v up).
    @inline(__always) func ray(u: Float, v: Float) -> Vec3 {
        normalized(forward + (u * tanHalfX) * right + (v * tanHalfY) * up)
    }
}

/// Everything needed to render one scene.
struct SceneLayout: Sendable {
    var camera: Camera
    /// The room spans x ∈ [−halfWidth, halfWidth], z ∈ [−halfDepth, halfDepth].
    var halfWidth: Float
    var halfDepth: Float
    var wallHeight: Float
    var floorMaterial: Material
    var wallMaterial: Material
    var objects: [SceneObject]
    var groups: [ObjectGroup]
    var sunDirection: Vec3
    var sunColor: Vec3
    var ambientColor: Vec3
    var skyZenith: Vec3
    var skyHorizon: Vec3
    var fogDensity: Float
    var fogColor: Vec3
    var noise: Float
}

extension SeededGenerator {
    mutating func uniform(_ range: ClosedRange<Float>) -> Float { uniform(range.lowerBound, range.upperBound) }

    mutating func int(in range: ClosedRange<Int>) -> Int { range.lowerBound + int(below: range.count) }

    mutating func chance(_ p: Float) -> Bool { uniform() < p }

    /// Fisher–Yates shuffle drawing from this generator (the same order on every platform).
    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, int(below: i + 1))
        }
    }

    /// An index drawn with probability proportional to `weights`.
    mutating func pick(weights: [Float]) -> Int {
        var r = uniform() * weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            r -= w
            if r < 0 { return i }
        }
        return weights.count - 1
    }
}

/// RGB of hue h ∈ [0, 1), saturation s and value v.
func hsv(_ h: Float, _ s: Float, _ v: Float) -> Vec3 {
    let hh = (h - h.rounded(.down)) * 6
    let i = Int(hh) % 6, f = hh - hh.rounded(.down)
    let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
    switch i {
    case 0: return Vec3(v, t, p)
    case 1: return Vec3(q, v, p)
    case 2: return Vec3(p, v, t)
    case 3: return Vec3(p, q, v)
    case 4: return Vec3(t, p, v)
    default: return Vec3(v, p, q)
    }
}

extension SceneLayout {
    /// A random scene of `style` for an image of aspect `width / height`.
    static func random(style: SceneStyle, aspect: Float, generator g: inout SeededGenerator) -> SceneLayout {
        let halfWidth = g.uniform(style.roomSize) / 2, halfDepth = g.uniform(style.roomSize) / 2
        let wallHeight = g.uniform(style.wallHeight)

        // Camera near the front wall, looking into the room and slightly down.
        let fovY = g.uniform(48...62) * .pi / 180
        let tanHalfY = tan(fovY / 2), tanHalfX = tanHalfY * aspect
        let yaw = g.uniform(-0.5...0.5), pitch = -g.uniform(style.cameraPitch) * .pi / 180
        let position = Vec3(g.uniform(-0.4...0.4) * halfWidth, g.uniform(style.cameraHeight), -halfDepth + g.uniform(0.4...1.2))
        let forward = Vec3(cos(pitch) * sin(yaw), sin(pitch), cos(pitch) * cos(yaw))
        let right = normalized(cross(Vec3(0, 1, 0), forward))
        let camera = Camera(position: position, right: right, up: cross(forward, right), forward: forward,
                            tanHalfX: tanHalfX, tanHalfY: tanHalfY)

        let floorMaterial = Material(
            color: hsv(g.uniform(style.floorHue), g.uniform(style.floorSaturation), g.uniform(style.floorValue)),
            secondColor: hsv(g.uniform(style.floorHue), g.uniform(style.floorSaturation), g.uniform(style.floorValue) * 0.75),
            pattern: style.floorPatterns[g.int(below: style.floorPatterns.count)],
            frequency: g.uniform(1.0...2.5), specular: 0.05, shininess: 8)
        let wallPatterns: [Pattern] = [.plain, .plain, .stripes, .speckle]
        let wallMaterial = Material(
            color: hsv(g.uniform(style.wallHue), g.uniform(style.wallSaturation), g.uniform(style.wallValue)),
            secondColor: hsv(g.uniform(style.wallHue), g.uniform(style.wallSaturation), g.uniform(style.wallValue) * 0.85),
            pattern: wallPatterns[g.int(below: wallPatterns.count)], frequency: g.uniform(1.5...4),
            specular: 0.02, shininess: 4)

        // Objects on the floor inside the view, their footprints kept apart.
        var builder = ObjectBuilder(camera: camera, halfWidth: halfWidth, halfDepth: halfDepth,
                                    halfFovX: atan(tanHalfX), style: style)
        let figures = g.int(in: style.figureCount)
        let objects = g.int(in: style.objectCount)
        var order = [Bool](repeating: true, count: figures) + [Bool](repeating: false, count: objects)
        g.shuffle(&order)
        for isFigure in order {
            if isFigure { builder.addFigure(generator: &g) } else { builder.addObject(generator: &g) }
        }

        let elevation = g.uniform(style.sunElevation) * .pi / 180, azimuth = g.uniform(0...(2 * .pi))
        let sun = Vec3(cos(elevation) * sin(azimuth), sin(elevation), cos(elevation) * cos(azimuth))
        let ambient = g.uniform(style.ambient)
        return SceneLayout(
            camera: camera, halfWidth: halfWidth, halfDepth: halfDepth, wallHeight: wallHeight,
            floorMaterial: floorMaterial, wallMaterial: wallMaterial, objects: builder.objects, groups: builder.groups,
            sunDirection: sun, sunColor: style.sunColor * g.uniform(style.sunIntensity),
            ambientColor: style.ambientColor * ambient, skyZenith: style.skyZenith, skyHorizon: style.skyHorizon,
            fogDensity: g.uniform(style.fog), fogColor: style.fogColor, noise: style.noise)
    }
}
