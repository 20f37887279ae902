import Foundation

/// `fedbone compare --seeds N`: the comparison run on N seeds (the config's seed, seed + 1, …:
/// data partition, initialisation and sampling all follow it), each in `<dir>/seed-<s>/`, and a
/// table of every method's task averages and Δm (against Local) as mean ± sd with a 95 %
/// confidence interval, plus FedBone paired against each other method seed by seed.
///
/// A seed whose comparison finished is not run again: its task averages are kept in
/// `seed-<s>/seed-result.json`, so an interrupted compare resumes at the first unfinished seed,
/// whose methods continue from their checkpoints (``Comparison``).
public enum SeedComparison {
    /// The file each finished seed leaves.
    public static let resultFileName = "seed-result.json"

    /// One seed's outcome: per method, per task, the task average of the primary metric.
    public struct SeedRun: Codable, Sendable, Equatable {
        public var seed: UInt64
        public var tasks: [String]
        public var averages: [String: [String: MetricSummary.Primary]]

        /// The task averages of `rows` (one per method or ablation, by its name).
        public init(seed: UInt64, rows: [Comparison.Row]) {
            self.seed = seed
            tasks = rows.first.map { SummaryMarkdown.orderedTasks($0.result.tasks) } ?? []
            var averages: [String: [String: MetricSummary.Primary]] = [:]
            for (name, result) in rows.map({ ($0.name, $0.result) }) {
                var perTask: [String: MetricSummary.Primary] = [:]
                for task in tasks {
                    let finals = result.tasks.indices.filter { result.tasks[$0] == task }.map { result.final[$0] }
                    guard let metric = finals.first?.primary else { continue }
                    perTask[task] = MetricSummary.Primary(name: metric.name, value: SummaryMarkdown.meanValue(finals) ?? .nan,
                                                          higherIsBetter: metric.higherIsBetter)
                }
                averages[name] = perTask
            }
            self.averages = averages
        }

        /// Δm of `method` against Local on this seed (nil without Local or when undefined).
        public func deltaM(_ method: String) -> Double? {
            guard let run = averages[method], let local = averages[FederatedMethod.local.rawValue],
                  let value = try? MultiTaskDelta.compute(run: run, reference: local), value.isFinite else { return nil }
            return value
        }
    }

    /// Runs `seeds` seeds of the comparison in `directory` (resuming finished seeds) and writes
    /// `directory/seeds.md`. Progress: one note per seed with the elapsed time and an ETA.
    public static func run(config: ExperimentConfig, entries: [ComparisonEntry], seeds: Int, directory: URL,
                           progress: RunProgress) throws -> [SeedRun] {
        precondition(seeds >= 1, "SeedComparison: seeds must be at least 1")
        let started = ContinuousClock.now
        var runs: [SeedRun] = []
        var ranNow = 0
        for i in 0..<seeds {
            var c = config
            c.seed = config.seed &+ UInt64(i)
            let folder = directory.appendingPathComponent("seed-\(c.seed)")
            let file = folder.appendingPathComponent(resultFileName)
            if let data = try? Data(contentsOf: file), let done = try? JSONDecoder().decode(SeedRun.self, from: data),
               done.seed == c.seed, Set(done.averages.keys) == Set(entries.map(\.name)) {
                progress.note("== seed \(c.seed) (\(i + 1)/\(seeds)): finished before, kept ==")
                runs.append(done)
                continue
            }
            progress.note("== seed \(c.seed) (\(i + 1)/\(seeds))\(eta(started: started, ran: ranNow, left: seeds - i)) ==")
            let rows = try Comparison.run(config: c, entries: entries, directory: folder, progress: progress)
            let run = SeedRun(seed: c.seed, rows: rows)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(run).write(to: file, options: .atomic)
            runs.append(run)
            ranNow += 1
        }
        try markdown(runs, methods: entries.map(\.name)).write(to: directory.appendingPathComponent("seeds.md"),
                                                                   atomically: true, encoding: .utf8)
        return runs
    }

    private static func eta(started: ContinuousClock.Instant, ran: Int, left: Int) -> String {
        guard ran > 0 else { return "" }
        let elapsed = Double((ContinuousClock.now - started).components.seconds)
        return String(format: ", %.0f s so far, about %.0f s left", elapsed, elapsed / Double(ran) * Double(left))
    }

    /// The tables: mean ± sd [95 % CI] per method (or ablation, by name) and task (and Δm), then FedBone paired with
    /// each other method (wins/losses/ties over seeds and the sign test's p).
    public static func markdown(_ runs: [SeedRun], methods: [String]) -> String {
        guard let first = runs.first else { return "" }
        let tasks = first.tasks
        let hasDelta = methods.contains(FederatedMethod.local.rawValue)
        let seedList = runs.map { "\($0.seed)" }.joined(separator: ", ")
        var out = "# Comparison over \(runs.count) seeds (\(seedList))\n\n"
        out += "Task averages of the final test metric and Δm against Local (%, higher is better): mean ± sd [95 % CI].\n\n"
        var header = ["method"] + tasks.map { task in
            first.averages.values.first?[task].map { "\(task) \($0.name) \(SummaryMarkdown.arrow($0))" } ?? task
        }
        if hasDelta { header.append("Δm % ↑") }
        out += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for method in methods {
            var cells = [method]
            for task in tasks { cells.append(cell(runs.compactMap { $0.averages[method]?[task]?.value })) }
            if hasDelta { cells.append(cell(runs.compactMap { $0.deltaM(method) })) }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        let reference = FederatedMethod.fedbone.rawValue
        guard methods.contains(reference), runs.count > 1 else { return out }
        out += "\nFedBone paired with each method over the seeds: wins/losses/ties (two-sided sign test p).\n\n"
        var pairedHeader = ["fedbone vs"] + tasks
        if hasDelta { pairedHeader.append("Δm") }
        out += "| " + pairedHeader.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: pairedHeader.count) + "\n"
        for method in methods where method != reference {
            var cells = [method]
            for task in tasks {
                let higher = first.averages[reference]?[task]?.higherIsBetter ?? true
                cells.append(paired(runs.map { $0.averages[reference]?[task]?.value ?? .nan },
                                    runs.map { $0.averages[method]?[task]?.value ?? .nan }, higherIsBetter: higher))
            }
            if hasDelta {
                cells.append(paired(runs.map { $0.deltaM(reference) ?? .nan }, runs.map { $0.deltaM(method) ?? .nan }, higherIsBetter: true))
            }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    private static func cell(_ values: [Double]) -> String {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { return "–" }
        let s = SeedStatistics(finite)
        guard let h = s.halfWidth95 else { return String(format: "%.4f", s.mean) }
        return String(format: "%.4f ± %.4f [%.4f, %.4f]", s.mean, s.standardDeviation, s.mean - h, s.mean + h)
    }

    private static func paired(_ a: [Double], _ b: [Double], higherIsBetter: Bool) -> String {
        let pairs = zip(a, b).filter { $0.0.isFinite && $0.1.isFinite }
        guard !pairs.isEmpty else { return "–" }
        let p = PairedComparison(pairs.map(\.0), pairs.map(\.1), higherIsBetter: higherIsBetter)
        return String(format: "%d/%d/%d (p %.3f)", p.wins, p.losses, p.ties, p.signTestP)
    }
}
