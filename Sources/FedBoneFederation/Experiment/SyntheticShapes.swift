import Foundation

/// A small procedural multi-task dataset for development and tests (`synthetic-shapes`): shaded
/// circles, squares and triangles on a sloping floor, with every dense label derived from the
/// same scene, so any task can be learned from the images.
///
/// - segmentation/parts: 0 floor, 1 circle, 2 square, 3 triangle (4 classes)
/// - depth: the floor ramps from 5–7 m (top) to 2–3 m (bottom) and tilts left or right at
///   random; shapes stand at 1–2 m (circles are spheres, bulging towards the camera)
/// - normals: the floor's (t, −0.6, 0.8) normalised with a random tilt t, squares face the
///   camera, triangles lean right, spheres curve
/// - boundaries: pixels whose 4-neighbourhood has another label; saliency: the shapes
/// - classification: the class of the largest shape (3 classes)
///
/// Shapes are lit from the upper left, so the normals show in the shading; the floor brightens
/// towards the side it tilts to and carries stripes that lean with its tilt and narrow with
/// distance, so its tilt and depth show too.
public struct SyntheticShapes: Sendable {
    /// Image side.
    public let size: Int

    public init(size: Int) { self.size = size }

    /// Classes of the dense label tasks (floor + 3 shapes).
    public static let segmentationClasses = 4
    /// Classes of the classification task.
    public static let classificationClasses = 3

    /// One scene: an image `[3, S, S]` and its ground truths, all row-major.
    public struct Scene {
        public var image: [Float]
        public var labels: [Int]
        public var depth: [Float]
        public var normals: [Float]
        public var edges: [Float]
        public var saliency: [Float]
        public var largestClass: Int
    }

    /// Draws one scene.
    public func scene(generator g: inout SeededGenerator) -> Scene {
        let s = size, n = s * s
        var labels = [Int](repeating: 0, count: n)
        var depth = [Float](repeating: 0, count: n)
        var normals = [Float](repeating: 0, count: 3 * n)
        var albedo = [Float](repeating: 0, count: 3 * n)
        let floor = (g.uniform(0.35, 0.6), g.uniform(0.35, 0.6), g.uniform(0.35, 0.6))
        let tilt = g.uniform(-0.6, 0.6), far = g.uniform(5, 7), close = g.uniform(2, 3)
        let floorNorm = (tilt * tilt + 1).squareRoot()
        for y in 0..<s {
            for x in 0..<s {
                let i = y * s + x
                let u = Float(x) / Float(max(s - 1, 1)) - 0.5, v = Float(y) / Float(max(s - 1, 1))
                depth[i] = far - (far - close) * v + 1.5 * tilt * u
                normals[i] = tilt / floorNorm
                normals[n + i] = -0.6 / floorNorm
                normals[2 * n + i] = 0.8 / floorNorm
                // Stripes that lean with the tilt and narrow with distance (perspective cues).
                let period = Float(s) / 10 * (1 + 2 * v)
                let phase = (Float(x) - Float(s) / 2 + tilt * (Float(y) - Float(s) / 2)) / period
                let stripe: Float = Foundation.sin(2 * Float.pi * phase) > 0 ? 1.15 : 0.85
                let shade = (1 + 0.6 * tilt * u) * stripe
                albedo[i] = floor.0 * shade
                albedo[n + i] = floor.1 * shade
                albedo[2 * n + i] = floor.2 * shade
            }
        }
        let palette: [(Float, Float, Float)] = [(0.9, 0.25, 0.2), (0.2, 0.8, 0.3), (0.25, 0.35, 0.95)]
        var largest = (area: 0, cls: 0)
        for _ in 0..<(1 + g.int(below: 3)) {
            let cls = g.int(below: 3)
            let radius = Float(s) * g.uniform(0.12, 0.26)
            let cx = g.uniform(radius, Float(s) - radius), cy = g.uniform(radius, Float(s) - radius)
            let near = g.uniform(1, 2)
            let colour = palette[cls]
            let tint = g.uniform(-0.1, 0.1)
            var area = 0
            for y in 0..<s {
                for x in 0..<s {
                    let dx = (Float(x) + 0.5 - cx) / radius, dy = (Float(y) + 0.5 - cy) / radius
                    var normal: (Float, Float, Float)
                    var d = near
                    switch cls {
                    case 0:
                        let rho = dx * dx + dy * dy
                        guard rho < 1 else { continue }
                        let z = (1 - rho).squareRoot()
                        normal = (dx, dy, z)
                        d = near - 0.3 * z
                    case 1:
                        guard abs(dx) < 0.85, abs(dy) < 0.85 else { continue }
                        normal = (0, 0, 1)
                    default:
                        guard dy < 0.8, dy > -0.9, abs(dx) < (dy + 0.9) * 0.55 else { continue }
                        normal = (0.5, 0, 0.866)
                    }
                    let i = y * s + x
                    labels[i] = cls + 1
                    depth[i] = d
                    normals[i] = normal.0
                    normals[n + i] = normal.1
                    normals[2 * n + i] = normal.2
                    albedo[i] = min(max(colour.0 + tint, 0), 1)
                    albedo[n + i] = min(max(colour.1 + tint, 0), 1)
                    albedo[2 * n + i] = min(max(colour.2 + tint, 0), 1)
                    area += 1
                }
            }
            if area > largest.area { largest = (area, cls) }
        }
        var image = [Float](repeating: 0, count: 3 * n)
        let light: (Float, Float, Float) = (-0.4, -0.4, 0.82)
        for i in 0..<n {
            let shade = max(normals[i] * light.0 + normals[n + i] * light.1 + normals[2 * n + i] * light.2, 0)
            for c in 0..<3 {
                image[c * n + i] = min(max(albedo[c * n + i] * (0.35 + 0.65 * shade) + g.uniform(-0.03, 0.03), 0), 1)
            }
        }
        var edges = [Float](repeating: 0, count: n)
        for y in 0..<s {
            for x in 0..<s {
                let l = labels[y * s + x]
                let differs = (x > 0 && labels[y * s + x - 1] != l) || (x + 1 < s && labels[y * s + x + 1] != l)
                    || (y > 0 && labels[(y - 1) * s + x] != l) || (y + 1 < s && labels[(y + 1) * s + x] != l)
                edges[y * s + x] = differs ? 1 : 0
            }
        }
        return Scene(image: image, labels: labels, depth: depth, normals: normals, edges: edges,
                     saliency: labels.map { $0 > 0 ? 1 : 0 }, largestClass: largest.cls)
    }
}
