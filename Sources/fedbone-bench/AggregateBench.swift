import ArgumentParser
import FedBoneFederation
import Foundation

/// `fedbone-bench aggregate`: the server's end-of-round GP aggregation alone, on K random
/// updates of a general model's size (Swin-B: K·D·4 bytes of updates, 5.6 GB at K = 16).
/// Reports the median time and the peak resident memory of one aggregation (the updates and
/// Δ^{t−1} are built before it, so the growth column is what the aggregation itself adds).
/// With `--reference` it also runs ``ReferenceGPAggregate`` (every vector in D space, 2·K·D
/// `Double`s more) on the same inputs and prints how far the two results are apart. With
/// `--spill DIR` the updates are written one by one into memory-mapped files in DIR
/// (``UpdateVector``, `server.spill`) and aggregated from there: the peak is then what stays
/// resident (the heap, and the window of each file a pass is reading), not K·D·4.
struct AggregateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Time GP aggregation of K random updates of a model's size, with its peak memory.")

    @Option(help: "General model whose parameter count D the updates have (swin-t, swin-s, swin-b, …).")
    var model = "swin-b"

    @Option(help: "Use this D instead of the model's parameter count.")
    var parameters: Int?

    @Option(help: "K, the number of client updates.")
    var clients = 16

    @Option(help: "How conflicts are resolved: pcgrad, cagrad or gradvac.")
    var conflict = "pcgrad"

    @Option(help: "Threads for BLAS and the engine's parallel loops (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Timed runs (after one untimed warm-up run).")
    var repeats = 3

    @Flag(help: "Also run the D-space reference aggregation (2·K·D doubles more memory: small sizes only).")
    var reference = false

    @Option(help: "Spill the updates to memory-mapped files in this folder (needs K·D·4 bytes free there).")
    var spill: String?

    @Option(help: "Write the JSON results to this file instead of stdout.")
    var json: String?

    func validate() throws {
        guard clients >= 1, threads >= 1, repeats >= 1 else { throw ValidationError("--clients, --threads and --repeats must be at least 1") }
        guard GPAggregate.Conflict(rawValue: conflict) != nil else {
            throw ValidationError("--conflict must be one of \(GPAggregate.Conflict.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let parameters, parameters < 1 { throw ValidationError("--parameters must be at least 1") }
        if spill != nil, reference { throw ValidationError("--spill and --reference exclude each other (the reference needs every update in memory)") }
    }

    func run() throws {
        ComputeThreads.limit(to: threads)
        let d = try parameters ?? GeneralModelConfiguration.named(model).makeModel(imageSize: (224, 224), seed: 1).parameterCount
        let k = clients
        let gp = GPAggregate(conflict: GPAggregate.Conflict(rawValue: conflict) ?? .pcgrad)
        if reference {
            let needed = Double(k * d) * (4 + 16)
            guard gp.conflict != .gradvac, needed < 0.6 * Double(ProcessInfo.processInfo.physicalMemory) else {
                throw ValidationError("--reference needs pcgrad or cagrad and about \(Int(needed / 1e9)) GB: use fewer --clients or --parameters")
            }
        }
        let updateBytes = Double(k * d * 4)
        print("fedbone-bench aggregate: \(parameters == nil ? model + ", " : "")K \(k), D \(d), \(conflict), threads \(threads), "
              + "1 warm-up, \(repeats) timed, GEMM \(GemmBackend.name)")
        print(String(format: "updates K·D·4 = %.0f MiB; memory target 1.2·K·D·4 = %.0f MiB", updateBytes / 1_048_576,
                     1.2 * updateBytes / 1_048_576))
        let inputs = try AggregationInputs(clients: k, parameters: d, spillDirectory: spill.map { URL(fileURLWithPath: $0) })
        let shape = "K=\(k) D=\(d)"
        var runs = [("aggregate \(conflict) gram\(spill == nil ? "" : " spilled")", { inputs.run(gp) })]
        if reference { runs.append(("aggregate \(conflict) reference", { inputs.run(ReferenceGPAggregate(gp)) })) }
        print(Table.header)
        var results: [BenchResult] = []
        var aggregates: [[Float]] = []
        for (name, body) in runs {
            // Two passes over the updates (Gram matrix, then Δ): the minimal traffic.
            let workload = Workload(name: name, shape: shape, work: .bytes(2 * updateBytes)) { { _ = body() } }
            var result = measure(workload, warmup: 1, repeats: repeats, threads: threads)
            var aggregate: [Float] = []
            if let usage = PeakMemory.measure({ aggregate = body() }) {
                result.peakMiB = usage.peak / 1_048_576
                result.stepMiB = usage.growth / 1_048_576
            }
            aggregates.append(aggregate)
            print(Table.row(result) + String(format: "  peak/(K·D·4) %.2f", (result.peakMiB ?? 0) * 1_048_576 / updateBytes))
            fflush(nil)
            results.append(result)
        }
        if aggregates.count == 2 {
            let (a, b) = (aggregates[0], aggregates[1])
            let difference = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
            let size = b.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            print(String(format: "‖gram − reference‖ / ‖reference‖ = %.3g", difference / max(size, 1e-300)))
        }
        let text = try jsonText(results)
        if let json {
            try (text + "\n").write(toFile: json, atomically: true, encoding: .utf8)
        } else {
            print(text)
        }
    }
}

/// K random updates and a previous aggregate: a shared direction of random sign and size plus
/// noise per client, so that many pairs conflict. In memory, or each written straight into a
/// spilled ``UpdateVector`` (never all resident at once).
private struct AggregationInputs {
    let updates: [[Float]]
    let spilled: [UpdateVector]
    let previous: [Float]
    let counts: [Int]
    let generator = SeededGenerator(seed: 5)

    init(clients k: Int, parameters d: Int, spillDirectory: URL?) throws {
        // The shared direction is drawn again for each vector from one seed instead of being
        // kept: a D-length buffer freed here would stay resident (the engine's allocator keeps
        // freed heap) and count in the aggregation's peak.
        func shared() -> SeededGenerator { SeededGenerator(seed: 1) }
        func fill(_ client: Int, _ out: UnsafeMutableBufferPointer<Float>) {
            var direction = shared(), r = SeededGenerator(seed: 2).fork(UInt64(client))
            let s = r.uniform(-2, 2)
            for j in out.indices { out[j] = direction.uniform(-1, 1) * s + r.uniform(-1, 1) }
        }
        if let spillDirectory {
            spilled = try (0..<k).map { client in
                let vector = try UpdateVector(zeros: d, spillDirectory: spillDirectory)
                fill(client, vector.buffer)
                vector.releaseResidentPages()
                return vector
            }
            updates = []
        } else {
            updates = (0..<k).map { client in [Float](unsafeUninitializedCapacity: d) { out, count in fill(client, out); count = d } }
            spilled = []
        }
        var direction = shared()
        previous = (0..<d).map { _ in direction.uniform(-1, 1) * 0.01 }
        counts = (0..<k).map { 100 + $0 }
    }

    func run(_ gp: GPAggregate) -> [Float] {
        guard spilled.isEmpty else {
            return gp.aggregate(spilled, previous: previous, sampleCounts: counts, generator: generator).aggregate
        }
        return gp.aggregate(updates, previous: previous, sampleCounts: counts, generator: generator).aggregate
    }

    func run(_ reference: ReferenceGPAggregate) -> [Float] {
        reference.aggregate(updates, previous: previous, sampleCounts: counts, generator: generator).aggregate
    }
}
