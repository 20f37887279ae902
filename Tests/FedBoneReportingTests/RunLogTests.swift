import Foundation
import Testing
@testable import FedBoneReporting

@Suite struct RunLogTests {
    static let clients: [(String, TaskKind)] = [("seg-0", .segmentation), ("seg-1", .segmentation), ("depth-0", .depth)]

    static func records(round: Int) -> [RoundRecord] {
        clients.enumerated().map { index, client in
            let (name, task) = client
            let value = 0.3 + 0.05 * Double(round) + 0.01 * Double(index)
            let metrics: [String: Double] = task == .segmentation
                ? ["mIoU": value, "pixel_acc": value + 0.2]
                : ["rmse": 1 - value]
            return RoundRecord(
                run: "test, \"quoted\"", method: "fedbone", round: round, client: name, task: task,
                trainLoss: 1.5 / Double(round + 1) + 0.1 * Double(index),
                learningRates: ["client": 1e-3, "server": 1.0], metrics: metrics,
                primaryMetric: task == .segmentation ? "mIoU" : "rmse",
                primaryValue: metrics[task == .segmentation ? "mIoU" : "rmse"] ?? .nan,
                higherIsBetter: task == .segmentation,
                bytesSent: 1000 * (index + 1), bytesReceived: 2000 * (index + 1), seconds: 0.5 + Double(index))
        }
    }

    static func aggregation(round: Int) -> AggregationRecord {
        AggregationRecord(
            round: round, clients: clients.map(\.0),
            cosine: [[1, 0.5, -0.2], [0.5, 1, 0.1], [-0.2, 0.1, 1]],
            rescaleWeights: [1.1, 0.9, 1.0], projections: round + 1, updateNorms: [2, 3, 4])
    }

    @Test func jsonLinesRoundTrip() throws {
        let directory = try temporaryDirectory("jsonl")
        let writer = try RunLogWriter(directory: directory, tensorBoard: false)
        for round in 0..<3 {
            try writer.log(round: Self.records(round: round))
            try writer.log(aggregation: Self.aggregation(round: round))
        }
        try writer.close()
        let log = try RunLog(directory: directory)
        #expect(log.rounds == (0..<3).flatMap(Self.records))
        #expect(log.aggregations == (0..<3).map(Self.aggregation))
        #expect(log.clients == ["seg-0", "seg-1", "depth-0"])
        #expect(log.lastRound == 2)
        #expect(writer.rounds == log.rounds)

        let text = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 9)
        #expect(lines[0].hasPrefix(#"{"bytes_received":2000,"bytes_sent":1000,"client":"seg-0","higher_is_better":true,"#))
        #expect(lines[0].contains(#""learning_rates":{"client":0.001,"server":1}"#))
    }

    @Test func nonFiniteValuesSurvive() throws {
        let directory = try temporaryDirectory("nan")
        var record = Self.records(round: 0)[0]
        record.trainLoss = .infinity
        record.primaryValue = .nan
        record.metrics = [:]
        let writer = try RunLogWriter(directory: directory, tensorBoard: false)
        try writer.log(round: [record])
        let read = try RunLog(directory: directory).rounds
        #expect(read.count == 1)
        #expect(read[0].trainLoss == .infinity)
        #expect(read[0].primaryValue.isNaN)
        let text = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(text.contains(#""primary_value":"NaN""#))
    }

    @Test func csvHasTheUnionOfColumnsAndMatchesTheRecords() throws {
        let directory = try temporaryDirectory("csv")
        let writer = try RunLogWriter(directory: directory, tensorBoard: false)
        var late = Self.records(round: 1)
        late[2].metrics["absrel"] = 0.25
        try writer.log(round: Self.records(round: 0))
        try writer.log(round: late)
        let text = try String(contentsOf: directory.appendingPathComponent("metrics.csv"), encoding: .utf8)
        let rows = MetricsCSV.parse(text)
        #expect(rows.count == 7)
        #expect(rows[0] == [
            "run", "method", "round", "client", "task", "train_loss", "lr_client", "lr_server",
            "primary_metric", "primary_value", "higher_is_better", "bytes_sent", "bytes_received", "seconds",
            "absrel", "mIoU", "pixel_acc", "rmse",
        ])
        #expect(rows.dropFirst().allSatisfy { $0.count == rows[0].count })
        #expect(text.hasPrefix("run,method,") && text.contains("\n\"test, \"\"quoted\"\"\",fedbone,0,seg-0,"))

        let all = Self.records(round: 0) + late
        for (row, record) in zip(rows.dropFirst(), all) {
            let cell = Dictionary(uniqueKeysWithValues: zip(rows[0], row))
            #expect(cell["run"] == record.run)
            #expect(cell["round"].flatMap { Int($0) } == record.round)
            #expect(cell["client"] == record.client)
            #expect(cell["task"] == record.task.rawValue)
            #expect(cell["train_loss"].flatMap { Double($0) } == record.trainLoss)
            #expect(cell["lr_client"].flatMap { Double($0) } == record.learningRates["client"])
            #expect(cell["higher_is_better"] == String(record.higherIsBetter))
            #expect(cell["bytes_received"].flatMap { Int($0) } == record.bytesReceived)
            for name in ["absrel", "mIoU", "pixel_acc", "rmse"] {
                let value = cell[name] ?? "missing"
                #expect(value.isEmpty ? record.metrics[name] == nil : Double(value) == record.metrics[name])
            }
        }
    }

    @Test func csvParserHandlesQuotesAndNewlines() {
        let text = MetricsCSV.table([]) + "a,\"b,\"\"c\"\"\nd\",\n"
        let rows = MetricsCSV.parse(text)
        #expect(rows.last == ["a", "b,\"c\"\nd", ""])
    }

    @Test func resumeKeepsAndExtendsTheLog() throws {
        let directory = try temporaryDirectory("resume")
        let first = try RunLogWriter(directory: directory, tensorBoard: false)
        try first.log(round: Self.records(round: 0))
        try first.log(aggregation: Self.aggregation(round: 0))
        try first.close()

        let resumed = try RunLogWriter(directory: directory, resume: true, tensorBoard: false)
        try resumed.log(round: Self.records(round: 1))
        #expect(try RunLog(directory: directory).rounds == Self.records(round: 0) + Self.records(round: 1))
        #expect(try RunLog(directory: directory).aggregations == [Self.aggregation(round: 0)])
        let csv = try String(contentsOf: directory.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(MetricsCSV.parse(csv).count == 7)

        let fresh = try RunLogWriter(directory: directory, tensorBoard: false)
        #expect(fresh.rounds.isEmpty)
        #expect(try RunLog(directory: directory) == RunLog())
    }

    @Test func malformedLineIsReportedWithItsNumber() throws {
        let directory = try temporaryDirectory("bad")
        try Data("\n{\"round\": 1}\n".utf8).write(to: directory.appendingPathComponent("metrics.jsonl"))
        #expect {
            try RunLog(directory: directory)
        } throws: { error in
            guard case let RunLogError.malformedLine(_, line, _) = error else { return false }
            return line == 2
        }
    }

    @Test func mirrorsScalarsIntoTensorBoard() throws {
        let directory = try keptOrTemporaryDirectory("run")
        let clock = ManualClock(1_700_000_000)
        let writer = try RunLogWriter(directory: directory, hostname: "testhost", clock: { clock.now += 1; return clock.now })
        var expected: [String: [Int: Double]] = [:]
        for round in 0..<3 {
            let records = Self.records(round: round)
            try writer.log(round: records)
            try writer.log(aggregation: Self.aggregation(round: round))
            for r in records {
                expected["loss/\(r.client)", default: [:]][round] = r.trainLoss
                for (name, value) in r.metrics { expected["\(name)/\(r.client)", default: [:]][round] = value }
                expected["lr/server/\(r.client)", default: [:]][round] = 1
                expected["bytes/\(r.client)", default: [:]][round] = Double(r.bytesSent + r.bytesReceived)
                expected["bytes/sent/\(r.client)", default: [:]][round] = Double(r.bytesSent)
            }
            expected["mIoU/task-segmentation", default: [:]][round] = (records[0].metrics["mIoU"]! + records[1].metrics["mIoU"]!) / 2
            expected["rmse/task-depth", default: [:]][round] = records[2].metrics["rmse"]
            expected["loss/task-segmentation", default: [:]][round] = (records[0].trainLoss + records[1].trainLoss) / 2
            expected["aggregation/mean_cosine", default: [:]][round] = (0.5 - 0.2 + 0.1) / 3
            expected["aggregation/min_cosine", default: [:]][round] = -0.2
            expected["aggregation/projections", default: [:]][round] = Double(round + 1)
            expected["aggregation/rescale/seg-1", default: [:]][round] = 0.9
            expected["aggregation/update_norm/depth-0", default: [:]][round] = 4
        }
        try writer.close()

        let series = try TensorBoardReader.scalars(in: directory)
        for (tag, points) in expected {
            let got = series[tag] ?? []
            #expect(got.map(\.step) == [0, 1, 2], "\(tag)")
            for point in got {
                #expect(point.value == Float(points[Int(point.step)] ?? .nan), "\(tag) step \(point.step)")
            }
        }
        #expect(series["mIoU/task-depth"] == nil)
        #expect(try TensorBoardReader.eventFiles(in: directory).count == 1)
        try writeExpectation(series, to: directory)
    }

    /// Writes `expected_scalars.json` ({tag: [[step, value], ...]}) for `tools/check_tensorboard.py --expect`.
    private func writeExpectation(_ series: [String: [TensorBoardReader.Point]], to directory: URL) throws {
        guard ProcessInfo.processInfo.environment["FEDBONE_TB_OUT"] != nil else { return }
        let table = series.mapValues { $0.map { [Double($0.step), Double($0.value)] } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(table).write(to: directory.appendingPathComponent("expected_scalars.json"))
    }
}
