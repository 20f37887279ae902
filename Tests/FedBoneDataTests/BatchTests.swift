import Testing
import FedBoneData

@Suite struct BatchTests {
    @Test func countIsTheBatchDimension() {
        let b = Batch(images: .zeros([3, 3, 4, 4]), target: .labels([0, 1, 2]))
        #expect(b.count == 3)
    }

    @Test func batchesHoldImagesInUnitRangeAndEachTaskTarget() throws {
        let samples = Array(TestData.scenes(count: 3, size: 8).samples)
        for kind in TaskKind.allCases where !kind.isText {
            let batch = Batch(samples: samples, task: kind)
            #expect(batch.images.shape == [3, 3, 8, 8])
            #expect(batch.images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
            #expect(batch.images.scalars[5] == Float(samples[0].rgb[5]) / 255)
            switch (kind, batch.target) {
            case (.segmentation, .labels(let labels)):
                #expect(labels == samples.flatMap { $0.semantic!.map(Int.init) })
            case (.parts, .labels(let labels)):
                #expect(labels.count == 3 * 64 && labels.allSatisfy { $0 < 7 || $0 == 255 })
            case (.classification, .labels(let labels)):
                #expect(labels == samples.map { $0.imageClass! })
            case (.depth, .map(let depth)):
                #expect(depth.shape == [3, 1, 8, 8] && depth.scalars == samples.flatMap { $0.depth! })
            case (.normals, .map(let normals)):
                #expect(normals.shape == [3, 3, 8, 8])
                let n = (0..<3).map { normals.scalars[$0 * 64 + 9] }
                let length = n.map { $0 * $0 }.reduce(0, +)
                #expect(length == 0 || abs(length - 1) < 1e-5)
                #expect(n == [0, 1, 2].map { samples[0].normal(at: 9)[$0] })
            case (.boundaries, .map(let mask)), (.saliency, .map(let mask)):
                #expect(mask.shape == [3, 1, 8, 8] && mask.scalars.allSatisfy { $0 == 0 || $0 == 1 })
            default:
                Issue.record("task \(kind) got the wrong kind of target")
            }
        }
    }

    @Test func clientBatchesCoverTheSplitAndAreSeeded() throws {
        let dataset = TestData.scenes(count: 40, size: 8)
        let client = try #require(try ScenePartition.make(dataset: dataset, tasks: [TaskSpec(.depth)], clientsPerTask: 2, seed: 1).first)
        #expect(client.trainCount == 16 && client.testCount == 4)
        var a = SeededGenerator(seed: 3), b = SeededGenerator(seed: 3)
        let batches = client.trainBatches(batchSize: 5, generator: &a)
        #expect(batches.map(\.count) == [5, 5, 5, 1])
        #expect(batches.map(\.images.scalars) == client.trainBatches(batchSize: 5, generator: &b).map(\.images.scalars))
        #expect(a == b)
        let test = client.testBatches(batchSize: 3)
        #expect(test.map(\.count) == [3, 1])
        guard case .map(let depth) = test[1].target else {
            Issue.record("depth batch without a map")
            return
        }
        #expect(depth.scalars == client.test[3].depth)
    }
}
