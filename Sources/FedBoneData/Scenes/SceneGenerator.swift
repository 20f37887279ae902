import Foundation

/// The built-in multi-task dataset: seeded, ray-cast 3-D scenes (a room with a floor and walls,
/// spheres, boxes, cylinders and articulated figures) with ground truth for every task kind.
///
/// Image `index` of a dataset with seed `seed` depends only on `(seed, index)`, the image size
/// and the style list, never on threading or on the other images: the same inputs give the
/// same bytes. Each image draws its style uniformly from ``styles`` (or takes the one given).
///
/// ```swift
/// let generator = SceneGenerator(height: 64, width: 64)
/// let dataset = generator.generate(count: 2000, seed: 7)
/// ```
public struct SceneGenerator: Sendable {
    /// The dataset name written to manifests.
    public static let datasetName = "procedural-scenes"

    /// Image height in pixels.
    public var height: Int
    /// Image width in pixels.
    public var width: Int
    /// The styles images are drawn from; a sample's `style` indexes this list.
    public var styles: [SceneStyle]

    public init(height: Int = 64, width: Int = 64, styles: [SceneStyle] = SceneStyle.presets) {
        precondition(height >= 4 && width >= 4, "SceneGenerator: images must be at least 4×4, got \(height)×\(width)")
        precondition(!styles.isEmpty, "SceneGenerator: need at least one style")
        self.height = height
        self.width = width
        self.styles = styles
    }

    /// Name, size, tasks and styles of the datasets this generator makes.
    public var info: DatasetInfo {
        DatasetInfo(name: Self.datasetName, height: height, width: width, tasks: SceneClasses.tasks, styles: styles.map(\.name))
    }

    /// Image `index` of the dataset with `seed`, its style drawn from ``styles``.
    public func sample(seed: UInt64, index: Int) -> MultiTaskSample {
        var g = SeededGenerator(seed: seed).fork(UInt64(index))
        return render(style: g.int(below: styles.count), generator: &g)
    }

    /// Image `index` of the dataset with `seed` in style `style` (an index into ``styles``).
    public func sample(seed: UInt64, index: Int, style: Int) -> MultiTaskSample {
        precondition(styles.indices.contains(style), "SceneGenerator: style \(style) out of range 0..<\(styles.count)")
        var g = SeededGenerator(seed: seed).fork(UInt64(index))
        _ = g.next()
        return render(style: style, generator: &g)
    }

    /// Images `range` of the dataset with `seed`, rendered in parallel over images.
    public func samples(_ range: Range<Int>, seed: UInt64) -> [MultiTaskSample] {
        var out = [MultiTaskSample?](repeating: nil, count: range.count)
        out.withUnsafeMutableBufferPointer { buffer in
            parallelChunks(range.count, minimumPerChunk: 1) { chunk in
                for k in chunk { buffer[k] = sample(seed: seed, index: range.lowerBound + k) }
            }
        }
        return out.map { $0! }
    }

    /// A whole dataset of `count` images.
    public func generate(count: Int, seed: UInt64) -> MultiTaskDataset {
        MultiTaskDataset(info: info, samples: samples(0..<count, seed: seed))
    }

    /// Renders random layouts until one shows a foreground object (almost always the first).
    private func render(style: Int, generator g: inout SeededGenerator) -> MultiTaskSample {
        let aspect = Float(width) / Float(height)
        for _ in 0..<64 {
            let layout = SceneLayout.random(style: styles[style], aspect: aspect, generator: &g)
            if let sample = SceneRenderer.render(layout, height: height, width: width, style: style, generator: &g) {
                return sample
            }
        }
        preconditionFailure("SceneGenerator: 64 layouts of style \(styles[style].name) showed no foreground object")
    }
}
