import Foundation
import Testing
import FedBoneFederation

@Suite struct RunArtifactsTests {
    @Test func oneRoundWritesReportTensorBoardCostAndPredictions() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let run = scratch.url.appendingPathComponent("run")
        let config = try SimulationTests.config(["rounds=1"])
        try Simulation(config: config, runDirectory: run, progress: RunProgress.quiet).run()

        let report = try String(contentsOf: run.appendingPathComponent(HTMLReport.fileName), encoding: .utf8)
        #expect(report.contains("data-chart=\"metric:segmentation:mIoU\""))
        #expect(report.contains("data:image/png;base64,"), "the report embeds predictions/*.png")

        let cost = try JSONDecoder().decode(RunCost.self, from: Data(contentsOf: run.appendingPathComponent("cost.json")))
        #expect((cost.serverParameters ?? 0) > 0 && (cost.clientParameters ?? 0) > 0)
        #expect((cost.clientGFLOPs ?? 0) > 0 && (cost.serverGFLOPs ?? 0) > 0 && (cost.peakMemoryBytes ?? 0) > 0)
        #expect(cost.bytesPerClientPerRound?.keys.sorted() == ["depth-0", "normals-0", "segmentation-0"])
        #expect(cost.bytesPerClientPerRound?.values.allSatisfy { $0 > 0 } == true)

        let directory = try RunDirectory(url: run)
        #expect(directory.predictions.map(\.name) == ["depth-0", "normals-0", "segmentation-0"])
        #expect(directory.predictions.allSatisfy { Array($0.png.prefix(8)) == PNGEncoder.signature })

        // metrics.jsonl holds every value of the real metrics; TensorBoard holds the same numbers.
        let log = try RunLog(directory: run)
        let segmentation = log.rounds.filter { $0.client == "segmentation-0" }
        #expect(segmentation.map(\.round) == [0, 1])
        #expect(segmentation.allSatisfy { $0.primaryMetric == "mIoU" && $0.metrics["mIoU"] == $0.primaryValue })
        #expect(segmentation.allSatisfy { $0.metrics[RoundRecord.testLossKey] != nil && $0.metrics.count > 2 })
        #expect(log.aggregations.map(\.round) == [1])
        #expect(try !TensorBoardReader.eventFiles(in: run).isEmpty)
        let scalars = try TensorBoardReader.scalars(in: run)
        let points = scalars["mIoU/segmentation-0"] ?? []
        #expect(points.map(\.step) == [0, 1])
        #expect(points.map(\.value) == segmentation.map { Float($0.metrics["mIoU"] ?? .nan) })
        let depth = log.rounds.first { $0.client == "depth-0" && $0.round == 1 }
        #expect(scalars["loss/depth-0"]?.last?.value == depth.map { Float($0.trainLoss) })
        #expect(scalars["aggregation/projections"]?.map(\.step) == [1])
    }

    @Test func resumeDropsLogLinesLoggedAfterTheCheckpoint() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let config = try SimulationTests.config()
        let straight = scratch.url.appendingPathComponent("straight")
        let broken = scratch.url.appendingPathComponent("broken")
        try Simulation(config: config, runDirectory: straight, progress: RunProgress.quiet).run()
        try Simulation(config: config, runDirectory: broken, progress: RunProgress.quiet).run(stopAfter: 2)
        // As if the process died after logging round 2 but before its checkpoint was complete.
        try FileManager.default.removeItem(at: broken.appendingPathComponent("checkpoints/round-2"))
        try Simulation.resume(runDirectory: broken, progress: RunProgress.quiet).run()

        let a = try RunLog(directory: straight), b = try RunLog(directory: broken)
        /// The records as JSON lines (NaN-safe, sorted keys), without the wall-clock times.
        func withoutTimes(_ records: [RoundRecord]) throws -> [String] {
            let encoder = RunLogCoding.encoder()
            return try records.map { var r = $0; r.seconds = 0; return String(decoding: try encoder.encode(r), as: UTF8.self) }
        }
        #expect(b.rounds.map(\.round) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])
        #expect(try withoutTimes(b.rounds) == withoutTimes(a.rounds))
        #expect(b.aggregations == a.aggregations)
        // TensorBoard: the resumed run's two event files hold each step once, with the same values.
        func scalars(_ run: URL) throws -> [String: [String]] {
            try TensorBoardReader.scalars(in: run).filter { !$0.key.hasPrefix("seconds/") }
                .mapValues { $0.map { "\($0.step):\($0.value)" } }
        }
        #expect(try TensorBoardReader.eventFiles(in: broken).count == 2)
        #expect(try scalars(broken) == scalars(straight))
    }
}
