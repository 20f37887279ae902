import Foundation
import Testing
import FedBoneFederation

/// Task groups with data of their own: sources and image sizes mixed in one federation.
@Suite struct TaskDataSourceTests {
    static let model = """
        model:
          general: {embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2}
          adaptation: {width: 8, heads: 2}
        training: {batchSize: 4}
        evaluation: {every: 1, batchSize: 8}
        checkpoints: {keep: 0}
        """

    /// A folder of 24×24 scenes in the FedBone format.
    private func sceneFolder(_ scratch: ScratchDirectory) throws -> URL {
        let url = scratch.url.appendingPathComponent("scenes-24")
        let generator = SceneGenerator(height: 24, width: 24)
        var writer = try DatasetWriter(directory: url, info: generator.info)
        try writer.append(generator.samples(0..<20, seed: 11))
        _ = try writer.finish()
        return url
    }

    private func mixedYAML(folder: URL, rounds: Int = 2) -> String {
        """
        rounds: \(rounds)
        data: {imageSize: 16, samplesPerClient: 10}
        tasks:
          - {kind: segmentation, clients: 1}
          - {kind: depth, clients: 2, name: room, data: {dataset: \(folder.path)}}
          - {kind: classification, clients: 1, name: shapes, data: {dataset: synthetic-shapes, imageSize: 32, samplesPerClient: 12}}
          - {kind: saliency, clients: 1, data: {imageSize: 20}}
        \(Self.model)
        """
    }

    @Test func groupsReadTheirOwnSourceNameAndSize() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let config = try ExperimentConfig.load(yaml: mixedYAML(folder: try sceneFolder(scratch)))
        #expect(config.tasks[1].data == TaskDataSource(dataset: config.tasks[1].data?.dataset))
        #expect(config.tasks[2].resolvedData(config.data).imageSize == 32)
        #expect(config.tasks[2].resolvedData(config.data).samplesPerClient == 12)
        #expect(config.tasks[0].resolvedData(config.data) == config.data)
        #expect(try ExperimentConfig.load(yaml: try config.yaml()) == config)
        let clients = try DatasetFactory.makeClientDatasets(data: config.data, tasks: config.tasks, seed: 3)
        #expect(clients.map(\.name) == ["segmentation-0", "room-0", "room-1", "shapes-0", "saliency-0"])
        #expect(clients.map(\.dataset.input) == [16, 24, 24, 32, 20].map { .images(height: $0, width: $0) })
        // The folder's 20 images are dealt to its two clients, 8 : 2 each.
        #expect(clients[1].dataset.trainCount == 8 && clients[2].dataset.testCount == 2)
        #expect(clients[3].dataset.trainCount + clients[3].dataset.testCount == 12)
    }

    @Test func restatingTheExperimentsDataChangesNothing() throws {
        let plain = try ExperimentConfig.load(yaml: "data: {imageSize: 16, samplesPerClient: 10}\ntasks: [{kind: depth, clients: 2}, {kind: normals, clients: 1}]")
        let restated = try ExperimentConfig.load(
            yaml: "data: {imageSize: 16, samplesPerClient: 10}\ntasks: [{kind: depth, clients: 2, data: {dataset: scenes, imageSize: 16}}, {kind: normals, clients: 1}]")
        let a = try DatasetFactory.makeClientDatasets(data: plain.data, tasks: plain.tasks, seed: 3)
        let b = try DatasetFactory.makeClientDatasets(data: restated.data, tasks: restated.tasks, seed: 3)
        #expect(a.map(\.name) == b.map(\.name))
        for (x, y) in zip(a, b) {
            #expect(x.dataset.testBatches(batchSize: 4)[0].images.scalars == y.dataset.testBatches(batchSize: 4)[0].images.scalars)
        }
    }

    @Test func aMixedFederationTrainsEveryMethodDeterministically() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let yaml = mixedYAML(folder: try sceneFolder(scratch))
        for method in [FederatedMethod.fedbone, .fedavg] {
            let config = try ExperimentConfig.load(yaml: yaml, overrides: ["method=\(method.rawValue)"])
            let first = try Simulation(config: config, runDirectory: scratch.url.appendingPathComponent("\(method)-a"), progress: RunProgress.quiet).run()
            let again = try Simulation(config: config, runDirectory: scratch.url.appendingPathComponent("\(method)-b"), progress: RunProgress.quiet).run()
            #expect(first.clients == ["segmentation-0", "room-0", "room-1", "shapes-0", "saliency-0"])
            #expect(first.final.allSatisfy { $0.primary.value.isFinite }, "\(method)")
            #expect(first.final.map(\.primary.value) == again.final.map(\.primary.value), "\(method)")
            #expect(first.final.map(\.primary.value) != first.initial.map(\.primary.value), "\(method)")
        }
    }

    @Test func badGroupDataIsRefusedNamingTheKey() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let folder = try sceneFolder(scratch)
        func key(_ yaml: String) -> String? { refusedConfigKey(yaml + "\n" + Self.model) }
        #expect(key("tasks: [{kind: depth, data: {imageSize: 18}}]") == "tasks.0.data.imageSize")
        #expect(key("tasks: [{kind: depth, data: {trainFraction: 1.5}}]") == "tasks.0.data.trainFraction")
        #expect(key("tasks: [{kind: depth}, {kind: depth, clients: 1, data: {imageSize: 24}}]") == "tasks.1.name")
        #expect(key("tasks: [{kind: depth, name: 'a/b'}]") == "tasks.0.name")
        #expect(key("tasks: [{kind: depth, data: {dataset: \(folder.path), imageSize: 32}}]") == "tasks.0.data.imageSize")
        #expect(key("tasks: [{kind: depth, data: {dataset: /nonexistent/folder}}]") == "tasks.0.data.dataset")
        #expect(key("tasks: [{kind: depth, data: {dataset: synthetic-shapes, partition: dirichlet}}]") == "tasks.0.data.partition")
        #expect(key("tasks: [{kind: depth, clients: 1, data: {dataset: \(folder.path)}}, {kind: normals, clients: 1, data: {dataset: \(folder.path), trainFraction: 0.5}}]")
            == "tasks.1.data.trainFraction")
        #expect(key("tasks: [{kind: depth, data: {sizes: 3}}]") != nil)
    }
}
