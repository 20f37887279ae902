import Foundation

/// `fedbone compare`: the same config (same partition, seed and models) run once per method,
/// and a table like the paper's Table 1: rows are methods; for each task, one column per
/// client with its final test metric and one with the task average.
public enum Comparison {
    /// The comparison page written next to `compare.md` (``CompareReport``).
    public static let htmlFileName = "compare.html"

    /// Runs `config` with each of `methods`, in `directory/<method>`, and writes
    /// `directory/compare.md` and `directory/compare.html` (the runs' task-average curves overlaid).
    public static func run(config: ExperimentConfig, methods: [FederatedMethod], directory: URL,
                           progress: RunProgress) throws -> [SimulationResult] {
        var results: [SimulationResult] = []
        for method in methods {
            var c = config
            c.method = method
            progress.note("== \(method.rawValue) ==")
            let simulation = try Simulation(config: c, runDirectory: directory.appendingPathComponent(method.rawValue), progress: progress)
            results.append(try simulation.run())
        }
        try markdown(results).write(to: directory.appendingPathComponent("compare.md"), atomically: true, encoding: .utf8)
        try CompareReport.write(runs: methods.map { directory.appendingPathComponent($0.rawValue) },
                                to: directory.appendingPathComponent(htmlFileName))
        return results
    }

    /// The comparison table (markdown), with the cost of each method below it.
    public static func markdown(_ results: [SimulationResult]) -> String {
        guard let first = results.first else { return "" }
        let tasks = SummaryMarkdown.orderedTasks(first.tasks)
        var header = ["method"], rule = ["---"]
        for task in tasks {
            let idx = first.tasks.indices.filter { first.tasks[$0] == task }
            let metric = idx.first.map { first.final[$0].primary }
            for i in idx { header.append(first.clients[i]); rule.append("---:") }
            header.append("**\(task)** \(metric.map { "\($0.name) \(SummaryMarkdown.arrow($0))" } ?? "")")
            rule.append("---:")
        }
        var out = "# Comparison: \(first.config.name), \(first.config.rounds) rounds, seed \(first.config.seed)\n\n"
        out += "Final test metric per client and the task average (↑ higher is better, ↓ lower is better).\n\n"
        out += "| " + header.joined(separator: " | ") + " |\n| " + rule.joined(separator: " | ") + " |\n"
        func row(_ name: String, _ values: [EvaluationSummary]) -> String {
            var cells = [name]
            for task in tasks {
                let idx = first.tasks.indices.filter { first.tasks[$0] == task }
                for i in idx { cells.append(SummaryMarkdown.value(values[i])) }
                cells.append("**\(SummaryMarkdown.mean(idx.map { values[$0] }))**")
            }
            return "| " + cells.joined(separator: " | ") + " |\n"
        }
        out += row("trivial predictor", first.trivial)
        out += row("round 0 (untrained)", first.initial)
        for r in results { out += row(r.config.method.rawValue, r.final) }
        out += "\n| method | client params (mean) | server params | client GFLOPs/sample | server GFLOPs/sample | bytes/client/round | seconds |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|\n"
        for r in results {
            let c = r.cost
            let n = Double(max(c.clients.count, 1))
            let params = Double(c.clients.reduce(0) { $0 + $1.parameters }) / n
            let gflops = c.clients.reduce(0) { $0 + $1.gflopsPerSample } / n
            out += String(format: "| %@ | %.0f | %d | %.5f | %.5f | %.0f | %.1f |\n", r.config.method.rawValue, params,
                          c.serverParameters, gflops, c.serverGflopsPerSample,
                          c.bytesSentPerClientRound + c.bytesReceivedPerClientRound, r.seconds)
        }
        return out
    }
}
