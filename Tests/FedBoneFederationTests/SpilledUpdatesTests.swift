import Foundation
import Testing
import FedBoneFederation

/// The server's memory savers change nothing in the results: a round's updates spilled to
/// memory-mapped files (`server.spill: always`) give exactly what they give in memory, in GP
/// aggregation under every conflict resolver and in whole runs in both server update modes, and
/// so do Forwards whose activations the Backward recomputes (`server.recomputeActivations`).
@Suite struct SpilledUpdatesTests {
    @Test(arguments: GPAggregate.Conflict.allCases)
    func aggregatingSpilledUpdatesEqualsAggregatingArrays(conflict: GPAggregate.Conflict) throws {
        var rng = SeededGenerator(seed: 3)
        let updates = (0..<4).map { _ in Tensor.randn([3001], generator: &rng).scalars }
        let previous = Tensor.randn([3001], generator: &rng).scalars
        let spilled = try updates.map { try UpdateVector(copying: $0, spillDirectory: FileManager.default.temporaryDirectory) }
        let aggregator = GPAggregate(conflict: conflict)
        let generator = SeededGenerator(seed: 8)
        let fromArrays = aggregator.aggregate(updates, previous: previous, sampleCounts: [1, 2, 3, 4], generator: generator)
        let fromFiles = aggregator.aggregate(spilled, previous: previous, sampleCounts: [1, 2, 3, 4], generator: generator)
        #expect(fromFiles == fromArrays)
        #expect(UpdateScreen().reasons(for: spilled) == UpdateScreen().reasons(for: updates))
    }

    @Test(arguments: [ServerConfig.Update.replica, .gradient])
    func aRunWithSpilledUpdatesEndsExactlyLikeOneWithout(update: ServerConfig.Update) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        func general(_ spill: ServerConfig.Spill) throws -> [String: [Float]] {
            let config = try SimulationTests.config(["rounds=2", "server.update=\(update.rawValue)", "server.spill=\(spill.rawValue)",
                                                     "server.spillDirectory=\(scratch.url.path)"])
            let run = scratch.url.appendingPathComponent("\(update)-\(spill)")
            _ = try Simulation(config: config, runDirectory: run, progress: RunProgress.quiet).run()
            return try Safetensors.read(contentsOf: run.appendingPathComponent("checkpoints/round-2/general.safetensors")).mapValues(\.scalars)
        }
        let inMemory = try general(.never)
        #expect(try general(.always) == inMemory)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasPrefix("fedbone-update") }
        #expect(left.isEmpty, "spill files left behind: \(left)")
    }

    @Test(arguments: [ServerConfig.Update.replica, .gradient])
    func aRunWhoseBackwardsRecomputeTheActivationsEndsExactlyLikeOneWithout(update: ServerConfig.Update) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        func general(_ recompute: Bool) throws -> [String: [Float]] {
            // Drop path on, so that the recomputed pass must draw what the first one drew.
            let config = try SimulationTests.config(["rounds=2", "server.update=\(update.rawValue)", "server.recomputeActivations=\(recompute)",
                                                     "model.general.dropPathRate=0.2"])
            let run = scratch.url.appendingPathComponent("\(update)-\(recompute)")
            _ = try Simulation(config: config, runDirectory: run, progress: RunProgress.quiet).run()
            return try Safetensors.read(contentsOf: run.appendingPathComponent("checkpoints/round-2/general.safetensors")).mapValues(\.scalars)
        }
        #expect(try general(true) == general(false))
    }

    @Test func recomputingActivationsRaisesTheBatchCap() throws {
        var config = ExperimentConfig()
        config.server.update = .gradient
        config.server.memoryBudgetGB = 1
        let general = GeneralModelConfiguration.swin(.tiny)
        let shape = [56, 56, 96]
        let holding = ServerMemoryPlan(config: config, parameters: 28_000_000, participants: 16)
        config.server.recomputeActivations = true
        let recomputing = ServerMemoryPlan(config: config, parameters: 28_000_000, participants: 16)
        let held = holding.batchCap(general, embeddingShape: shape, replicas: 0)
        let rebuilt = recomputing.batchCap(general, embeddingShape: shape, replicas: 0)
        // By hand: in memory the round needs (6 + 16)·D·4 = 2.46 GB > 1 GB, so the updates are
        // spilled and 1e9 − 6·D·4 = 328,000,000 bytes are free for pending Forwards.
        #expect(holding.spillsUpdates)
        let a = ServerMemoryPlan.activationBytesPerSample(general, embeddingShape: shape)
        #expect(held == 328_000_000 / 16 / a)
        #expect(rebuilt == 328_000_000 / (16 * 2 * 56 * 56 * 96 * 4 + a))
        #expect(rebuilt > held)
    }

    @Test func aSpillFolderThatDoesNotExistIsRefusedBeforeTheRunStarts() throws {
        let config = try SimulationTests.config(["server.spill=always", "server.spillDirectory=/nonexistent/spill"])
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        #expect(throws: UpdateVectorError.self) {
            try Simulation(config: config, runDirectory: scratch.url.appendingPathComponent("run"), progress: RunProgress.quiet).run()
        }
    }
}
