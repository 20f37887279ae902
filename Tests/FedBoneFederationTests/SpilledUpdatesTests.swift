import Foundation
import Testing
import FedBoneFederation

/// A round's updates spilled to memory-mapped files (`server.spill: always`) give exactly what
/// they give in memory: in GP aggregation under every conflict resolver, and in whole runs in
/// both server update modes.
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

    @Test func aSpillFolderThatDoesNotExistIsRefusedBeforeTheRunStarts() throws {
        let config = try SimulationTests.config(["server.spill=always", "server.spillDirectory=/nonexistent/spill"])
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        #expect(throws: UpdateVectorError.self) {
            try Simulation(config: config, runDirectory: scratch.url.appendingPathComponent("run"), progress: RunProgress.quiet).run()
        }
    }
}
