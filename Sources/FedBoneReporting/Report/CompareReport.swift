import Foundation

/// `compare.html`: several runs overlaid (e.g. the runs of `fedbone compare`), as a
/// self-contained page like `HTMLReport`.
///
/// Per task and metric, a chart `compare:<task>:<metric>` with one line per run: that run's task
/// average (series named by the run's label); per task, `compare-loss:<task>` with the
/// task-average train loss; `compare-cosine` with each run's mean cosine by round; and a final
/// table `<table class="compare">` with one row per run and one column per task (the final
/// task average of the task's primary metric, the best run in bold).
public enum CompareReport {
    /// Reads the runs at `directories` and writes the comparison to `output` (folders created
    /// as needed).
    public static func write(runs directories: [URL], to output: URL) throws {
        guard !directories.isEmpty else { throw ReportError.noRuns }
        let runs = try directories.map { try RunDirectory(url: $0) }
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(render(runs).utf8).write(to: output, options: .atomic)
    }

    /// The label of each run: its directory name, or its path where names repeat.
    public static func labels(_ runs: [RunDirectory]) -> [String] {
        let counts = Dictionary(grouping: runs, by: \.name).mapValues(\.count)
        return runs.map { (counts[$0.name] ?? 0) > 1 ? $0.url.path : $0.name }
    }

    /// The comparison page of `runs`.
    public static func render(_ runs: [RunDirectory]) -> String {
        let e = HTMLText.escape
        let labels = labels(runs)
        let summaries = runs.map { RunSummary($0.log) }
        let colours = labels.indices.map(ChartColors.categorical)
        var tasks: [TaskKind] = []
        for summary in summaries { for task in summary.tasks where !tasks.contains(task) { tasks.append(task) } }

        var body = """
            <header class="top">
            <h1>FedBone comparison</h1>
            <p class="facts">\(HTMLReport.count(runs.count, "run", bold: true)) · \(HTMLReport.count(tasks.count, "task", bold: true)) (\(e(tasks.map(\.rawValue).joined(separator: ", "))))</p>
            </header>
            <table class="runs"><tr><th>run</th><th class="text">method</th><th>clients</th><th>rounds</th><th class="text">directory</th></tr>

            """
        for (index, run) in runs.enumerated() {
            let methods = Set(run.log.rounds.map(\.method)).sorted().joined(separator: ", ")
            body += "<tr><td><span style=\"color:\(colours[index])\">■</span> \(e(labels[index]))</td><td class=\"text\">\(e(methods))</td>"
                + "<td>\(run.log.clients.count)</td><td>\(Set(run.log.rounds.map(\.round)).count)</td><td class=\"text\">\(e(run.url.path))</td></tr>\n"
        }
        body += "</table>\n"
        body += finalTable(tasks, labels, summaries)
        body += "<h2>Task averages by round</h2>\n"
        for task in tasks {
            let owner = summaries.first { $0.tasks.contains(task) }
            var metrics = owner?.metricNames(of: task) ?? []
            for summary in summaries { for name in summary.metricNames(of: task) where !metrics.contains(name) { metrics.append(name) } }
            let primary = owner?.primaryMetric(of: task)
            body += "<h3>\(e(task.rawValue))</h3>\n<div class=\"grid\">\n"
            for metric in metrics {
                let series = summaries.indices.map { ChartSeries(name: labels[$0], points: summaries[$0].taskAverage(task, metric: metric), color: colours[$0]) }
                let note = metric == primary ? ((owner?.higherIsBetter(task) ?? true) ? "task average · ↑ higher is better" : "task average · ↓ lower is better") : "task average"
                body += HTMLReport.figure(LineChart(title: "\(task.rawValue) · \(metric)", note: note, yLabel: metric, series: series)
                    .svg(id: "compare:\(task.rawValue):\(metric)"))
            }
            let losses = summaries.indices.map { ChartSeries(name: labels[$0], points: summaries[$0].taskAverageLoss(task), color: colours[$0]) }
            body += HTMLReport.figure(LineChart(title: "\(task.rawValue) · train loss", note: "task average", yLabel: "train loss", series: losses)
                .svg(id: "compare-loss:\(task.rawValue)"))
            body += "</div>\n"
        }
        if summaries.contains(where: { $0.aggregations.contains { $0.clients.count >= 2 } }) {
            let series = summaries.indices.map { index in
                ChartSeries(name: labels[index], points: summaries[index].aggregations.filter { $0.clients.count >= 2 }
                    .map { ChartPoint(x: Double($0.round), y: $0.meanCosine) }, color: colours[index])
            }
            body += "<h2>Gradient conflicts</h2>\n<div class=\"grid\">\n"
            body += HTMLReport.figure(LineChart(title: "mean update cosine by round", yLabel: "cosine", series: series, yIncludes: [0])
                .svg(id: "compare-cosine"))
            body += "</div>\n"
        }
        return ReportPage.document(title: "FedBone comparison · \(labels.joined(separator: " vs "))", body: body)
    }

    private static func finalTable(_ tasks: [TaskKind], _ labels: [String], _ summaries: [RunSummary]) -> String {
        let e = HTMLText.escape
        var s = "<h2>Final task averages</h2>\n<p class=\"note\">The mean over each task's clients of their last evaluation of the task's primary metric; the best run per task in bold.</p>\n"
        s += "<table class=\"compare\"><tr><th>run</th>"
        var primaries: [String] = []
        var higher: [Bool] = []
        for task in tasks {
            let owner = summaries.first { $0.tasks.contains(task) }
            let metric = owner?.primaryMetric(of: task) ?? ""
            let up = owner?.higherIsBetter(task) ?? true
            primaries.append(metric)
            higher.append(up)
            s += "<th data-task=\"\(e(task.rawValue))\">\(e(task.rawValue))<br><span class=\"note\">\(e(metric)) \(up ? "↑" : "↓")</span></th>"
        }
        s += "</tr>\n"
        let values = summaries.map { summary in
            tasks.indices.map { summary.tasks.contains(tasks[$0]) ? summary.finalTaskAverage(tasks[$0], metric: primaries[$0]) : .nan }
        }
        let best = tasks.indices.map { column -> Double? in
            let finite = values.map { $0[column] }.filter(\.isFinite)
            return higher[column] ? finite.max() : finite.min()
        }
        for (row, label) in labels.enumerated() {
            s += "<tr data-run=\"\(e(label))\"><td>\(e(label))</td>"
            for column in tasks.indices {
                let value = values[row][column]
                let mark = values.count > 1 && value == best[column] ? " class=\"best\"" : ""
                s += "<td\(mark) data-value=\"\(value)\">\(HTMLText.number(value))</td>"
            }
            s += "</tr>\n"
        }
        return s + "</table>\n"
    }
}
