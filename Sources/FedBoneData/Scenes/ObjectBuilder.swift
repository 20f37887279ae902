import Foundation

/// Places objects and figures on the floor of a room, inside the camera's view, with their
/// footprints apart, and gives them materials.
struct ObjectBuilder {
    let camera: Camera
    let halfWidth: Float
    let halfDepth: Float
    let halfFovX: Float
    let style: SceneStyle
    private(set) var objects: [SceneObject] = []
    private(set) var groups: [ObjectGroup] = []
    /// Footprints (x, z, radius) of what is placed so far.
    private var footprints: [(x: Float, z: Float, r: Float)] = []

    init(camera: Camera, halfWidth: Float, halfDepth: Float, halfFovX: Float, style: SceneStyle) {
        self.camera = camera
        self.halfWidth = halfWidth
        self.halfDepth = halfDepth
        self.halfFovX = halfFovX
        self.style = style
    }

    /// A free floor spot for a footprint of radius `r`, in view at `distance` metres, or `nil`
    /// after a few tries.
    private mutating func place(radius r: Float, distance range: ClosedRange<Float>,
                                generator g: inout SeededGenerator) -> (x: Float, z: Float)? {
        let yaw = atan2(camera.forward.x, camera.forward.z)
        for _ in 0..<12 {
            let distance = g.uniform(range), angle = yaw + g.uniform(-1...1) * halfFovX * 0.95
            let x = camera.position.x + distance * sin(angle), z = camera.position.z + distance * cos(angle)
            guard abs(x) < halfWidth - r - 0.1, abs(z) < halfDepth - r - 0.1 else { continue }
            if footprints.contains(where: { ($0.x - x) * ($0.x - x) + ($0.z - z) * ($0.z - z) < ($0.r + r + 0.1) * ($0.r + r + 0.1) }) {
                continue
            }
            footprints.append((x, z, r))
            return (x, z)
        }
        return nil
    }

    /// A colour for an object: saturated when salient, muted otherwise.
    private func color(salient: Bool, generator g: inout SeededGenerator) -> Vec3 {
        salient
            ? hsv(g.uniform(), g.uniform(style.salientSaturation), g.uniform(style.salientValue))
            : hsv(g.uniform(), g.uniform(style.mutedSaturation), g.uniform(style.mutedValue))
    }

    private func material(salient: Bool, generator g: inout SeededGenerator) -> Material {
        let base = color(salient: salient, generator: &g)
        var pattern = Pattern.plain
        if g.chance(style.textureProbability) {
            pattern = [Pattern.checker, .stripes, .speckle][g.int(below: 3)]
        }
        return Material(color: base, secondColor: salient ? base * g.uniform(0.45...0.7) : color(salient: false, generator: &g),
                        pattern: pattern, frequency: g.uniform(4...9),
                        specular: g.uniform(0...0.5), shininess: g.uniform(8...48))
    }

    /// Adds a sphere, box or cylinder.
    mutating func addObject(generator g: inout SeededGenerator) {
        let kind = g.pick(weights: style.classWeights)
        let size = g.uniform(style.objectSize)
        let salient = g.chance(style.salientFraction)
        let material = material(salient: salient, generator: &g)
        let shape: Shape
        let semantic: UInt8
        switch kind {
        case 0:
            guard let (x, z) = place(radius: size, distance: 2...8, generator: &g) else { return }
            let lift: Float = g.chance(0.2) ? g.uniform(0.2...0.6) : 0
            shape = .sphere(center: Vec3(x, size + lift, z), radius: size)
            semantic = SceneClasses.sphere
        case 1:
            let half = Vec3(size * g.uniform(0.6...1.2), size * g.uniform(0.5...1.1), size * g.uniform(0.6...1.2))
            guard let (x, z) = place(radius: (half.x * half.x + half.z * half.z).squareRoot(), distance: 2...8, generator: &g) else { return }
            let yaw = g.uniform(0...(.pi / 2))
            shape = .box(center: Vec3(x, half.y, z), half: half, cosYaw: cos(yaw), sinYaw: sin(yaw))
            semantic = SceneClasses.box
        default:
            let radius = size * g.uniform(0.5...0.9)
            guard let (x, z) = place(radius: radius, distance: 2...8, generator: &g) else { return }
            shape = .cylinder(base: Vec3(x, 0, z), radius: radius, height: size * g.uniform(1.2...2.6))
            semantic = SceneClasses.cylinder
        }
        let bound = shape.bound
        groups.append(ObjectGroup(center: bound.center, radius: bound.radius, range: objects.count..<(objects.count + 1)))
        objects.append(SceneObject(shape: shape, material: material, semantic: semantic, part: 0, salient: salient))
    }

    /// Adds an articulated figure: a head, a torso, two two-part arms and two two-part legs.
    mutating func addFigure(generator g: inout SeededGenerator) {
        let height = g.uniform(1.45...1.9)
        guard let (x, z) = place(radius: 0.3 * height, distance: 2...4.5, generator: &g) else { return }
        let parts = FigurePose.random(height: height, generator: &g).parts
        let yaw = g.uniform(0...(2 * .pi)), c = cos(yaw), s = sin(yaw)
        func world(_ p: Vec3) -> Vec3 { Vec3(c * p.x + s * p.z + x, p.y, -s * p.x + c * p.z + z) }

        let skin = hsv(g.uniform(0.03...0.1), g.uniform(0.3...0.6), g.uniform(0.35...0.95))
        let hair = hsv(g.uniform(0.02...0.12), g.uniform(0.2...0.7), g.uniform(0.05...0.6))
        let shirt = color(salient: true, generator: &g)
        let trousers = g.chance(0.5) ? color(salient: true, generator: &g) : hsv(g.uniform(0.55...0.7), g.uniform(0.1...0.6), g.uniform(0.15...0.5))
        let sleeves = g.int(below: 3)  // 0 none, 1 short, 2 long
        func plain(_ color: Vec3) -> Material {
            Material(color: color, secondColor: color, pattern: .plain, frequency: 1, specular: 0.05, shininess: 8)
        }
        let shirtMaterial = g.chance(0.3)
            ? Material(color: shirt, secondColor: shirt * 0.55, pattern: .stripes, frequency: g.uniform(8...14), specular: 0.05, shininess: 8)
            : plain(shirt)
        let first = objects.count
        for part in parts {
            let material: Material
            switch part.label {
            case SceneClasses.head:
                material = Material(color: skin, secondColor: hair, pattern: .cap, frequency: g.uniform(0.2...0.5), specular: 0.1, shininess: 16)
            case SceneClasses.torso: material = shirtMaterial
            case SceneClasses.upperArm: material = sleeves >= 1 ? shirtMaterial : plain(skin)
            case SceneClasses.lowerArm: material = sleeves == 2 ? shirtMaterial : plain(skin)
            default: material = plain(trousers)
            }
            let shape: Shape = part.isSphere
                ? .sphere(center: world(part.a), radius: part.radius)
                : .capsule(a: world(part.a), b: world(part.b), radius: part.radius)
            objects.append(SceneObject(shape: shape, material: material, semantic: SceneClasses.figure,
                                       part: part.label, salient: true))
        }
        let center = Vec3(x, height / 2, z)
        let radius = objects[first...].map { dot($0.shape.bound.center - center, $0.shape.bound.center - center).squareRoot() + $0.shape.bound.radius }.max() ?? height
        groups.append(ObjectGroup(center: center, radius: radius, range: first..<objects.count))
    }
}

/// The parts of a figure in its own frame (facing +z, feet on y = 0), for joint angles drawn
/// at random: hip and knee flexion, arm abduction, shoulder and elbow flexion.
struct FigurePose {
    struct Part {
        var label: UInt8
        var a: Vec3
        var b: Vec3
        var radius: Float
        /// The head is a sphere at `a`; every other part is a capsule from `a` to `b`.
        var isSphere = false
    }

    var parts: [Part]

    static func random(height h: Float, generator g: inout SeededGenerator) -> FigurePose {
        let degrees: Float = .pi / 180
        func limb(_ side: Float, abduction: Float, flexion: Float) -> Vec3 {
            Vec3(side * sin(abduction), -cos(abduction) * cos(flexion), cos(abduction) * sin(flexion))
        }
        var parts: [Part] = []
        // Legs from a pelvis at the origin; the figure is lifted afterwards so a foot touches the floor.
        let stride = g.uniform(0...30) * degrees
        for side: Float in [-1, 1] {
            let hip = Vec3(side * 0.085 * h, 0, 0)
            let flex = side * stride * (g.chance(0.5) ? 1 : -1) + g.uniform(-5...5) * degrees
            let abduction = g.uniform(0...10) * degrees
            let knee = hip + 0.25 * h * limb(side, abduction: abduction, flexion: flex)
            let ankle = knee + 0.235 * h * limb(side, abduction: abduction, flexion: flex - g.uniform(0...35) * degrees)
            parts.append(Part(label: SceneClasses.upperLeg, a: hip, b: knee, radius: 0.052 * h))
            parts.append(Part(label: SceneClasses.lowerLeg, a: knee, b: ankle, radius: 0.042 * h))
        }
        let lean = g.uniform(-8...8) * degrees
        let neck = Vec3(0, 0.3 * h * cos(lean), 0.3 * h * sin(lean))
        parts.append(Part(label: SceneClasses.torso, a: Vec3(0, 0.03 * h, 0), b: neck - Vec3(0, 0.06 * h, 0), radius: 0.095 * h))
        parts.append(Part(label: SceneClasses.head, a: neck + Vec3(0, 0.12 * h, 0), b: neck, radius: 0.068 * h, isSphere: true))
        for side: Float in [-1, 1] {
            let shoulder = neck + Vec3(side * 0.13 * h, -0.035 * h, 0)
            let abduction = g.uniform(5...(g.chance(0.25) ? 100 : 35)) * degrees
            let flexion = g.uniform(-30...70) * degrees
            let elbow = shoulder + 0.17 * h * limb(side, abduction: abduction, flexion: flexion)
            let wrist = elbow + 0.15 * h * limb(side, abduction: abduction, flexion: flexion + g.uniform(0...100) * degrees)
            parts.append(Part(label: SceneClasses.upperArm, a: shoulder, b: elbow, radius: 0.036 * h))
            parts.append(Part(label: SceneClasses.lowerArm, a: elbow, b: wrist, radius: 0.03 * h))
        }
        let lowest = parts.map { min($0.a.y, $0.b.y) - $0.radius }.min() ?? 0
        let lift = Vec3(0, -lowest, 0)
        return FigurePose(parts: parts.map { Part(label: $0.label, a: $0.a + lift, b: $0.b + lift, radius: $0.radius, isSphere: $0.isSphere) })
    }
}
