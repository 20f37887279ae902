import Foundation

/// `fedbone compare`: the same config (same partition, seed and models) run once per method,
/// and a table like the paper's Table 1: rows are methods; for each task, one column per
/// client with its final test metric and one with the task average.
public enum Comparison {
    /// The comparison page written next to `compare.md` (``CompareReport``).
    public static let htmlFileName = "compare.html"

    /// One row's run: its name and result.
    public struct Row: Sendable {
        public var name: String
        public var result: SimulationResult
        /// How the clients' general-model updates conflicted (split methods; nil for the others).
        public var conflicts: ConflictStatistics?
    }

    /// Runs `config` with each of `methods` (see ``run(config:entries:directory:progress:)``).
    public static func run(config: ExperimentConfig, methods: [FederatedMethod], directory: URL,
                           progress: RunProgress) throws -> [Row] {
        try run(config: config, entries: methods.map(ComparisonEntry.init), directory: directory, progress: progress)
    }

    /// Runs `config` as each of `entries`, in `directory/<name>` (continuing what an earlier,
    /// interrupted compare left there: ``continuedOrNew(config:runDirectory:progress:)``), and writes
    /// `directory/compare.md` and `directory/compare.html` (the runs' task-average curves overlaid).
    public static func run(config: ExperimentConfig, entries: [ComparisonEntry], directory: URL,
                           progress: RunProgress) throws -> [Row] {
        var rows: [Row] = []
        for entry in entries {
            let c = try entry.config(from: config)
            progress.note("== \(entry.name) ==")
            let runDirectory = directory.appendingPathComponent(entry.name)
            let simulation = try continuedOrNew(config: c, runDirectory: runDirectory, progress: progress)
            let result = try simulation.run()
            rows.append(Row(name: entry.name, result: result, conflicts: ConflictStatistics(try RunLog(directory: runDirectory).aggregations)))
        }
        try markdown(rows).write(to: directory.appendingPathComponent("compare.md"), atomically: true, encoding: .utf8)
        try CompareReport.write(runs: entries.map { directory.appendingPathComponent($0.name) },
                                to: directory.appendingPathComponent(htmlFileName))
        return rows
    }

    /// The run of `config` in `runDirectory`: continued from its last checkpoint when an earlier
    /// compare left one there (a finished run then trains no more rounds and only rewrites its
    /// results), started afresh when the directory is empty or holds a run that never reached a
    /// checkpoint. A directory holding a run of another config is refused, not overwritten.
    static func continuedOrNew(config: ExperimentConfig, runDirectory: URL, progress: RunProgress) throws -> Simulation {
        let fm = FileManager.default
        guard let contents = try? fm.contentsOfDirectory(atPath: runDirectory.path), !contents.isEmpty else {
            return try Simulation(config: config, runDirectory: runDirectory, progress: progress)
        }
        let earlierYAML = try? String(contentsOf: runDirectory.appendingPathComponent("config.yaml"), encoding: .utf8)
        guard let earlierYAML, let earlier = try? ExperimentConfig.load(yaml: earlierYAML),
              try earlier.yaml() == config.yaml() else {
            throw ComparisonError.otherRun(runDirectory.path)
        }
        let store = CheckpointStore(directory: runDirectory.appendingPathComponent("checkpoints"))
        guard let (state, _) = try store.latest() else {
            progress.note("\(runDirectory.path) stopped before its first checkpoint; starting it again")
            try fm.removeItem(at: runDirectory)
            return try Simulation(config: config, runDirectory: runDirectory, progress: progress)
        }
        if state.round >= config.rounds { progress.note("\(runDirectory.path) finished before; kept") }
        return try Simulation.resume(runDirectory: runDirectory, progress: progress)
    }

    /// The comparison table (markdown), with the cost of each method below it.
    public static func markdown(_ rows: [Row]) -> String {
        guard let first = rows.first?.result else { return "" }
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
        for r in rows { out += row(r.name, r.result.final) }
        out += "\n| method | client params (mean) | server params | client GFLOPs/sample | server GFLOPs/sample | bytes/client/round | seconds in this process |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|\n"
        for (name, r) in rows.map({ ($0.name, $0.result) }) {
            let c = r.cost
            let n = Double(max(c.clients.count, 1))
            let params = Double(c.clients.reduce(0) { $0 + $1.parameters }) / n
            let gflops = c.clients.reduce(0) { $0 + $1.gflopsPerSample } / n
            out += String(format: "| %@ | %.0f | %d | %.5f | %.5f | %.0f | %.1f |\n", name, params,
                          c.serverParameters, gflops, c.serverGflopsPerSample,
                          c.bytesSentPerClientRound + c.bytesReceivedPerClientRound, r.seconds)
        }
        let conflicted = rows.filter { $0.conflicts != nil }
        guard !conflicted.isEmpty else { return out }
        out += "\nConflict between the clients' general-model updates (every aggregated round):\n\n"
        out += "| method | rounds | client pairs | negative cosines | mean cosine | projections / round |\n|---|---:|---:|---:|---:|---:|\n"
        for row in conflicted {
            guard let c = row.conflicts else { continue }
            out += String(format: "| %@ | %d | %d | %.1f %% | %.4f | %.2f |\n", row.name, c.rounds, c.pairs, 100 * c.negativeShare,
                          c.meanCosine, c.projectionsPerRound)
        }
        return out
    }
}

/// Why a comparison could not go on.
public enum ComparisonError: Error, CustomStringConvertible {
    /// A method's run directory holds a run of another config.
    case otherRun(String)

    public var description: String {
        switch self {
        case let .otherRun(path):
            return "\(path) holds a run of another config (or no config.yaml); remove it, or compare into another --runs folder"
        }
    }
}
