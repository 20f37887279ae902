import Foundation
import Testing
@testable import FedBoneReporting

/// A fake run: six clients of three tasks, `rounds` rounds (round 1 without evaluation, one
/// client missing its evaluation in round 3), aggregation records, config, cost and two PNGs.
struct FakeRun {
    static let clients: [(name: String, task: TaskKind)] = [
        ("nyu-seg-0", .segmentation), ("nyu-seg-1", .segmentation), ("pascal-seg", .segmentation),
        ("nyu-depth-0", .depth), ("nyu-depth-1", .depth), ("nyu-normals", .normals),
    ]

    var clients = Self.clients
    var rounds = 12
    var method = "fedbone"
    /// Added to every higher-is-better metric (and subtracted from lower-is-better ones).
    var shift = 0.0

    func metrics(client index: Int, round: Int) -> [String: Double] {
        let task = clients[index].task
        let progress = 1 - exp(-Double(round) / 4)
        let wiggle = 0.015 * sin(Double(round * (index + 2)))
        let offset = 0.02 * Double(index) + shift
        switch task {
        case .depth:
            let rmse = 1.2 - 0.6 * progress - offset + wiggle
            return ["rmse": rmse, "absrel": rmse / 4]
        case .normals:
            return ["mean_angle": 42 - 14 * progress - 10 * offset + wiggle, "within_11.25": 0.1 + 0.3 * progress + offset]
        default:
            let miou = 0.12 + 0.36 * progress + offset + wiggle
            return ["mIoU": miou, "pixel_acc": 0.35 + 0.8 * miou * 0.75]
        }
    }

    func records(round: Int) -> [RoundRecord] {
        clients.enumerated().map { index, client in
            let evaluated = round != 1 && !(round == 3 && index == 4)
            let metrics = evaluated ? metrics(client: index, round: round) : [:]
            let primary = client.task == .depth ? "rmse" : client.task == .normals ? "mean_angle" : "mIoU"
            return RoundRecord(
                run: "fake", method: method, round: round, client: client.name, task: client.task,
                trainLoss: 2.4 * exp(-Double(round) / 5) + 0.1 * Double(index) + 0.03 * cos(Double(round + index)) - shift,
                learningRates: ["client": 1e-3], metrics: metrics, primaryMetric: primary,
                primaryValue: metrics[primary] ?? .nan, higherIsBetter: client.task == .segmentation,
                bytesSent: 4_000_000, bytesReceived: 4_100_000, seconds: 1.5)
        }
    }

    func aggregation(round: Int) -> AggregationRecord {
        let k = clients.count
        let cosine = (0..<k).map { i in
            (0..<k).map { j -> Double in
                if i == j { return 1 }
                let same = clients[i].task == clients[j].task
                let base = same ? 0.55 : -0.35 + 0.08 * Double((i + j) % 4)
                return max(-1, min(1, base * (1 - 0.04 * Double(round)) + 0.01 * Double(abs(i - j))))
            }
        }
        let projections = cosine.enumerated().flatMap { i, row in row.enumerated().filter { $0.offset != i && $0.element < 0 } }.count
        return AggregationRecord(
            round: round, clients: clients.map(\.name), cosine: cosine,
            rescaleWeights: (0..<k).map { 1 + 0.05 * sin(Double(round + 3 * $0)) },
            projections: projections,
            updateNorms: (0..<k).map { (2 + Double($0) * 0.3) * exp(-Double(round) / 8) })
    }

    /// Writes the run into `directory` with a `RunLogWriter`.
    func write(to directory: URL) throws {
        let writer = try RunLogWriter(directory: directory, tensorBoard: false)
        for round in 0..<rounds {
            try writer.log(round: records(round: round))
            try writer.log(aggregation: aggregation(round: round))
        }
        try writer.close()
        let config = """
            run: fake
            method: \(method)
            rounds: \(rounds)
            model: swin-micro
            note: "a <b>bold</b> & 'quoted' note </pre><script>alert(1)</script>"
            clients:
            \(clients.map { "  - {name: \($0.name), task: \($0.task.rawValue)}" }.joined(separator: "\n"))

            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.yaml"))
        let cost = """
            {"client_parameters": 1843200, "server_parameters": 27520000, "client_gflops": 0.412,
             "server_gflops": 4.37, "peak_memory_bytes": 1610612736,
             "bytes_per_client_per_round": {\(try clients.map { "\(try Self.json($0.name)): 8100000" }.joined(separator: ", "))}}
            """
        try Data(cost.utf8).write(to: directory.appendingPathComponent("cost.json"))
        let predictions = directory.appendingPathComponent("predictions")
        try FileManager.default.createDirectory(at: predictions, withIntermediateDirectories: true)
        try Self.predictionStrip(segmentation: true).write(to: predictions.appendingPathComponent("nyu-seg-0-image-0.png"))
        try Self.predictionStrip(segmentation: false).write(to: predictions.appendingPathComponent("nyu-depth-0-image-0.png"))
    }

    /// `text` as a JSON string literal.
    static func json(_ text: String) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
    }

    /// A 3-panel strip (input, truth, prediction) of 48×48 panels.
    static func predictionStrip(segmentation: Bool) -> Data {
        TestPNG.rgb(width: 144, height: 48) { x, y in
            let panel = x / 48
            let u = x % 48, v = y
            if panel == 0 { return (UInt8(u * 5), UInt8(v * 5), 120) }
            let shift = panel == 2 ? 3 : 0
            if segmentation {
                let label = ((u + shift) / 16 + (v + shift) / 24) % 3
                return [(230, 85, 13), (49, 130, 189), (116, 196, 118)][label]
            }
            let depth = UInt8(min(255, (u + v + shift * 4) * 255 / 96))
            return (depth, depth / 2, 255 - depth)
        }
    }
}

@Suite struct HTMLReportTests {
    static let tolerance = 0.01

    /// Checks that every plotted value maps to its pixel through the chart's frame.
    static func expectPixelsMatchValues(_ series: PlottedSeries, _ frame: ChartFrame) {
        #expect(series.values.count == series.pixels.count, "\(series.name)")
        for (value, pixel) in zip(series.values, series.pixels) {
            #expect(abs(frame.pixelX(value.x) - pixel.x) <= tolerance, "\(series.name) x \(value.x)")
            #expect(abs(frame.pixelY(value.y) - pixel.y) <= tolerance, "\(series.name) y \(value.y)")
            #expect(abs(frame.dataY(pixel.y) - value.y) <= (frame.yUpper - frame.yLower) / frame.height * tolerance)
        }
    }

    static func rendered(_ run: FakeRun, name: String) throws -> (URL, String) {
        let directory = try keptReportDirectory(name)
        try run.write(to: directory)
        let url = try HTMLReport.write(run: directory)
        #expect(url == directory.appendingPathComponent("report.html"))
        return (directory, try String(contentsOf: url, encoding: .utf8))
    }

    @Test func metricCurvesPlotTheValuesOfMetricsJSONL() throws {
        let (directory, html) = try Self.rendered(FakeRun(), name: "fedbone")
        let raw = try RawRecord.read(directory.appendingPathComponent("metrics.jsonl"))
        #expect(raw.count == 6 * 12)
        var charts = 0
        for task in ["segmentation", "depth", "normals"] {
            let records = raw.filter { $0.task == task }
            let clients = FakeRun.clients.filter { $0.task.rawValue == task }.map(\.name)
            let metrics = Set(records.flatMap(\.metrics.keys))
            #expect(!metrics.isEmpty)
            for metric in metrics {
                let chart = try #require(PlottedChart(html: html, id: "metric:\(task):\(metric)"), "\(task) \(metric)")
                charts += 1
                #expect(chart.series.map(\.name).sorted() == (clients + ["task average"]).sorted())
                func value(_ r: RawRecord) -> Double {
                    r.primaryMetric == metric && r.primaryValue.isFinite ? r.primaryValue : r.metrics[metric] ?? .nan
                }
                for client in clients {
                    let plotted = try #require(chart.named(client))
                    let expected = records.filter { $0.client == client && value($0).isFinite }
                    #expect(plotted.values.map(\.x) == expected.map { Double($0.round) }, "\(client) \(metric)")
                    #expect(plotted.values.map(\.y) == expected.map(value), "\(client) \(metric)")
                    Self.expectPixelsMatchValues(plotted, chart.frame)
                }
                let average = try #require(chart.named("task average"))
                let rounds = Set(records.filter { value($0).isFinite }.map(\.round)).sorted()
                #expect(average.values.map(\.x) == rounds.map(Double.init))
                for (point, round) in zip(average.values, rounds) {
                    let values = records.filter { $0.round == round }.map(value).filter(\.isFinite)
                    #expect(abs(point.y - values.reduce(0, +) / Double(values.count)) < 1e-12)
                }
                Self.expectPixelsMatchValues(average, chart.frame)
            }
            let loss = try #require(PlottedChart(html: html, id: "loss:\(task)"))
            for client in clients {
                let plotted = try #require(loss.named(client))
                #expect(plotted.values.map(\.y) == records.filter { $0.client == client }.map(\.trainLoss))
                Self.expectPixelsMatchValues(plotted, loss.frame)
            }
        }
        #expect(charts == 6)
        // Round 1 has no evaluation: no metric point at x = 1.
        let miou = try #require(PlottedChart(html: html, id: "metric:segmentation:mIoU"))
        #expect(miou.series.allSatisfy { !$0.values.contains { $0.x == 1 } })
    }

    @Test func aggregationChartsAndHeatmapPlotAggregationJSONL() throws {
        let run = FakeRun()
        let (_, html) = try Self.rendered(run, name: "aggregation")
        let records = (0..<run.rounds).map(run.aggregation)
        let cosine = try #require(PlottedChart(html: html, id: "cosine"))
        #expect(cosine.named("mean cosine")?.values.map(\.y) == records.map(\.meanCosine))
        #expect(cosine.named("min cosine")?.values.map(\.y) == records.map(\.minCosine))
        cosine.series.forEach { Self.expectPixelsMatchValues($0, cosine.frame) }
        let projections = try #require(PlottedChart(html: html, id: "projections"))
        #expect(projections.named("projections")?.values.map(\.y) == records.map { Double($0.projections) })
        let rescale = try #require(PlottedChart(html: html, id: "rescale"))
        for (index, client) in run.clients.enumerated() {
            let plotted = try #require(rescale.named(client.name))
            #expect(plotted.values.map(\.y) == records.map { $0.rescaleWeights[index] })
            Self.expectPixelsMatchValues(plotted, rescale.frame)
        }
        let norms = try #require(PlottedChart(html: html, id: "update-norms"))
        #expect(norms.named("nyu-normals")?.values.map(\.y) == records.map { $0.updateNorms[5] })

        let last = try #require(records.last)
        let heatmap = try #require(html.components(separatedBy: "data-chart=\"cosine-heatmap\"").dropFirst().first?
            .components(separatedBy: "</svg>").first)
        let cells = heatmap.components(separatedBy: "<rect class=\"cell\" ").dropFirst()
        #expect(cells.count == 36)
        for cell in cells {
            let row = try #require(PlottedChart.attribute("data-row", in: " " + cell).flatMap { Int($0) })
            let column = try #require(PlottedChart.attribute("data-col", in: " " + cell).flatMap { Int($0) })
            let value = try #require(PlottedChart.attribute("data-value", in: " " + cell).flatMap { Double($0) })
            #expect(value == last.cosine[row][column])
            #expect(cell.contains("fill=\"\(ChartColors.diverging(value))\""))
        }
    }

    @Test func reportIsSelfContainedWithTablesCostConfigAndImages() throws {
        let (directory, html) = try Self.rendered(FakeRun(), name: "contents")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.lowercased().contains("<script"))
        let withoutNamespaces = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespaces.contains("http:") && !withoutNamespaces.contains("https:"))
        #expect(!html.contains("<link"))
        let png = try Data(contentsOf: directory.appendingPathComponent("predictions/nyu-seg-0-image-0.png"))
        #expect(html.contains("src=\"data:image/png;base64,\(png.base64EncodedString())\""))
        #expect(html.contains("<figcaption>nyu-depth-0-image-0</figcaption>"))
        #expect(html.contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&#39;quoted&#39;"))
        #expect(html.contains("<td>parameters</td><td>1.84 M</td><td>27.52 M</td>"))
        #expect(html.contains("<td>GFLOPs per sample</td><td>0.412</td><td>4.370</td>"))
        #expect(html.contains("1.61 GB"))
        #expect(html.contains("<td>nyu-normals</td><td title=\"8.1e+06 bytes\">8.10 MB</td>"))
        // Final table: nyu-depth-1's last evaluation is the last round.
        let summary = RunSummary(try RunLog(directory: directory))
        let final = try #require(summary.finalMetrics.first { $0.client == "nyu-depth-1" })
        #expect(final.round == 11)
        #expect(final.metrics["rmse"] == FakeRun().metrics(client: 4, round: 11)["rmse"])
        #expect(html.contains("<tr><td>nyu-depth-1</td><td>11</td><td>\(HTMLText.number(final.metrics["rmse"] ?? 0))</td>"))
    }

    @Test func textIsEscapedEverywhere() throws {
        var run = FakeRun()
        let evil = "<script>alert(\"x&y\")</script>'"
        run.clients[0].name = evil
        run.rounds = 3
        let (_, html) = try Self.rendered(run, name: "escaping")
        #expect(!html.lowercased().contains("<script"))
        let escaped = "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"
        #expect(html.contains("data-series=\"\(escaped)\""))
        #expect(html.contains("<td>\(escaped)</td>"))
        let chart = try #require(PlottedChart(html: html, id: "metric:segmentation:mIoU"))
        #expect(chart.named(evil) != nil)
    }

    @Test func missingMetricsNamesTheFile() throws {
        let directory = try temporaryDirectory("empty-run")
        #expect(throws: ReportError.missingMetrics(path: directory.appendingPathComponent("metrics.jsonl").path)) {
            try HTMLReport.write(run: directory)
        }
        do {
            _ = try RunDirectory(url: directory)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(directory.appendingPathComponent("metrics.jsonl").path))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("report.html").path))
    }

    @Test func malformedCostNamesTheFile() throws {
        let directory = try temporaryDirectory("bad-cost")
        try FakeRun(rounds: 2).write(to: directory)
        try Data("{\"client_parameters\": \"many\"}".utf8).write(to: directory.appendingPathComponent("cost.json"))
        do {
            _ = try RunDirectory(url: directory)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("cost.json"))
        }
    }

    @Test func compareOverlaysTheRunsTaskAverages() throws {
        let root = try keptReportDirectory("compare")
        let fedbone = root.appendingPathComponent("fedbone"), fedavg = root.appendingPathComponent("fedavg")
        try FakeRun(method: "fedbone", shift: 0.04).write(to: fedbone)
        try FakeRun(method: "fedavg").write(to: fedavg)
        let output = root.appendingPathComponent("compare.html")
        try CompareReport.write(runs: [fedbone, fedavg], to: output)
        let html = try String(contentsOf: output, encoding: .utf8)
        #expect(!html.lowercased().contains("<script"))
        let runs = [("fedbone", fedbone), ("fedavg", fedavg)]
        for task in TaskKind.allCases {
            let chart = PlottedChart(html: html, id: "compare:\(task.rawValue):\(task == .depth ? "rmse" : task == .normals ? "mean_angle" : "mIoU")")
            guard [.segmentation, .depth, .normals].contains(task) else {
                #expect(chart == nil)
                continue
            }
            let plotted = try #require(chart)
            #expect(plotted.series.map(\.name) == ["fedbone", "fedavg"])
            for (label, url) in runs {
                let summary = RunSummary(try RunLog(directory: url))
                let metric = try #require(summary.primaryMetric(of: task))
                let series = try #require(plotted.named(label))
                #expect(series.values.map(\.y) == summary.taskAverage(task, metric: metric).map(\.y))
                Self.expectPixelsMatchValues(series, plotted.frame)
            }
        }
        // Final table: rows runs, columns tasks; fedbone (shifted) is best on every task.
        let table = try #require(html.components(separatedBy: "<table class=\"compare\">").dropFirst().first?.components(separatedBy: "</table>").first)
        #expect(table.contains("<th data-task=\"segmentation\">"))
        #expect(table.components(separatedBy: "<tr data-run=").count == 3)
        let fedboneRow = try #require(table.components(separatedBy: "<tr data-run=\"fedbone\">").dropFirst().first?.components(separatedBy: "</tr>").first)
        #expect(fedboneRow.components(separatedBy: "class=\"best\"").count == 4)
        let summary = RunSummary(try RunLog(directory: fedavg))
        let miou = summary.finalTaskAverage(.segmentation, metric: "mIoU")
        #expect(table.contains("<tr data-run=\"fedavg\"><td>fedavg</td><td data-value=\"\(miou)\">\(HTMLText.number(miou))</td>"))
    }
}

extension PlottedChart: Equatable {
    static func == (a: PlottedChart, b: PlottedChart) -> Bool { a.frame == b.frame && a.series.map(\.name) == b.series.map(\.name) }
}

@Suite struct ChartHelperTests {
    @Test func niceTicksCoverTheDataWithRoundSteps() {
        let a = NiceTicks(minimum: 0.113, maximum: 0.93, count: 4)
        #expect(a.lower == 0 && a.upper == 1 && a.step == 0.2)
        #expect(a.values.map(a.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let rounds = NiceTicks(minimum: 0, maximum: 11, integers: true)
        #expect(rounds.step == 2 && rounds.lower == 0 && rounds.upper == 12)
        let single = NiceTicks(minimum: 3, maximum: 3, integers: true)
        #expect(single.lower <= 3 && single.upper >= 3 && single.step >= 1)
        let negative = NiceTicks(minimum: -0.37, maximum: 0.61, count: 4)
        #expect(negative.lower == -0.5 && negative.upper == 0.75 && negative.step == 0.25)
        #expect(negative.label(-0.25) == "−0.25")
    }

    @Test func divergingScaleRunsBlueWhiteRed() {
        #expect(ChartColors.diverging(-1) == "#2166ac")
        #expect(ChartColors.diverging(0) == "#f7f7f7")
        #expect(ChartColors.diverging(1) == "#b2182b")
        #expect(ChartColors.diverging(7) == "#b2182b")
        #expect(ChartColors.diverging(.nan) == ChartColors.missing)
        #expect(ChartColors.diverging(1.0 / 6) == "#fae9df")
    }

    @Test func emptyChartSaysNoData() {
        let svg = LineChart(title: "t", series: [ChartSeries(name: "a", points: [ChartPoint(x: 0, y: .nan)], color: "#000")]).svg(id: "x")
        #expect(svg.contains(">no data</text>"))
        #expect(svg.contains("data-values=\"\""))
    }
}
