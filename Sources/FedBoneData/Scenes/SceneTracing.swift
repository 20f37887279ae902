import Foundation

/// What a ray hits first: the distance along the unit ray, the unit normal facing the ray and
/// the surface (``SceneLayout/sky``, ``SceneLayout/floorSurface``, a wall, or an object).
struct SceneHit {
    var t: Float
    var normal: Vec3
    var surface: Int
}

extension SceneLayout {
    /// The surface index of rays that hit nothing.
    static let sky = -1
    static let floorSurface = 0
    /// Walls are surfaces 1…4; object `k` is surface `firstObject + k`.
    static let firstObject = 5
    /// The ground extends this far from the room's centre (past low walls); beyond is sky.
    static let groundRadius: Float = 25

    /// The first surface along `origin + t·dir`.
    func trace(origin o: Vec3, dir d: Vec3) -> SceneHit {
        var best = SceneHit(t: .infinity, normal: .zero, surface: Self.sky)
        if d.y < 0 {
            let t = -o.y / d.y
            let x = o.x + t * d.x, z = o.z + t * d.z
            if x * x + z * z < Self.groundRadius * Self.groundRadius {
                best = SceneHit(t: t, normal: Vec3(0, 1, 0), surface: Self.floorSurface)
            }
        }
        if let (t, wall) = wallHit(origin: o, dir: d, tMax: best.t) {
            var n = Vec3.zero
            n[wall < 3 ? 0 : 2] = 1
            best = SceneHit(t: t, normal: dot(n, d) < 0 ? n : -n, surface: wall)
        }
        for group in groups {
            let oc = group.center - o
            let tca = dot(oc, d)
            guard tca + group.radius > 0, tca - group.radius < best.t,
                  dot(oc, oc) - tca * tca <= group.radius * group.radius else { continue }
            for k in group.range {
                if let (t, n) = objects[k].shape.intersect(origin: o, dir: d, tMax: best.t) {
                    best = SceneHit(t: t, normal: dot(n, d) < 0 ? n : -n, surface: Self.firstObject + k)
                }
            }
        }
        return best
    }

    /// The nearest wall (1: x = −w, 2: x = +w, 3: z = −d, 4: z = +d) hit before `tMax` within the
    /// wall's rectangle, seen from either side.
    private func wallHit(origin o: Vec3, dir d: Vec3, tMax: Float) -> (Float, Int)? {
        var result: (Float, Int)?
        var limit = tMax
        for wall in 1...4 {
            let axis = wall < 3 ? 0 : 2
            let plane = (wall % 2 == 1 ? -1 : 1) * (axis == 0 ? halfWidth : halfDepth)
            guard abs(d[axis]) > 1e-9 else { continue }
            let t = (plane - o[axis]) / d[axis]
            guard t > 1e-4, t < limit else { continue }
            let p = o + t * d
            let across = axis == 0 ? abs(p.z) <= halfDepth : abs(p.x) <= halfWidth
            guard across, p.y >= 0, p.y <= wallHeight else { continue }
            result = (t, wall)
            limit = t
        }
        return result
    }

    /// Whether anything blocks the ray `origin + t·dir`, t > 0 (a shadow ray).
    func occluded(origin o: Vec3, dir d: Vec3) -> Bool {
        if wallHit(origin: o, dir: d, tMax: .infinity) != nil { return true }
        for group in groups {
            let oc = group.center - o
            let tca = dot(oc, d)
            guard tca + group.radius > 0, dot(oc, oc) - tca * tca <= group.radius * group.radius else { continue }
            for k in group.range where objects[k].shape.intersect(origin: o, dir: d, tMax: .infinity) != nil {
                return true
            }
        }
        return false
    }

    /// The semantic class of a surface.
    func semantic(of surface: Int) -> UInt8 {
        switch surface {
        case Self.sky: return SceneClasses.background
        case Self.floorSurface: return SceneClasses.floor
        case 1..<Self.firstObject: return SceneClasses.wall
        default: return objects[surface - Self.firstObject].semantic
        }
    }

    /// The human-part class of a surface (0 unless it is part of a figure).
    func part(of surface: Int) -> UInt8 {
        surface >= Self.firstObject ? objects[surface - Self.firstObject].part : 0
    }

    /// Whether a surface belongs to a salient object.
    func isSalient(_ surface: Int) -> Bool {
        surface >= Self.firstObject && objects[surface - Self.firstObject].salient
    }

    /// The colour the camera sees along `dir` at `hit`, before noise: textured albedo lit by
    /// hemispheric ambient light and the sun (with shadows and a Blinn–Phong highlight), then fog.
    func shade(_ hit: SceneHit, dir d: Vec3) -> Vec3 {
        guard hit.surface != Self.sky else {
            let up = max(d.y, 0).squareRoot()
            return skyHorizon + (skyZenith - skyHorizon) * up
        }
        let p = camera.position + hit.t * d
        let n = hit.normal
        let albedo = albedo(at: p, surface: hit.surface)
        var light = ambientColor * (0.65 + 0.35 * n.y)
        var highlight = Vec3.zero
        let lambert = dot(n, sunDirection)
        if lambert > 0, !occluded(origin: p + 1e-3 * n, dir: sunDirection) {
            light += sunColor * lambert
            let material = material(of: hit.surface)
            if material.specular > 0 {
                let half = normalized(sunDirection - d)
                highlight = sunColor * (material.specular * pow(max(dot(n, half), 0), material.shininess))
            }
        }
        let color = albedo * light + highlight
        guard fogDensity > 0 else { return color }
        let keep = exp(-fogDensity * hit.t)
        return color * keep + fogColor * (1 - keep)
    }

    private func material(of surface: Int) -> Material {
        switch surface {
        case Self.floorSurface: return floorMaterial
        case 1..<Self.firstObject: return wallMaterial
        default: return objects[surface - Self.firstObject].material
        }
    }

    /// The textured colour of a surface at world point `p`.
    private func albedo(at p: Vec3, surface: Int) -> Vec3 {
        let material = material(of: surface)
        let q: Vec3, stripeAxis: Vec3
        var capHeight: Float = 0
        switch surface {
        case Self.floorSurface:
            q = p
            stripeAxis = Vec3(1, 0, 0)
        case 1..<Self.firstObject:
            q = p
            stripeAxis = surface < 3 ? Vec3(0, 0, 1) : Vec3(1, 0, 0)
        default:
            let shape = objects[surface - Self.firstObject].shape
            let frame = shape.textureFrame
            let r = p - frame.origin
            q = Vec3(frame.cosYaw * r.x - frame.sinYaw * r.z, r.y, frame.sinYaw * r.x + frame.cosYaw * r.z)
            stripeAxis = Vec3(0, 1, 0)
            if case let .sphere(_, radius) = shape { capHeight = material.frequency * radius }
        }
        switch material.pattern {
        case .plain:
            return material.color
        case .checker:
            let c = (q * material.frequency).rounded(.down)
            return Int(c.x + c.y + c.z) & 1 == 0 ? material.color : material.secondColor
        case .stripes:
            return Int((dot(q, stripeAxis) * material.frequency).rounded(.down)) & 1 == 0 ? material.color : material.secondColor
        case .speckle:
            let c = (q * material.frequency).rounded(.down)
            let v = cellNoise(Int32(truncatingIfNeeded: Int(c.x)), Int32(truncatingIfNeeded: Int(c.y)), Int32(truncatingIfNeeded: Int(c.z)))
            return material.color + (material.secondColor - material.color) * v
        case .cap:
            return q.y > capHeight ? material.secondColor : material.color
        }
    }
}

/// A value in [0, 1) hashed from a lattice cell.
@inline(__always) func cellNoise(_ x: Int32, _ y: Int32, _ z: Int32) -> Float {
    var h = UInt32(bitPattern: x) &* 0x8DA6_B343 ^ UInt32(bitPattern: y) &* 0xD816_3841 ^ UInt32(bitPattern: z) &* 0xCB1A_B31F
    h = (h ^ (h >> 15)) &* 0x2C1B_3C6D
    h = (h ^ (h >> 12)) &* 0x297A_2D39
    h ^= h >> 15
    return Float(h >> 8) * 0x1.0p-24
}
