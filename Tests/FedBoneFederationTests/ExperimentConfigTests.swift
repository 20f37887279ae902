import Testing
import FedBoneFederation

@Suite struct ExperimentConfigTests {
    private func key(of body: () throws -> ExperimentConfig) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as ConfigError {
            switch error {
            case let .unknownKey(key, _), let .invalidValue(key, _): return key
            case .syntax: return "<syntax>"
            }
        } catch {
            return "<\(error)>"
        }
    }

    @Test func emptyTextIsTheDefaultExperiment() throws {
        #expect(try ExperimentConfig.load(yaml: "") == ExperimentConfig())
    }

    @Test func resolvedYAMLReadsBackEqual() throws {
        var config = try ExperimentConfig.load(yaml: "method: fedprox\nserver: {update: gradient, learningRate: 0.5}",
                                               overrides: ["client.schedule={kind: step, stepSize: 10, gamma: 0.5}",
                                                           "model.general=swin-nano", "tasks.0.classes=4"])
        #expect(try ExperimentConfig.load(yaml: config.yaml()) == config)
        config.model.general = .custom(.swin(SwinConfiguration(embedDim: 8, depths: [1, 1], numHeads: [1, 2], windowSize: 4, mlpRatio: 2)))
        config.training.clientsPerRound.count = 3
        #expect(try ExperimentConfig.load(yaml: config.yaml()) == config)
    }

    @Test func unknownKeysAreErrorsNamingTheKey() {
        #expect(key { try ExperimentConfig.load(yaml: "roundz: 3") } == "roundz")
        #expect(key { try ExperimentConfig.load(yaml: "training: {batchsize: 4}") } == "training.batchsize")
        #expect(key { try ExperimentConfig.load(yaml: "tasks: [{kind: depth}, {kind: depth, client: 2}]") } == "tasks.1.client")
        #expect(key { try ExperimentConfig.load(yaml: "client: {optimizer: {name: adam, lr: 0.1, momentum: 0.9}}") } == "client.optimizer.momentum")
        #expect(key { try ExperimentConfig.load(yaml: "server: {schedule: {kind: constant, gamma: 0.1}}") } == "server.schedule.gamma")
    }

    @Test func badValuesAreErrorsNamingTheKey() {
        #expect(key { try ExperimentConfig.load(yaml: "training: {batchSize: abc}") } == "training.batchSize")
        #expect(key { try ExperimentConfig.load(yaml: "rounds: 0") } == "rounds")
        #expect(key { try ExperimentConfig.load(yaml: "method: fedsgd") } == "method")
        #expect(key { try ExperimentConfig.load(yaml: "tasks: [{kind: depth}, {kind: colour}]") } == "tasks.1.kind")
        #expect(key { try ExperimentConfig.load(yaml: "client: {optimizer: {name: sgd, lr: -1}}") } == "client.optimizer.lr")
        #expect(key { try ExperimentConfig.load(yaml: "server: {update: sometimes}") } == "server.update")
        #expect(key { try ExperimentConfig.load(yaml: "aggregation: {rescale: maybe}") } == "aggregation.rescale")
        #expect(key { try ExperimentConfig.load(yaml: "model: {general: swin-huge}") } == "model.general")
        #expect(key { try ExperimentConfig.load(yaml: "data: {imageSize: 30}") } == "data.imageSize")
        #expect(key { try ExperimentConfig.load(yaml: "training: [1, 2]") } == "training")
    }

    @Test func setOverridesApplyOnTopOfTheFile() throws {
        let c = try ExperimentConfig.load(yaml: "rounds: 3\ntraining: {batchSize: 4}",
                                          overrides: ["rounds=7", "server.update=gradient", "tasks.0.clients=3",
                                                      "aggregation.weighting=samples", "seed=42"])
        #expect(c.rounds == 7)
        #expect(c.training.batchSize == 4)
        #expect(c.server.update == .gradient)
        #expect(c.tasks[0].clients == 3)
        #expect(c.aggregation.weighting == .samples)
        #expect(c.seed == 42)
        #expect(key { try ExperimentConfig.load(yaml: "", overrides: ["training.foo=1"]) } == "training.foo")
        #expect(key { try ExperimentConfig.load(yaml: "", overrides: ["tasks.9.clients=1"]) } == "tasks.9")
        #expect(key { try ExperimentConfig.load(yaml: "", overrides: ["rounds"]) } == "<syntax>")
    }

    @Test func fedboneWithoutGPTurnsRescaleAndProjectionOff() throws {
        let c = try ExperimentConfig.load(yaml: "method: fedbone-nogp")
        #expect(!c.effectiveAggregator.rescale && !c.effectiveAggregator.project)
        #expect(try ExperimentConfig.load(yaml: "").effectiveAggregator.project)
    }
}
