import Foundation
import Testing
@testable import FedBoneData

/// The generator's outputs agree with each other: normals with depth, boundaries with label
/// and depth jumps.
@Suite struct SceneConsistencyTests {
    /// On floor and wall pixels inside a region of one label, the normal from finite differences
    /// of the back-projected depth matches the stored normal within 5°; every normal faces the camera.
    @Test func normalsAgreeWithDepthGradientsOnPlanes() throws {
        let h = 32, w = 32
        var checked = 0, agreeing = 0
        for index in 0..<4 {
            var g = SeededGenerator(seed: 21).fork(UInt64(index))
            let layout = SceneLayout.random(style: SceneStyle.presets[index % 4], aspect: 1, generator: &g)
            guard let sample = SceneRenderer.render(layout, height: h, width: w, style: 0, generator: &g) else { continue }
            let depth = try #require(sample.depth), semantic = try #require(sample.semantic)
            let edges = try #require(sample.boundaries)
            let camera = layout.camera
            // Camera-frame point (right, up, towards the camera) of pixel (i, j).
            func point(_ i: Int, _ j: Int) -> SIMD3<Float> {
                let u = 2 * (Float(j) + 0.5) / Float(w) - 1, v = 1 - 2 * (Float(i) + 0.5) / Float(h)
                let z = depth[i * w + j]
                return SIMD3(z * u * camera.tanHalfX, z * v * camera.tanHalfY, -z)
            }
            // Every valid normal faces the camera.
            for i in 0..<h {
                for j in 0..<w where depth[i * w + j] > 0 {
                    #expect((point(i, j) * sample.normal(at: i * w + j)).sum() < 0)
                }
            }
            for i in 1..<(h - 1) {
                for j in 1..<(w - 1) {
                    let p = i * w + j, label = semantic[p]
                    guard label == SceneClasses.floor || label == SceneClasses.wall else { continue }
                    let block = [p - w - 1, p - w, p - w + 1, p - 1, p + 1, p + w - 1, p + w, p + w + 1, p]
                    guard block.allSatisfy({ semantic[$0] == label && edges[$0] == 0 }) else { continue }
                    let dx = point(i, j + 1) - point(i, j - 1), dy = point(i - 1, j) - point(i + 1, j)
                    var n = cross(dx, dy)
                    n /= (n * n).sum().squareRoot()
                    if n.z < 0 { n = -n }
                    let cosine = min(max((n * sample.normal(at: p)).sum(), -1), 1)
                    checked += 1
                    if acos(cosine) * 180 / .pi < 5 { agreeing += 1 }
                }
            }
        }
        #expect(checked > 500)
        #expect(Double(agreeing) >= 0.95 * Double(checked), "\(agreeing) of \(checked) pixels within 5°")
    }

    @Test func boundariesLieOnLabelOrDepthJumps() throws {
        let generator = SceneGenerator(height: 32, width: 32)
        var boundaryPixels = 0
        for sample in generator.samples(0..<4, seed: 8) {
            let h = sample.height, w = sample.width
            let semantic = try #require(sample.semantic), depth = try #require(sample.depth)
            let edges = try #require(sample.boundaries)
            func far(_ p: Int) -> Float { depth[p] > 0 ? depth[p] : .infinity }
            func neighbours(_ p: Int) -> [Int] {
                let i = p / w, j = p % w
                return [(i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)].filter { $0.0 >= 0 && $0.0 < h && $0.1 >= 0 && $0.1 < w }.map { $0.0 * w + $0.1 }
            }
            func jump(_ p: Int, _ q: Int) -> Bool {
                abs(far(p) - far(q)) > SceneRenderer.depthJump * min(far(p), far(q)) || (depth[p] > 0) != (depth[q] > 0)
            }
            for p in 0..<(h * w) {
                if edges[p] == 1 {
                    boundaryPixels += 1
                    // A boundary pixel touches another label (255 marks a mixed pixel) or a depth jump.
                    let cause = neighbours(p).contains { semantic[$0] != semantic[p] || semantic[$0] == 255 || semantic[p] == 255 || jump(p, $0) }
                    #expect(cause, "boundary pixel \(p) has no label or depth jump beside it")
                }
                // Two labelled neighbours of different classes, or with a large depth jump, put a boundary on one side.
                for q in neighbours(p) where q > p {
                    let labelJump = semantic[p] != 255 && semantic[q] != 255 && semantic[p] != semantic[q]
                    let bigJump = depth[p] > 0 && depth[q] > 0 && abs(depth[p] - depth[q]) > 0.3 * min(depth[p], depth[q])
                    if labelJump || bigJump { #expect(edges[p] == 1 || edges[q] == 1, "no boundary between \(p) and \(q)") }
                }
            }
        }
        #expect(boundaryPixels > 0)
    }
}
