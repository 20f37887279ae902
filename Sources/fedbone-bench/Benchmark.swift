import FedBoneTensor
import Foundation

/// How a workload's speed is reported: arithmetic (2 flops per multiply-add, forward and
/// backward GEMMs included) or the minimal memory traffic of a bandwidth-bound op (every tensor
/// read or written once per pass, 4 bytes a scalar).
enum Work {
    case flops(Double)
    case bytes(Double)
}

/// One timed piece of engine work. `prepare` builds the inputs (untimed) and returns the body
/// that one timed run executes; the inputs live only while the workload is being measured.
struct Workload {
    let name: String
    let shape: String
    let work: Work
    let prepare: () -> () -> Void
}

/// The timing of one workload, in the JSON schema shared with `bench/kernels.py`.
struct BenchResult: Encodable {
    let name: String
    let shape: String
    let medianSeconds: Double
    let minSeconds: Double
    let runs: Int
    let gflops: Double?
    let gbps: Double?
    let threads: Int
    /// Median CPU time of the process (user + system, all threads) per run: with one thread, the
    /// compute time without the time other processes took the core (a steadier figure on a
    /// shared machine).
    var cpuSeconds: Double?
    /// Peak resident memory during one run, and its growth over the memory before the run, in
    /// MiB (model workloads only).
    var peakMiB: Double?
    var stepMiB: Double?

    enum CodingKeys: String, CodingKey {
        case name, shape, runs, gflops, gbps, threads
        case medianSeconds = "median_s"
        case minSeconds = "min_s"
        case cpuSeconds = "cpu_s"
        case peakMiB = "peak_rss_mib"
        case stepMiB = "step_rss_mib"
    }

    /// Writes `null` for the unused throughput instead of dropping the key.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(shape, forKey: .shape)
        try c.encode(medianSeconds, forKey: .medianSeconds)
        try c.encode(minSeconds, forKey: .minSeconds)
        try c.encode(runs, forKey: .runs)
        try c.encode(gflops, forKey: .gflops)
        try c.encode(gbps, forKey: .gbps)
        try c.encode(threads, forKey: .threads)
        try c.encodeIfPresent(cpuSeconds, forKey: .cpuSeconds)
        try c.encodeIfPresent(peakMiB, forKey: .peakMiB)
        try c.encodeIfPresent(stepMiB, forKey: .stepMiB)
    }
}

/// The median of `values`: the middle element, or the mean of the two middle ones.
func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "median: no values")
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// Runs `workload` `warmup` times untimed, then `repeats` times timed with `ContinuousClock`.
func measure(_ workload: Workload, warmup: Int, repeats: Int, threads: Int) -> BenchResult {
    let body = workload.prepare()
    for _ in 0..<warmup { body() }
    let clock = ContinuousClock()
    var cpu: [Double] = []
    let times = (0..<repeats).map { _ in
        let cpuStart = processCPUSeconds()
        let elapsed = clock.measure(body).components
        cpu.append(processCPUSeconds() - cpuStart)
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
    let mid = median(times)
    var gflops: Double?, gbps: Double?
    switch workload.work {
    case .flops(let f): gflops = f / mid * 1e-9
    case .bytes(let b): gbps = b / mid * 1e-9
    }
    var result = BenchResult(name: workload.name, shape: workload.shape, medianSeconds: mid,
                             minSeconds: times.min() ?? mid, runs: repeats, gflops: gflops, gbps: gbps, threads: threads)
    result.cpuSeconds = median(cpu)
    return result
}

/// User plus system CPU time of this process so far, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Runs `workload` once and records the peak resident memory of the process during that run
/// and its growth over the memory before it (``PeakMemory``); the time is that one run's.
func measureMemory(_ workload: Workload, threads: Int) -> BenchResult {
    let body = workload.prepare()
    let start = ContinuousClock.now
    let usage = PeakMemory.measure(body)
    let elapsed = (ContinuousClock.now - start).components
    let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    var result = BenchResult(name: workload.name, shape: workload.shape, medianSeconds: seconds, minSeconds: seconds,
                             runs: 1, gflops: nil, gbps: nil, threads: threads)
    result.peakMiB = usage.map { $0.peak / 1_048_576 }
    result.stepMiB = usage.map { $0.growth / 1_048_576 }
    return result
}

/// The aligned text table, one row per result (same layout as `bench/kernels.py`).
enum Table {
    static let header = row("workload", "shape", "median ms", "min ms", "throughput", "")

    static func row(_ result: BenchResult) -> String {
        let rate = result.gflops.map { String(format: "%.2f GFLOP/s", $0) }
            ?? result.gbps.map { String(format: "%.2f GB/s", $0) } ?? "-"
        let memory = result.peakMiB.map { peak in
            String(format: "  peak %.0f MiB (step +%.0f)", peak, result.stepMiB ?? 0)
        } ?? result.cpuSeconds.map { String(format: "  cpu %.3f ms", $0 * 1e3) } ?? ""
        return row(result.name, result.shape, String(format: "%.3f", result.medianSeconds * 1e3),
                   String(format: "%.3f", result.minSeconds * 1e3), rate, memory)
    }

    private static func row(_ name: String, _ shape: String, _ median: String, _ min: String, _ rate: String,
                            _ memory: String) -> String {
        pad(name, 32) + "  " + pad(shape, 36) + "  " + pad(median, 10, left: true) + "  "
            + pad(min, 10, left: true) + "  " + pad(rate, 16, left: true) + memory
    }

    private static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return left ? fill + s : s + fill
    }
}

/// The results as a pretty-printed JSON array with sorted keys.
func jsonText(_ results: [BenchResult]) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(results), as: UTF8.self)
}

/// Operand shapes as `[a,b]x[c,d]`, the form `bench/kernels.py` prints too.
func shapeText(_ shapes: [Int]...) -> String {
    shapes.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: "x")
}

/// Uniform values in [-1, 1) from a fixed seed: benchmark inputs whose values do not matter.
func benchInput(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.uniform(shape, low: -1, high: 1, generator: &rng)
}
