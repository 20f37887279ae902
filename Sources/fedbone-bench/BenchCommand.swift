import ArgumentParser
import FedBoneFederation
import FedBoneLayers
import Foundation

/// `fedbone-bench`: timings of the engine, to compare against PyTorch (`bench/compare.sh`).
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedbone-bench",
        abstract: "Benchmarks of the FedBone tensor engine.",
        subcommands: [Kernels.self, Model.self, RoundBench.self, DataBench.self, AggregateBench.self, ImportBench.self]
    )

    /// Tunes the allocator (``tuneMemoryAllocator()``) before anything allocates, then runs.
    static func main() {
        tuneMemoryAllocator()
        main(nil)
    }
}

/// The options every benchmark subcommand shares.
struct BenchOptions: ParsableArguments {
    @Option(help: "Threads for OpenBLAS and the engine's parallel loops (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Timed runs per workload.")
    var repeats: Int = 10

    @Option(help: "Untimed warm-up runs per workload.")
    var warmup: Int = 2

    @Option(help: "Run only the workloads whose names contain one of these comma-separated words.")
    var only: String?

    @Option(help: "Write the JSON results to this file instead of stdout.")
    var json: String?

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
    }

    /// Whether `--only` selects the workload called `name`.
    func selects(_ name: String) -> Bool {
        guard let only else { return true }
        return only.split(separator: ",").contains { name.contains($0) }
    }

    /// Measures the selected `workloads` in order, printing a table row for each, then writes
    /// the JSON results. With `memoryOnly`, each workload runs once, measuring its peak memory.
    func run(_ title: String, _ workloads: [Workload], memoryOnly: Bool = false) throws {
        ComputeThreads.limit(to: threads)
        print("fedbone-bench \(title): threads \(threads), warm-up \(warmup), repeats \(repeats), \(ComputePaths.summary)")
        print(Table.header)
        var results: [BenchResult] = []
        for workload in workloads where selects(workload.name) {
            let result = memoryOnly
                ? measureMemory(workload, threads: threads)
                : measure(workload, warmup: warmup, repeats: repeats, threads: threads)
            print(Table.row(result))
            fflush(nil)
            results.append(result)
        }
        let text = try jsonText(results)
        if let json {
            try (text + "\n").write(toFile: json, atomically: true, encoding: .utf8)
        } else {
            print(text)
        }
    }
}

/// `fedbone-bench kernels`: GEMMs and single ops at Swin-T shapes.
struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time GEMMs and ops at Swin-T shapes (median of --repeats runs after --warmup).")

    /// Every kernel workload, in run order.
    static var workloads: [Workload] { gemmWorkloads() + matMulWorkloads() + opWorkloads() }

    @OptionGroup var options: BenchOptions

    func run() throws { try options.run("kernels", Self.workloads) }
}

/// `fedbone-bench model`: training steps of the general model and the client side.
struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time forward+backward steps of the Swin general model and the client model (median after warm-up), with peak memory.")

    @OptionGroup var options: BenchOptions

    @Flag(help: "Instead of timing, run each workload once and report its peak resident memory (run one workload per process for a clean figure).")
    var memoryOnly = false

    func run() throws {
        try options.run("model", modelWorkloads(selecting: options.selects), memoryOnly: memoryOnly)
    }
}
