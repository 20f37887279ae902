import ArgumentParser
import FedBoneLayers
import Foundation

/// `fedbone-bench`: timings of the engine, to compare against PyTorch (`bench/compare.sh`).
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedbone-bench",
        abstract: "Benchmarks of the FedBone tensor engine.",
        subcommands: [Kernels.self, DataBench.self]
    )
}

/// `fedbone-bench kernels`: GEMMs and single ops at Swin-T shapes.
struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time GEMMs and ops at Swin-T shapes (median of --repeats runs after --warmup).")

    /// Every kernel workload, in run order.
    static var workloads: [Workload] { gemmWorkloads() + matMulWorkloads() + opWorkloads() }

    @Option(help: "Threads for OpenBLAS and the engine's parallel loops (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Timed runs per workload.")
    var repeats: Int = 10

    @Option(help: "Untimed warm-up runs per workload.")
    var warmup: Int = 2

    @Option(help: "Write the JSON results to this file instead of stdout.")
    var json: String?

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
    }

    func run() throws {
        ComputeThreads.limit(to: threads)
        print("fedbone-bench kernels: threads \(threads), warm-up \(warmup), repeats \(repeats)")
        print(Table.header)
        var results: [BenchResult] = []
        for workload in Self.workloads {
            let result = measure(workload, warmup: warmup, repeats: repeats, threads: threads)
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
