/// A client's samples held in memory: images `[3, S, S]` with one task's targets, split into
/// train and test. Training batches are shuffled and, with `augment`, flipped left–right at
/// random (normals' x component changes sign).
public struct InMemoryClientDataset: ClientDataset {
    /// One sample: its image and its target (`labels`: S·S or 1 class indices; `map`: K·S·S values).
    public struct Sample: Sendable {
        public var image: [Float]
        public var labels: [Int]
        public var map: [Float]

        public init(image: [Float], labels: [Int] = [], map: [Float] = []) {
            self.image = image
            self.labels = labels
            self.map = map
        }
    }

    public let task: TaskSpec
    public let size: Int
    public let augment: Bool
    public let train: [Sample]
    public let test: [Sample]

    public init(task: TaskSpec, size: Int, train: [Sample], test: [Sample], augment: Bool) {
        self.task = task
        self.size = size
        self.train = train
        self.test = test
        self.augment = augment
    }

    public var input: InputDescription { .images(height: size, width: size) }
    public var trainCount: Int { train.count }
    public var testCount: Int { test.count }

    public func trainBatches(batchSize: Int, generator: inout SeededGenerator) -> [Batch] {
        generator.shuffledBatches(count: train.count, batchSize: batchSize).map { indices in
            var samples = indices.map { train[$0] }
            if augment {
                for j in samples.indices where generator.int(below: 2) == 1 { samples[j] = flipped(samples[j]) }
            }
            return batch(samples)
        }
    }

    public func testBatches(batchSize: Int) -> [Batch] {
        stride(from: 0, to: test.count, by: batchSize).map { batch(Array(test[$0..<min($0 + batchSize, test.count)])) }
    }

    private func batch(_ samples: [Sample]) -> Batch {
        let b = samples.count, s = size
        let images = Tensor(uncheckedShape: [b, 3, s, s], scalars: samples.flatMap(\.image))
        if task.kind == .classification || [.segmentation, .parts].contains(task.kind) {
            return Batch(images: images, target: .labels(samples.flatMap(\.labels)))
        }
        let k = task.outputChannels
        return Batch(images: images, target: .map(Tensor(uncheckedShape: [b, k, s, s], scalars: samples.flatMap(\.map))))
    }

    /// The sample mirrored left–right.
    private func flipped(_ sample: Sample) -> Sample {
        let s = size
        func mirror<T>(_ values: [T], planes: Int) -> [T] {
            var out = values
            for p in 0..<planes {
                for y in 0..<s {
                    for x in 0..<s { out[(p * s + y) * s + x] = values[(p * s + y) * s + (s - 1 - x)] }
                }
            }
            return out
        }
        var out = Sample(image: mirror(sample.image, planes: 3))
        if task.kind == .classification {
            out.labels = sample.labels
        } else if !sample.labels.isEmpty {
            out.labels = mirror(sample.labels, planes: 1)
        }
        if !sample.map.isEmpty {
            out.map = mirror(sample.map, planes: task.outputChannels)
            if task.kind == .normals {
                for i in 0..<(s * s) { out.map[i] = -out.map[i] }
            }
        }
        return out
    }
}
