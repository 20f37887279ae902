import Foundation

typealias Vec3 = SIMD3<Float>

@inline(__always) func dot(_ a: Vec3, _ b: Vec3) -> Float { (a * b).sum() }

@inline(__always) func cross(_ a: Vec3, _ b: Vec3) -> Vec3 {
    Vec3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

@inline(__always) func normalized(_ v: Vec3) -> Vec3 { v / dot(v, v).squareRoot() }

/// The solid shapes of a scene, in world coordinates (y up, floor at y = 0).
enum Shape: Sendable {
    case sphere(center: Vec3, radius: Float)
    /// A box turned by `yaw` about the vertical axis through `center`.
    case box(center: Vec3, half: Vec3, cosYaw: Float, sinYaw: Float)
    /// An upright capped cylinder standing on `base`.
    case cylinder(base: Vec3, radius: Float, height: Float)
    /// All points within `radius` of the segment a–b.
    case capsule(a: Vec3, b: Vec3, radius: Float)

    /// The nearest hit with `0 < t < tMax` of the ray `origin + t·dir` (`dir` unit), with the
    /// outward unit normal there, or `nil`.
    func intersect(origin o: Vec3, dir d: Vec3, tMax: Float) -> (t: Float, normal: Vec3)? {
        switch self {
        case let .sphere(c, r):
            let oc = o - c
            let b = dot(oc, d), c2 = dot(oc, oc) - r * r
            let h = b * b - c2
            guard h >= 0 else { return nil }
            let t = -b - h.squareRoot()
            guard t > 1e-4, t < tMax else { return nil }
            return (t, (o + t * d - c) / r)
        case let .box(c, half, cy, sy):
            // Into the box frame: rotate by −yaw about y.
            let p = o - c
            let lo = Vec3(cy * p.x - sy * p.z, p.y, sy * p.x + cy * p.z)
            let ld = Vec3(cy * d.x - sy * d.z, d.y, sy * d.x + cy * d.z)
            var tNear = -Float.infinity, tFar = Float.infinity, axis = 0
            for k in 0..<3 {
                if abs(ld[k]) < 1e-9 {
                    if abs(lo[k]) > half[k] { return nil }
                    continue
                }
                var t1 = (-half[k] - lo[k]) / ld[k], t2 = (half[k] - lo[k]) / ld[k]
                if t1 > t2 { swap(&t1, &t2) }
                if t1 > tNear { tNear = t1; axis = k }
                tFar = min(tFar, t2)
            }
            guard tNear <= tFar, tNear > 1e-4, tNear < tMax else { return nil }
            var ln = Vec3.zero
            ln[axis] = ld[axis] > 0 ? -1 : 1
            return (tNear, Vec3(cy * ln.x + sy * ln.z, ln.y, -sy * ln.x + cy * ln.z))
        case let .cylinder(base, r, height):
            var best: (t: Float, normal: Vec3)?
            let ox = o.x - base.x, oz = o.z - base.z
            let a = d.x * d.x + d.z * d.z
            if a > 1e-9 {
                let b = ox * d.x + oz * d.z, c2 = ox * ox + oz * oz - r * r
                let h = b * b - a * c2
                if h >= 0 {
                    let t = (-b - h.squareRoot()) / a
                    let y = o.y + t * d.y - base.y
                    if t > 1e-4, t < tMax, y >= 0, y <= height {
                        best = (t, Vec3((ox + t * d.x) / r, 0, (oz + t * d.z) / r))
                    }
                }
            }
            if abs(d.y) > 1e-9 {
                for (capY, ny) in [(base.y + height, Float(1)), (base.y, Float(-1))] {
                    let t = (capY - o.y) / d.y
                    let x = ox + t * d.x, z = oz + t * d.z
                    if t > 1e-4, t < (best?.t ?? tMax), x * x + z * z <= r * r {
                        best = (t, Vec3(0, ny, 0))
                    }
                }
            }
            return best
        case let .capsule(a, b, r):
            // Inigo Quilez's capsule intersection.
            let ba = b - a, oa = o - a
            let baba = dot(ba, ba), bard = dot(ba, d), baoa = dot(ba, oa)
            let rdoa = dot(d, oa), oaoa = dot(oa, oa)
            let qa = baba - bard * bard
            var t: Float = -1
            var capOffset = bard > 0 ? oa : o - b
            if qa > 1e-9 {
                let qb = baba * rdoa - baoa * bard
                let qc = baba * oaoa - baoa * baoa - r * r * baba
                let h = qb * qb - qa * qc
                guard h >= 0 else { return nil }
                let side = (-qb - h.squareRoot()) / qa
                let y = baoa + side * bard
                if y > 0, y < baba { t = side } else { capOffset = y <= 0 ? oa : o - b }
            }
            if t < 0 {
                let cb = dot(d, capOffset), cc = dot(capOffset, capOffset) - r * r
                let h = cb * cb - cc
                guard h >= 0 else { return nil }
                t = -cb - h.squareRoot()
            }
            guard t > 1e-4, t < tMax else { return nil }
            let pa = o + t * d - a
            let s = min(max(dot(pa, ba) / baba, 0), 1)
            return (t, (pa - s * ba) / r)
        }
    }

    /// A sphere that contains the shape.
    var bound: (center: Vec3, radius: Float) {
        switch self {
        case let .sphere(c, r): return (c, r)
        case let .box(c, half, _, _): return (c, dot(half, half).squareRoot())
        case let .cylinder(base, r, h): return (base + Vec3(0, h / 2, 0), (r * r + h * h / 4).squareRoot())
        case let .capsule(a, b, r): return ((a + b) / 2, dot(b - a, b - a).squareRoot() / 2 + r)
        }
    }

    /// Where the shape's texture is anchored, and how the texture frame turns with it.
    var textureFrame: (origin: Vec3, cosYaw: Float, sinYaw: Float) {
        switch self {
        case let .sphere(c, _): return (c, 1, 0)
        case let .box(c, _, cy, sy): return (c, cy, sy)
        case let .cylinder(base, _, _): return (base, 1, 0)
        case let .capsule(a, _, _): return (a, 1, 0)
        }
    }
}
