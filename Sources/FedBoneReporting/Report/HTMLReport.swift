import Foundation

/// `report.html` of a run: a self-contained page (inline CSS and SVG, PNGs as data URIs, no
/// JavaScript) with the run's curves, gradient-conflict views, final metrics, cost and config.
///
/// Chart hooks (for tests and tools): every line chart is an `<svg data-chart="…">` whose
/// polylines carry `data-series` and `data-values` (see `LineChart`, `ChartFrame`). Chart
/// names: `metric:<task>:<metric>` (one thin line per client, bold `task average`),
/// `loss:<task>`, `cosine` (`mean cosine`, `min cosine`), `projections`, `rescale`,
/// `update-norms`, and the heatmap `cosine-heatmap` of the last round.
public enum HTMLReport {
    /// The default file name inside a run directory.
    public static let fileName = "report.html"
    /// The name of the task-average series.
    public static let averageSeries = "task average"

    /// Reads the run at `directory` and writes its report to `output` (default
    /// `directory/report.html`, folders created as needed); returns the file written.
    @discardableResult
    public static func write(run directory: URL, to output: URL? = nil) throws -> URL {
        let run = try RunDirectory(url: directory)
        let url = output ?? directory.appendingPathComponent(fileName)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(render(run).utf8).write(to: url, options: .atomic)
        return url
    }

    /// The report page of `run`.
    public static func render(_ run: RunDirectory) -> String {
        let summary = RunSummary(run.log)
        let colours = clientColours(run.log.clients)
        var body = header(run, summary)
        body += overviewCards(summary)
        body += "<h2>Metrics by round</h2>\n"
        if summary.tasks.isEmpty {
            body += "<p class=\"note\">\(HTMLText.escape(RunLogFiles.metrics)) has no records yet.</p>\n"
        }
        for task in summary.tasks {
            body += taskSection(task, summary, colours)
        }
        body += conflictSection(summary, colours)
        body += finalSection(summary)
        body += costSection(run.cost)
        body += predictionSection(run.predictions, texts: run.textPredictions)
        body += configSection(run.config)
        return ReportPage.document(title: "FedBone report · \(run.name)", body: body)
    }

    static func clientColours(_ clients: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: clients.enumerated().map { ($0.element, ChartColors.categorical($0.offset)) })
    }

    private static func header(_ run: RunDirectory, _ summary: RunSummary) -> String {
        let e = HTMLText.escape
        let methods = Set(run.log.rounds.map(\.method)).sorted()
        let rounds = Set(run.log.rounds.map(\.round)).count
        var facts = [
            "method <b>\(e(methods.isEmpty ? "—" : methods.joined(separator: ", ")))</b>",
            count(run.log.clients.count, "client", bold: true),
            count(summary.tasks.count, "task", bold: true) + " (\(e(summary.tasks.map(\.rawValue).joined(separator: ", "))))",
            count(rounds, "round", bold: true),
        ]
        if let last = run.log.lastRound { facts.append("last round <b>\(last)</b>") }
        return """
            <header class="top">
            <h1>FedBone run <span class="run-name">\(e(run.name))</span></h1>
            <p class="facts">\(facts.joined(separator: " · "))</p>
            <p class="facts">\(e(run.url.path))</p>
            </header>

            """
    }

    private static func overviewCards(_ summary: RunSummary) -> String {
        guard !summary.tasks.isEmpty else { return "" }
        var s = "<div class=\"cards\">\n"
        for task in summary.tasks {
            guard let metric = summary.primaryMetric(of: task) else { continue }
            let arrow = summary.higherIsBetter(task) ? "↑" : "↓"
            s += """
                <div class="card"><div class="label">\(HTMLText.escape(task.rawValue))</div>\
                <div class="value">\(HTMLText.number(summary.finalTaskAverage(task, metric: metric)))</div>\
                <div class="sub">final \(HTMLText.escape(metric)) \(arrow), mean of \(count(summary.clients(of: task).count, "client"))</div></div>

                """
        }
        if let last = summary.aggregations.last(where: { $0.clients.count >= 2 }) {
            s += """
                <div class="card"><div class="label">gradient conflict</div>\
                <div class="value">\(HTMLText.number(last.meanCosine))</div>\
                <div class="sub">mean cosine, round \(last.round) · \(count(last.projections, "projection"))</div></div>

                """
        }
        return s + "</div>\n"
    }

    private static func taskSection(_ task: TaskKind, _ summary: RunSummary, _ colours: [String: String]) -> String {
        let e = HTMLText.escape
        let clients = summary.clients(of: task)
        var s = "<h3>\(e(task.rawValue)) <span class=\"note\">· \(count(clients.count, "client")): \(e(clients.joined(separator: ", ")))</span></h3>\n<div class=\"grid\">\n"
        let primary = summary.primaryMetric(of: task)
        for metric in summary.metricNames(of: task) {
            var series = clients.map { ChartSeries(name: $0, points: summary.series(client: $0, metric: metric), color: colours[$0] ?? ChartColors.average) }
            series.append(ChartSeries(name: averageSeries, points: summary.taskAverage(task, metric: metric), color: ChartColors.average, style: .bold))
            let note = metric == primary ? (summary.higherIsBetter(task) ? "primary · ↑ higher is better" : "primary · ↓ lower is better") : ""
            let chart = LineChart(title: "\(task.rawValue) · \(metric)", note: note, yLabel: metric, series: series)
            s += figure(chart.svg(id: "metric:\(task.rawValue):\(metric)"))
        }
        var losses = clients.map { ChartSeries(name: $0, points: summary.lossSeries(client: $0), color: colours[$0] ?? ChartColors.average) }
        losses.append(ChartSeries(name: averageSeries, points: summary.taskAverageLoss(task), color: ChartColors.average, style: .bold))
        let chart = LineChart(title: "\(task.rawValue) · train loss", note: "↓ lower is better", yLabel: "train loss", series: losses)
        s += figure(chart.svg(id: "loss:\(task.rawValue)"))
        return s + "</div>\n"
    }

    private static func conflictSection(_ summary: RunSummary, _ colours: [String: String]) -> String {
        var s = "<h2>Gradient conflicts and aggregation</h2>\n"
        let records = summary.aggregations
        guard !records.isEmpty else {
            return s + "<p class=\"note\">No aggregation records (\(HTMLText.escape(RunLogFiles.aggregation)) is missing or empty).</p>\n"
        }
        s += """
            <p class="note">Cosine similarity between the clients' general-model updates Δᵢ, Δⱼ before \
            rescaling: negative values are conflicting updates. A projection removes from one update its \
            component along a conflicting one; rescale weights aₖ scale each update.</p>
            <div class="grid">

            """
        if let last = records.last {
            let map = Heatmap(title: "cosine(Δᵢ, Δⱼ) · round \(last.round)", labels: last.clients, values: last.cosine)
            s += figure(map.svg(id: "cosine-heatmap"), caption: "client × client cosine similarity of the last aggregated round",
                        wide: last.clients.count > 8)
        }
        let pairs = records.filter { $0.clients.count >= 2 }
        let cosine = LineChart(
            title: "update cosine by round", yLabel: "cosine",
            series: [
                ChartSeries(name: "mean cosine", points: pairs.map { ChartPoint(x: Double($0.round), y: $0.meanCosine) }, color: ChartColors.average, style: .bold),
                ChartSeries(name: "min cosine", points: pairs.map { ChartPoint(x: Double($0.round), y: $0.minCosine) }, color: ChartColors.categorical(2), style: .dashed),
            ],
            yIncludes: [0])
        s += figure(cosine.svg(id: "cosine"))
        let projections = LineChart(
            title: "projections by round", yLabel: "projections",
            series: [ChartSeries(name: "projections", points: records.map { ChartPoint(x: Double($0.round), y: Double($0.projections)) }, color: ChartColors.categorical(0), style: .bold)],
            integerY: true, yIncludes: [0])
        s += figure(projections.svg(id: "projections"))
        s += figure(perClientChart("rescale weights aₖ by round", "weight", id: "rescale", records, colours, \.rescaleWeights))
        s += figure(perClientChart("update norms ‖Δₖ‖ by round", "norm", id: "update-norms", records, colours, \.updateNorms))
        return s + "</div>\n"
    }

    private static func perClientChart(
        _ title: String, _ yLabel: String, id: String, _ records: [AggregationRecord],
        _ colours: [String: String], _ values: KeyPath<AggregationRecord, [Double]>
    ) -> String {
        var clients: [String] = []
        for record in records { for client in record.clients where !clients.contains(client) { clients.append(client) } }
        let series = clients.map { client in
            ChartSeries(name: client, points: records.compactMap { record in
                guard let index = record.clients.firstIndex(of: client), index < record[keyPath: values].count else { return nil }
                return ChartPoint(x: Double(record.round), y: record[keyPath: values][index])
            }, color: colours[client] ?? ChartColors.average)
        }
        return LineChart(title: title, yLabel: yLabel, series: series).svg(id: id)
    }

    private static func finalSection(_ summary: RunSummary) -> String {
        let e = HTMLText.escape
        guard !summary.tasks.isEmpty else { return "" }
        var s = "<h2>Final metrics</h2>\n<p class=\"note\">Each client's last evaluation; the task row is the mean over the task's clients.</p>\n"
        s += "<table class=\"tasks\"><tr><th>task</th><th>clients</th><th class=\"text\">primary metric</th><th>task average</th><th>train loss</th></tr>\n"
        for task in summary.tasks {
            let metric = summary.primaryMetric(of: task) ?? ""
            s += "<tr><td>\(e(task.rawValue))</td><td>\(summary.clients(of: task).count)</td>"
                + "<td class=\"text\">\(e(metric)) \(summary.higherIsBetter(task) ? "↑" : "↓")</td>"
                + "<td>\(HTMLText.number(summary.finalTaskAverage(task, metric: metric)))</td>"
                + "<td>\(HTMLText.number(summary.finalTaskAverageLoss(task)))</td></tr>\n"
        }
        s += "</table>\n"
        let finals = summary.finalMetrics
        for task in summary.tasks {
            let metrics = summary.metricNames(of: task)
            s += "<h3>\(e(task.rawValue))</h3>\n<table class=\"final\" data-task=\"\(e(task.rawValue))\"><tr><th>client</th><th>round</th>"
            s += metrics.map { "<th>\(e($0))</th>" }.joined() + "<th>train loss</th></tr>\n"
            for final in finals where final.task == task {
                s += "<tr><td>\(e(final.client))</td><td>\(final.round.map(String.init) ?? "—")</td>"
                s += metrics.map { "<td>\(HTMLText.number(final.metrics[$0] ?? .nan))</td>" }.joined()
                s += "<td>\(HTMLText.number(final.trainLoss))</td></tr>\n"
            }
            s += "<tr class=\"average\"><td>\(e(averageSeries))</td><td></td>"
            s += metrics.map { "<td>\(HTMLText.number(summary.finalTaskAverage(task, metric: $0)))</td>" }.joined()
            s += "<td>\(HTMLText.number(summary.finalTaskAverageLoss(task)))</td></tr>\n</table>\n"
        }
        return s
    }

    private static func costSection(_ cost: RunCost?) -> String {
        guard let cost else { return "" }
        var rows: [(String, String, String)] = []
        func millions(_ n: Double) -> String { String(format: "%.2f M", n / 1e6) }
        if cost.clientParameters != nil || cost.serverParameters != nil {
            rows.append(("parameters", cost.clientParameters.map(millions) ?? "—", cost.serverParameters.map(millions) ?? "—"))
        }
        if cost.clientGFLOPs != nil || cost.serverGFLOPs != nil {
            rows.append(("GFLOPs per sample", cost.clientGFLOPs.map { String(format: "%.3f", $0) } ?? "—",
                         cost.serverGFLOPs.map { String(format: "%.3f", $0) } ?? "—"))
        }
        var s = "<h2>Cost</h2>\n"
        if !rows.isEmpty || cost.peakMemoryBytes != nil {
            s += "<table class=\"cost\"><tr><th></th><th>client</th><th>server</th></tr>\n"
            for (name, client, server) in rows { s += "<tr><td>\(name)</td><td>\(client)</td><td>\(server)</td></tr>\n" }
            if let peak = cost.peakMemoryBytes {
                s += "<tr><td>peak memory</td><td colspan=\"2\" title=\"\(HTMLText.number(peak)) bytes\">\(HTMLText.bytes(peak))</td></tr>\n"
            }
            s += "</table>\n"
        }
        if let bytes = cost.bytesPerClientPerRound, !bytes.isEmpty {
            s += "<table class=\"bytes\"><tr><th>client</th><th>bytes per round</th></tr>\n"
            for (client, value) in bytes.sorted(by: { $0.key < $1.key }) {
                s += "<tr><td>\(HTMLText.escape(client))</td><td title=\"\(HTMLText.number(value)) bytes\">\(HTMLText.bytes(value))</td></tr>\n"
            }
            s += "</table>\n"
        }
        return s
    }

    private static func predictionSection(_ images: [PredictionImage], texts: [PredictionText]) -> String {
        guard !images.isEmpty || !texts.isEmpty else { return "" }
        var s = "<h2>Example predictions</h2>\n<div class=\"predictions\">\n"
        for image in images {
            let name = HTMLText.escape(image.name)
            s += "<figure><img alt=\"\(name)\" src=\"data:image/png;base64,\(image.png.base64EncodedString())\"><figcaption>\(name)</figcaption></figure>\n"
        }
        s += "</div>\n"
        for text in texts {
            let name = HTMLText.escape(text.name)
            s += "<figure class=\"text-predictions\"><pre>\(HTMLText.escape(text.text))</pre><figcaption>\(name): prediction, [truth] where it is wrong</figcaption></figure>\n"
        }
        return s
    }

    private static func configSection(_ config: String?) -> String {
        guard let config else { return "" }
        return "<h2>Configuration</h2>\n<pre class=\"config\">\(HTMLText.escape(config))</pre>\n"
    }

    /// `n` and `noun`, plural unless `n` is 1 (`3 clients`); the number in `<b>` with `bold`.
    static func count(_ n: Int, _ noun: String, bold: Bool = false) -> String {
        (bold ? "<b>\(n)</b>" : "\(n)") + " " + noun + (n == 1 ? "" : "s")
    }

    /// `svg` in a `<figure>` of the chart grid; a `wide` one spans two grid columns.
    static func figure(_ svg: String, caption: String = "", wide: Bool = false) -> String {
        "<figure\(wide ? " class=\"wide\"" : "")>\(svg)\(caption.isEmpty ? "" : "<figcaption>\(HTMLText.escape(caption))</figcaption>")</figure>\n"
    }
}
