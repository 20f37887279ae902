import Foundation

/// Renders a ``SceneLayout`` into a ``MultiTaskSample``: one ray through each pixel centre for
/// colour, depth, normals, saliency and the unmixed labels, and one ray through each pixel
/// corner for the labels only, to find mixed pixels (label 255).
enum SceneRenderer {
    /// Relative depth step between neighbouring pixels of different surfaces that counts as a
    /// depth discontinuity for the boundary map.
    static let depthJump: Float = 0.04

    /// The rendered sample, or `nil` when no foreground object is visible.
    static func render(_ layout: SceneLayout, height: Int, width: Int, style: Int,
                       generator g: inout SeededGenerator) -> MultiTaskSample? {
        let plane = height * width
        var surface = [Int](repeating: SceneLayout.sky, count: plane)
        var zDepth = [Float](repeating: 0, count: plane)
        var rgb = [UInt8](repeating: 0, count: 3 * plane)
        var normals = [Int8](repeating: 0, count: 3 * plane)
        var saliency = [UInt8](repeating: 0, count: plane)
        let camera = layout.camera
        func u(_ x: Float) -> Float { 2 * x / Float(width) - 1 }
        func v(_ y: Float) -> Float { 1 - 2 * y / Float(height) }

        for i in 0..<height {
            for j in 0..<width {
                let p = i * width + j
                let d = camera.ray(u: u(Float(j) + 0.5), v: v(Float(i) + 0.5))
                let hit = layout.trace(origin: camera.position, dir: d)
                surface[p] = hit.surface
                var color = layout.shade(hit, dir: d)
                if layout.noise > 0 {
                    // Triangular noise of unit variance from two 16-bit uniforms per channel.
                    let a = g.next(), b = g.next()
                    for c in 0..<3 {
                        let u = Float((a >> (16 * UInt64(c))) & 0xFFFF) + Float((b >> (16 * UInt64(c))) & 0xFFFF)
                        color[c] += layout.noise * (u / 65_536 - 1) * 2.449_49
                    }
                }
                for c in 0..<3 { rgb[c * plane + p] = UInt8((min(max(color[c], 0), 1) * 255).rounded()) }
                guard hit.surface != SceneLayout.sky else { continue }
                zDepth[p] = hit.t * dot(d, camera.forward)
                let n = Vec3(dot(hit.normal, camera.right), dot(hit.normal, camera.up), -dot(hit.normal, camera.forward))
                for c in 0..<3 { normals[c * plane + p] = Int8((min(max(n[c], -1), 1) * 127).rounded()) }
                if layout.isSalient(hit.surface) { saliency[p] = 1 }
            }
        }

        // Labels at the pixel corners mark mixed pixels.
        let cornerWidth = width + 1
        var cornerSemantic = [UInt8](repeating: 0, count: (height + 1) * cornerWidth)
        var cornerPart = cornerSemantic
        for i in 0...height {
            for j in 0...width {
                let hit = layout.trace(origin: camera.position, dir: camera.ray(u: u(Float(j)), v: v(Float(i))))
                cornerSemantic[i * cornerWidth + j] = layout.semantic(of: hit.surface)
                cornerPart[i * cornerWidth + j] = layout.part(of: hit.surface)
            }
        }
        let centreSemantic = surface.map(layout.semantic(of:))
        var semantic = centreSemantic, parts = surface.map(layout.part(of:))
        for i in 0..<height {
            for j in 0..<width {
                let p = i * width + j
                let c = i * cornerWidth + j
                func mixed(_ corners: [UInt8], _ label: UInt8) -> Bool {
                    corners[c] != label || corners[c + 1] != label || corners[c + cornerWidth] != label || corners[c + cornerWidth + 1] != label
                }
                if mixed(cornerSemantic, semantic[p]) { semantic[p] = 255 }
                if mixed(cornerPart, parts[p]) { parts[p] = 255 }
            }
        }

        guard let imageClass = dominantClass(centreSemantic) else { return nil }
        let boundaries = boundaryMap(semantic: centreSemantic, surface: surface, depth: zDepth, height: height, width: width)
        return MultiTaskSample(height: height, width: width, rgb: rgb, semantic: semantic, parts: parts, depth: zDepth,
                               normals: normals, boundaries: boundaries, saliency: saliency,
                               imageClass: imageClass, style: style)
    }

    /// The image class: the foreground semantic class with the most pixels (the lower class on a
    /// tie), or `nil` when no foreground pixel is visible.
    static func dominantClass(_ semantic: [UInt8]) -> Int? {
        var counts = [Int](repeating: 0, count: SceneClasses.image.count)
        for label in semantic where label >= SceneClasses.firstForeground && label < 255 {
            counts[Int(label - SceneClasses.firstForeground)] += 1
        }
        guard let best = counts.max(), best > 0 else { return nil }
        return counts.firstIndex(of: best)
    }

    /// 1 at pixels on the near side of a discontinuity with a 4-neighbour: a different semantic
    /// class, or a different surface more than ``depthJump`` (relative) deeper or shallower. Of
    /// the two pixels the nearer is marked (both on equal depth; sky counts as infinitely far),
    /// so the map is one pixel wide and mirrors with the image.
    static func boundaryMap(semantic: [UInt8], surface: [Int], depth: [Float], height: Int, width: Int) -> [UInt8] {
        var edges = [UInt8](repeating: 0, count: height * width)
        func far(_ p: Int) -> Float { depth[p] > 0 ? depth[p] : .infinity }
        func check(_ p: Int, _ q: Int) {
            let dp = far(p), dq = far(q)
            let jump = surface[p] != surface[q] && abs(dp - dq) > depthJump * min(dp, dq)
            guard semantic[p] != semantic[q] || jump else { return }
            if dp <= dq { edges[p] = 1 }
            if dq <= dp { edges[q] = 1 }
        }
        for i in 0..<height {
            for j in 0..<width {
                let p = i * width + j
                if j + 1 < width { check(p, p + 1) }
                if i + 1 < height { check(p, p + width) }
            }
        }
        return edges
    }
}
