import ArgumentParser
import Foundation
import FedBoneFederation

/// `fedbone compare`: several methods on the same partition and seed, in one table.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run the same experiment with several methods and tabulate the final test metrics.",
        discussion: """
        Each method runs in <runs>/<name>-compare/<method>/; the table (like the FedBone paper's
        Table 1: rows methods, columns per-client metrics and task averages) is printed and
        written to <runs>/<name>-compare/compare.md; compare.html beside it overlays the runs'
        task-average curves (like `fedbone report --compare`).

        With --seeds N the comparison runs on the config's seed and the N − 1 after it, each in
        <runs>/<name>-compare/seed-<s>/, and <runs>/<name>-compare/seeds.md tabulates every
        method's task averages and Δm against Local as mean ± sd [95 % CI], with FedBone paired
        against each method over the seeds (wins/losses/ties, sign test).

        Run again on the same config, compare resumes: a seed that finished is kept from its
        seed-result.json, a method's run continues from its last checkpoint (a finished one
        trains no more rounds), and a run that never reached a checkpoint starts again. A
        method folder that holds a run of another config is refused; remove it first.
        """
    )

    @OptionGroup var options: ExperimentOptions

    @Option(help: "Comma-separated methods or FedBone ablations: \(ComparisonEntry.knownNames.joined(separator: ", ")).")
    var methods = "fedbone,fedbone-nogp,fedavg,fedprox,fedper,fedrep,local"

    @Flag(help: "Add FedBone's ablations (\(ComparisonEntry.ablations.map(\.name).joined(separator: ", "))) to the methods.")
    var ablations = false

    @Option(help: "Run every method on this many seeds (the config's seed and the ones after it) and report intervals.")
    var seeds = 1

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
    }

    func run() throws {
        var chosen = try methods.split(separator: ",").map { name -> ComparisonEntry in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let entry = ComparisonEntry.named(trimmed) else {
                throw ValidationError("unknown method '\(trimmed)'; known: \(ComparisonEntry.knownNames.joined(separator: ", "))")
            }
            return entry
        }
        if ablations { chosen += ComparisonEntry.ablations.filter { !chosen.contains($0) } }
        guard !chosen.isEmpty else { throw ValidationError("--methods is empty") }
        guard Set(chosen.map(\.name)).count == chosen.count else { throw ValidationError("--methods names a method twice") }
        let config = try options.experiment()
        let directory = URL(fileURLWithPath: options.runs).appendingPathComponent("\(config.name)-compare")
        let progress = options.progress
        if seeds > 1 {
            let runs = try SeedComparison.run(config: config, entries: chosen, seeds: seeds, directory: directory, progress: progress)
            let table = directory.appendingPathComponent("seeds.md").path
            switch progress.style {
            case .quiet: print(table)
            case .jsonLines: print("{\"event\":\"done\",\"seeds\":\"\(table)\"}")
            case .automatic, .bar, .lines: print(SeedComparison.markdown(runs, methods: chosen.map(\.name)))
            }
            return
        }
        let results = try Comparison.run(config: config, entries: chosen, directory: directory, progress: progress)
        switch progress.style {
        case .quiet: print(directory.appendingPathComponent("compare.md").path)
        case .jsonLines: print("{\"event\":\"done\",\"compare\":\"\(directory.appendingPathComponent("compare.md").path)\"}")
        case .automatic, .bar, .lines: print(Comparison.markdown(results))
        }
    }
}
