import ArgumentParser
import Foundation
import FedBoneReporting

/// `fedbone report`: the HTML report of a run, or a comparison of several runs.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a run, or compare several runs.",
        discussion: """
        fedbone report runs/X                      writes runs/X/report.html
        fedbone report runs/X --out report.html
        fedbone report --compare runs/A runs/B     writes compare.html

        A run directory holds metrics.jsonl (required), aggregation.jsonl, config.yaml,
        cost.json and predictions/*.png (optional). The page needs no network and no JavaScript.
        """
    )

    @Argument(help: "Run directories (one without --compare).")
    var runs: [String]

    @Flag(help: "Overlay several runs: each run's task-average curves and a final table.")
    var compare = false

    @Option(help: "Output file (default: <run>/report.html, or compare.html with --compare).")
    var out: String?

    func validate() throws {
        if runs.isEmpty { throw ValidationError("give a run directory (e.g. runs/fedbone)") }
        if !compare, runs.count > 1 {
            throw ValidationError("\(runs.count) run directories given; use --compare to overlay several runs")
        }
    }

    func run() throws {
        let directories = runs.map { URL(fileURLWithPath: $0) }
        if compare {
            let output = URL(fileURLWithPath: out ?? "compare.html")
            try CompareReport.write(runs: directories, to: output)
            print(output.path)
        } else {
            let written = try HTMLReport.write(run: directories[0], to: out.map { URL(fileURLWithPath: $0) })
            print(written.path)
        }
    }
}
