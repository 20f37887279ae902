import Testing
import FedBoneFederation
import FedBoneModels
import FedBoneTensor
#if canImport(Glibc)
import CBLAS
#endif

/// Replica mode with at most N replicas alive at once: clients beyond the bound wait for one,
/// and the round ends exactly where it ends without a bound.
@Suite struct BoundedReplicaTests {
    let helper = GeneralModelServerTests()

    @Test func aBoundOfOneServesClientsInTurnAndEndsLikeNoBound() throws {
        let free = try helper.makeServer()
        let bounded = try helper.makeServer()
        bounded.maxConcurrentReplicas = 1
        let ids = GeneralModelServerTests.ids
        for round in 1...2 {
            for server in [free, bounded] {
                try server.beginRound(round, participants: ids, replicaLearningRate: 0.1, serverLearningRate: 1)
            }
            for s in 0..<2 { for c in [2, 1, 0] { try helper.step(free, c, s, round: round) } }
            for c in [1, 0, 2] { _ = try free.endRound(client: ids[c], round: round) }

            #expect(bounded.hasReplicaSlot(for: ids[0]) && bounded.hasReplicaSlot(for: ids[1]))
            try helper.step(bounded, 2, 0, round: round)
            #expect(!bounded.hasReplicaSlot(for: ids[0]) && bounded.hasReplicaSlot(for: ids[2]))
            let (embeddings, _) = helper.traffic(0, 0)
            #expect(throws: GeneralModelServiceError.replicasBusy(client: ids[0], limit: 1)) {
                try bounded.forward(client: ids[0], round: round, step: 0, embeddings: embeddings)
            }
            try helper.step(bounded, 2, 1, round: round)
            _ = try bounded.endRound(client: ids[2], round: round)
            for c in [1, 0] {
                #expect(bounded.hasReplicaSlot(for: ids[c]))
                for s in 0..<2 { try helper.step(bounded, c, s, round: round) }
                _ = try bounded.endRound(client: ids[c], round: round)
            }
            #expect(bounded.round == round + 1)
            #expect(bounded.model.flatParameters() == free.model.flatParameters())
            #expect(bounded.previousUpdate == free.previousUpdate)
        }
    }

    @Test func aDroppedClientFreesItsReplica() throws {
        let server = try helper.makeServer()
        server.maxConcurrentReplicas = 1
        let ids = GeneralModelServerTests.ids
        try server.beginRound(1, participants: ids, replicaLearningRate: 0.1, serverLearningRate: 1)
        try helper.step(server, 0, 0)
        #expect(!server.hasReplicaSlot(for: ids[1]))
        server.drop(client: ids[0])
        #expect(server.hasReplicaSlot(for: ids[1]))
        try helper.step(server, 1, 0)
    }
}

/// The server's memory model, computed by hand: D = 1,000 parameters, K = 4 participants,
/// Adam replicas (s = 2): fixed (6 + 4)·D·4 = 40,000 bytes, one replica (2 + 2)·D·4 = 16,000.
@Suite struct ServerMemoryPlanTests {
    func plan(budgetGB: Double, update: ServerConfig.Update = .replica, spill: ServerConfig.Spill = .never) -> ServerMemoryPlan {
        var config = ExperimentConfig()
        config.server.update = update
        config.server.spill = spill
        config.server.optimization.optimizer = .adam(AdamHyperparameters(learningRate: 1e-3))
        config.server.memoryBudgetGB = budgetGB
        return ServerMemoryPlan(config: config, parameters: 1_000, participants: 4)
    }

    @Test func theBoundIsWhatTheBudgetHoldsAtMostK() throws {
        let p = plan(budgetGB: 100_000e-9)
        #expect(p.fixedBytes == 40_000 && p.replicaBytes == 16_000 && p.bytes(replicas: 2) == 72_000)
        #expect(try p.replicaBound(requested: nil) == 3)
        #expect(try p.replicaBound(requested: 2) == 2)
        #expect(try plan(budgetGB: 1).replicaBound(requested: nil) == 4)
        #expect(try plan(budgetGB: 100_000e-9, update: .gradient).replicaBound(requested: nil) == nil)
    }

    @Test func aRoundThatDoesNotFitIsRefusedSayingWhatToChange() {
        do {
            _ = try plan(budgetGB: 50_000e-9).replicaBound(requested: nil)
            Issue.record("a round needing 56,000 bytes fitted a budget of 50,000")
        } catch {
            #expect("\(error)".contains("needs 0.01 GB") && "\(error)".contains("server.memoryBudgetGB") && "\(error)".contains("server.update: gradient"), "\(error)")
        }
        do {
            _ = try plan(budgetGB: 100_000e-9).replicaBound(requested: 4)
            Issue.record("4 replicas (104,000 bytes) fitted a budget of 100,000")
        } catch {
            #expect("\(error)".contains("server.maxConcurrentReplicas to 3"), "\(error)")
        }
        #expect(throws: ServerMemoryError.self) { try plan(budgetGB: 30_000e-9, update: .gradient).replicaBound(requested: nil) }
    }

    @Test func updatesSpillWhenTheyDoNotFitInMemoryAndTheRoundFitsWithThemSpilled() throws {
        // In memory one replica needs 56,000 bytes; spilled, the K·D·4 = 16,000 bytes of updates
        // go to files: (6·D + (2 + 2)·D)·4 = 40,000.
        let tight = plan(budgetGB: 50_000e-9, spill: .auto)
        #expect(tight.spillsUpdates && tight.fixedBytes == 24_000 && tight.spilledBytes == 16_000)
        #expect(try tight.replicaBound(requested: nil) == 1)
        let roomy = plan(budgetGB: 100_000e-9, spill: .auto)
        #expect(!roomy.spillsUpdates && roomy.spilledBytes == 0 && roomy.fixedBytes == 40_000)
        #expect(plan(budgetGB: 1, spill: .always).spillsUpdates)
        #expect(throws: ServerMemoryError.self) { try plan(budgetGB: 30_000e-9, spill: .auto).replicaBound(requested: nil) }
        #expect(try plan(budgetGB: 30_000e-9, update: .gradient, spill: .auto).replicaBound(requested: nil) == nil)
        let config = try ExperimentConfig.load(yaml: "server: {spill: always, spillDirectory: /var/tmp}")
        #expect(config.server.spill == .always && config.server.spillFolder.path == "/var/tmp")
        #expect(try ExperimentConfig.load(yaml: config.yaml()) == config)
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: "server: {spill: sometimes}") }
    }

    @Test func theConfigReadsAndChecksBothKeys() throws {
        let config = try ExperimentConfig.load(yaml: "server: {memoryBudgetGB: 12.5, maxConcurrentReplicas: 4}")
        #expect(config.server.memoryBudgetGB == 12.5 && config.server.maxConcurrentReplicas == 4)
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: "server: {maxConcurrentReplicas: 0}") }
        #expect(throws: ConfigError.self) { try ExperimentConfig.load(yaml: "server: {memoryBudgetGB: -1}") }
    }
}

#if canImport(Glibc)
/// The activation estimate bounds what a held Forward really keeps (glibc's heap in use, which
/// holds every tensor: the engine turns mmap allocations off), and the batch cap follows from it.
@Suite(.serialized) struct ActivationEstimateTests {
    /// Heap bytes in use.
    private static func heapBytes() -> Int { Int(mallinfo2().uordblks) }

    @Test(arguments: ["swin-nano", "swin-micro", "swin-t"])
    func theEstimateIsAnUpperBoundWithinFourTimesOfAHeldForward(preset: String) throws {
        let general = try #require(SwinConfiguration.presets[preset])
        let model = try SwinTransformer(general, imageSize: (64, 64), seed: 1)
        let batch = 4
        var generator = SeededGenerator(seed: 2)
        let embeddings = Tensor.randn(model.inputShape(batch: batch), generator: &generator)
        _ = model(embeddings).sum().item
        // Other suites allocate and free in this process at the same time: the bound is checked
        // against the smallest of three measurements, the tightness against the largest.
        var measured: [Int] = []
        for _ in 0..<3 {
            let before = Self.heapBytes()
            let held = model(embeddings)
            measured.append(Self.heapBytes() - before)
            #expect(held.count > 0)
        }
        let estimate = batch * ServerMemoryPlan.activationBytesPerSample(.swin(general), embeddingShape: [16, 16, general.embedDim])
        let low = measured.min() ?? 0, high = measured.max() ?? 0
        #expect(low <= estimate && estimate <= 4 * high, "\(preset): held \(measured) bytes, estimated \(estimate)")
    }
}
#endif
