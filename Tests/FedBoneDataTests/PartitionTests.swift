import Testing
import FedBoneData

@Suite struct PartitionTests {
    let tasks = [TaskSpec(.segmentation, classes: 7), TaskSpec(.depth), TaskSpec(.normals)]

    @Test func clientsAreEqualDisjointAndSplitEightToTwo() throws {
        let styles = (0..<250).map { $0 % 4 }
        let splits = try ScenePartition.plan(imageStyles: styles, tasks: tasks, clientsPerTask: 4, seed: 3)
        #expect(splits.map(\.name) == ["segmentation-0", "segmentation-1", "segmentation-2", "segmentation-3",
                                       "depth-0", "depth-1", "depth-2", "depth-3", "normals-0", "normals-1", "normals-2", "normals-3"])
        // 250 images → 3 slices of 83 → clients of 20 → 16 train, 4 test.
        for split in splits {
            #expect(split.train.count == 16 && split.test.count == 4)
        }
        let all = splits.flatMap { $0.train + $0.test }
        #expect(Set(all).count == all.count, "an image is in two clients")
        #expect(all.allSatisfy { (0..<250).contains($0) })
        #expect(try ScenePartition.plan(imageStyles: styles, tasks: tasks, seed: 3) == splits)
        #expect(try ScenePartition.plan(imageStyles: styles, tasks: tasks, seed: 4) != splits)
    }

    @Test func tasksMayShareImagesWhenAsked() throws {
        let splits = try ScenePartition.plan(imageStyles: [Int](repeating: 0, count: 40), tasks: tasks, clientsPerTask: 2,
                                             disjointTasks: false, seed: 1)
        for t in 0..<3 {
            let images = splits[(2 * t)..<(2 * t + 2)].flatMap { $0.train + $0.test }
            #expect(Set(images) == Set(0..<40))
        }
    }

    @Test func dirichletSplitsSkewTheStylesOfEachClient() throws {
        let styles = (0..<2000).map { $0 % 4 }
        func skew(_ scheme: PartitionScheme) throws -> Double {
            let splits = try ScenePartition.plan(imageStyles: styles, tasks: [TaskSpec(.depth)], clientsPerTask: 8, scheme: scheme, seed: 9)
            let shares = splits.map { split -> Double in
                let images = split.train + split.test
                let counts = (0..<4).map { s in images.filter { styles[$0] == s }.count }
                return Double(counts.max() ?? 0) / Double(images.count)
            }
            #expect(splits.allSatisfy { $0.train.count + $0.test.count == 250 })
            return shares.reduce(0, +) / Double(shares.count)
        }
        // Equal clients that use every image cap the skew: the last picks find some styles used up.
        let iid = try skew(.iid), skewed = try skew(.dirichlet(alpha: 0.1))
        #expect(iid < 0.35)
        #expect(skewed > 0.5, "mean largest style share \(skewed)")
        #expect(try skew(.dirichlet(alpha: 100)) < 0.4)
    }

    @Test func badRequestsThrow() {
        #expect(throws: DatasetError.self) { try ScenePartition.plan(imageStyles: [0, 0, 0], tasks: tasks, seed: 0) }
        #expect(throws: DatasetError.self) { try ScenePartition.plan(imageStyles: [Int](repeating: 0, count: 99), tasks: tasks, trainFraction: 1, seed: 0) }
        #expect(throws: DatasetError.self) {
            try ScenePartition.plan(imageStyles: [Int](repeating: 0, count: 99), tasks: [TaskSpec(.depth), TaskSpec(.depth)], seed: 0)
        }
        #expect(throws: DatasetError.self) {
            try ScenePartition.plan(imageStyles: [Int](repeating: 0, count: 99), tasks: tasks, scheme: .dirichlet(alpha: 0), seed: 0)
        }
    }

    @Test func clientsHoldOnlyTheirOwnSplitAndTask() throws {
        let dataset = TestData.scenes(count: 20)
        let clients = try ScenePartition.make(dataset: dataset, tasks: [TaskSpec(.segmentation, classes: 7), TaskSpec(.saliency)],
                                              clientsPerTask: 2, seed: 5)
        #expect(clients.map(\.name) == ["segmentation-0", "segmentation-1", "saliency-0", "saliency-1"])
        for client in clients {
            #expect(client.trainCount == 4 && client.testCount == 1)
            #expect(client.imageSize == (16, 16))
            for (index, sample) in zip(client.trainIndices + client.testIndices, client.train + client.test) {
                #expect(sample == dataset.samples[index].keeping(only: client.task.kind))
                #expect(sample.depth == nil)
            }
        }
        #expect(throws: DatasetError.self) { try ScenePartition.make(dataset: dataset, tasks: [TaskSpec(.segmentation, classes: 5)], seed: 5) }
    }

    @Test func partitioningFromDiskMatchesPartitioningInMemory() throws {
        let dataset = TestData.scenes(count: 24)
        let folder = try TestData.folder()
        try DatasetWriter.write(dataset, to: folder, shardSize: 5)
        let reader = try DatasetReader(directory: folder)
        let fromDisk = try ScenePartition.make(reader: reader, tasks: dataset.info.taskSpecs, clientsPerTask: 1,
                                               scheme: .dirichlet(alpha: 0.5), seed: 2)
        let inMemory = try ScenePartition.make(dataset: dataset, tasks: dataset.info.taskSpecs, clientsPerTask: 1,
                                               scheme: .dirichlet(alpha: 0.5), seed: 2)
        #expect(fromDisk.map(\.name) == inMemory.map(\.name))
        for (a, b) in zip(fromDisk, inMemory) {
            #expect(a.train == b.train && a.test == b.test && a.trainIndices == b.trainIndices)
        }
    }
}
