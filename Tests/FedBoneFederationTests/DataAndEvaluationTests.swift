import Testing
import FedBoneFederation

@Suite struct DataAndEvaluationTests {
    static let tasks = [TaskConfig(kind: .segmentation, clients: 2), TaskConfig(kind: .normals, clients: 1),
                        TaskConfig(kind: .classification, clients: 1)]

    private func data() -> DataConfig {
        var d = DataConfig()
        d.dataset = "synthetic-shapes"
        d.imageSize = 16
        d.samplesPerClient = 10
        return d
    }

    @Test func scenesGiveEachTaskItsOwnImagesAndEveryPartitionScheme() throws {
        var d = DataConfig()
        d.imageSize = 16
        d.samplesPerClient = 10
        let clients = try DatasetFactory.makeClientDatasets(data: d, tasks: Self.tasks, seed: 3)
        #expect(clients.map(\.name) == ["segmentation-0", "segmentation-1", "normals-0", "classification-0"])
        #expect(clients.allSatisfy { $0.dataset.trainCount == 8 && $0.dataset.testCount == 2 })
        #expect(clients[0].dataset.task == TaskSpec(.segmentation, classes: SceneClasses.semantic.count))
        let images = clients.map { $0.dataset.testBatches(batchSize: 2)[0].images.scalars }
        #expect(Set(images.map { $0.prefix(64).map(\.bitPattern) }).count == images.count)
        d.partition = .dirichlet
        d.dirichletAlpha = 0.2
        let skewed = try DatasetFactory.makeClientDatasets(data: d, tasks: Self.tasks, seed: 3)
        #expect(skewed.map(\.dataset.trainCount) == clients.map(\.dataset.trainCount))
    }

    @Test func unknownDatasetNamesTheKey() {
        var d = data()
        d.dataset = "/nonexistent/dataset"
        #expect(throws: ConfigError.self) { try DatasetFactory.makeClientDatasets(data: d, tasks: Self.tasks, seed: 0) }
    }

    @Test func factoryBuildsNamedClientsWithAnEightyTwentySplit() throws {
        let clients = try DatasetFactory.makeClientDatasets(data: data(), tasks: Self.tasks, seed: 3)
        #expect(clients.map(\.name) == ["segmentation-0", "segmentation-1", "normals-0", "classification-0"])
        #expect(clients.allSatisfy { $0.dataset.trainCount == 8 && $0.dataset.testCount == 2 })
        var g = SeededGenerator(seed: 1)
        let batches = clients[2].dataset.trainBatches(batchSize: 3, generator: &g)
        #expect(batches.map(\.count) == [3, 3, 2])
        #expect(batches[0].images.shape == [3, 3, 16, 16])
        guard case let .map(normals) = batches[0].target else { Issue.record("normals need a map target"); return }
        #expect(normals.shape == [3, 3, 16, 16])
        let lengths = normals.square().sum(axis: 1).scalars
        #expect(lengths.allSatisfy { abs($0 - 1) < 1e-4 })
        // The same seed gives the same data; another seed other data.
        let again = try DatasetFactory.makeClientDatasets(data: data(), tasks: Self.tasks, seed: 3)
        let other = try DatasetFactory.makeClientDatasets(data: data(), tasks: Self.tasks, seed: 4)
        let first = clients[0].dataset.testBatches(batchSize: 2)[0].images.scalars
        #expect(again[0].dataset.testBatches(batchSize: 2)[0].images.scalars == first)
        #expect(other[0].dataset.testBatches(batchSize: 2)[0].images.scalars != first)
    }

    @Test func factoryRejectsWhatItCannotBuildNamingTheKey() {
        var d = data()
        d.partition = .dirichlet
        #expect(throws: ConfigError.self) { try DatasetFactory.makeClientDatasets(data: d, tasks: Self.tasks, seed: 0) }
        #expect(throws: ConfigError.invalidValue(key: "tasks.0.classes", message: "synthetic-shapes has 4 classes for segmentation, got 7")) {
            try DatasetFactory.makeClientDatasets(data: data(), tasks: [TaskConfig(kind: .segmentation, classes: 7)], seed: 0)
        }
    }

    @Test func perfectPredictionsScorePerfectly() throws {
        let clients = try DatasetFactory.makeClientDatasets(
            data: data(), tasks: [TaskConfig(kind: .segmentation, clients: 1), TaskConfig(kind: .depth, clients: 1),
                                  TaskConfig(kind: .normals, clients: 1), TaskConfig(kind: .saliency, clients: 1)], seed: 2)
        for (_, dataset) in clients {
            let batches = dataset.testBatches(batchSize: 4)
            var i = 0
            let summary = evaluate(task: dataset.task, batches: batches, lossOptions: .init()) { _ in
                defer { i += 1 }
                switch batches[i].target {
                case let .labels(labels):
                    let b = batches[i].count, c = dataset.task.classes, hw = labels.count / b
                    var logits = [Float](repeating: 0, count: b * c * hw)
                    for (j, l) in labels.enumerated() { logits[((j / hw) * c + l) * hw + j % hw] = 1 }
                    return Tensor(uncheckedShape: [b, c, 16, 16], scalars: logits)
                case let .map(map):
                    return dataset.task.kind == .saliency ? map * 20 - 10 : map
                }
            }
            let best = summary.primary.higherIsBetter ? 1.0 : 0.0
            #expect(abs(summary.primary.value - best) < 1e-3, "\(dataset.task.kind): \(summary.primary)")
        }
    }

    @Test func clientSamplingTakesTheConfiguredCount() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let config = try SimulationTests.config(["rounds=1", "training.clientsPerRound.count=2"])
        let result = try Simulation(config: config, runDirectory: scratch.url.appendingPathComponent("run"),
                                    progress: RunProgress.quiet).run()
        #expect(result.lastRound == 1)
        let lines = try String(contentsOf: scratch.url.appendingPathComponent("run/metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("\"round\":1,") && !$0.contains("\"train_loss\":\"NaN\"") }
        #expect(lines.count == 2)
    }
}
