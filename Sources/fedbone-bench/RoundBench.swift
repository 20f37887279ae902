import ArgumentParser
import FedBoneFederation
import Foundation

/// `fedbone-bench round`: whole FedBone rounds of the default experiment (`fedbone simulate`'s
/// built-in config, no evaluation or logging), or of the default experiment scaled to a given
/// general model, image size, client count, batch and steps per round (paper scale: `--model
/// swin-b --image 224 --clients 16 --batch 2 --steps 1`), with the time per split client step,
/// the share of the round spent in the server's end-of-round GP aggregation, and the round's
/// peak resident memory.
struct RoundBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "round",
        abstract: "Time whole FedBone rounds: time per client step, the aggregation's share and peak memory."
    )

    @Option(help: "General model preset (swin-t, swin-s, swin-b, …; default: the default experiment's small Swin).")
    var model: String?

    @Option(help: "Image size in pixels (default: the default experiment's 32).")
    var image: Int?

    @Option(help: "Clients, dealt evenly over the four scene tasks (default: 8).")
    var clients: Int?

    @Option(help: "Batch size of a client step (default: 16).")
    var batch: Int?

    @Option(help: "Split steps per client per round (default: as many as the default data gives, 8).")
    var steps: Int?

    @Option(help: "Server update mode: replica or gradient (default: the default experiment's replica).")
    var update: String?

    @Flag(help: "Pending Forwards keep only embeddings and features; each Backward reruns the pass (server.recomputeActivations).")
    var recompute = false

    @Option(help: "Where the round's updates live: auto, always (memory-mapped files in TMPDIR) or never (server.spill).")
    var spill: String?

    @Option(help: "Clients whose Forwards of a step run as one server pass, in lockstep (server.batchClients; gradient mode; default 1: one pass per client).")
    var batchClients: Int?

    @Option(help: "Threads for the engine's parallel loops (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Timed rounds (after one untimed warm-up round).")
    var rounds: Int = 3

    @Option(help: "Write the JSON results to this file instead of stdout.")
    var json: String?

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        for (name, value) in [("--image", image), ("--clients", clients), ("--batch", batch), ("--steps", steps)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        if let clients, clients % 4 != 0 { throw ValidationError("--clients must be a multiple of 4 (one share per scene task)") }
        if let update, !["replica", "gradient"].contains(update) { throw ValidationError("--update must be replica or gradient") }
        if let spill, ServerConfig.Spill(rawValue: spill) == nil { throw ValidationError("--spill must be auto, always or never") }
        if let batchClients, batchClients < 1 { throw ValidationError("--batch-clients must be at least 1") }
    }

    /// The default experiment with the options' changes, as YAML; empty (the default itself)
    /// when no option changes it. A client keeps round(samples · 0.8) of its samples for
    /// training, so `steps` steps of `batch` need samples = ⌈batch · steps / 0.8⌉.
    private var experimentYAML: String {
        var lines: [String] = []
        if let model { lines.append("model: {general: \(model)}") }
        var data: [String] = []
        if let image { data.append("imageSize: \(image)") }
        if let steps {
            let samples = Int((Double((batch ?? 16) * steps) / 0.8).rounded(.up))
            data.append("samplesPerClient: \(samples)")
        }
        if !data.isEmpty { lines.append("data: {\(data.joined(separator: ", "))}") }
        if let clients {
            let share = clients / 4
            lines.append("tasks: [" + ["segmentation", "depth", "normals", "saliency"].map { "{kind: \($0), clients: \(share)}" }
                .joined(separator: ", ") + "]")
        }
        if let batch { lines.append("training: {batchSize: \(batch)}") }
        var server: [String] = []
        if let update { server.append("update: \(update)") }
        if recompute { server.append("recomputeActivations: true") }
        if let spill { server.append("spill: \(spill)") }
        if let batchClients { server.append("batchClients: \(batchClients)") }
        if !server.isEmpty { lines.append("server: {\(server.joined(separator: ", "))}") }
        return lines.joined(separator: "\n")
    }

    func run() throws {
        ComputeThreads.limit(to: threads)
        let yaml = experimentYAML
        let config = try ExperimentConfig.load(yaml: yaml)
        let streams = RandomStreams(seed: config.seed)
        let datasets = try DatasetFactory.makeClientDatasets(data: config.data, tasks: config.tasks, seed: streams.dataSeed)
        let federation = try SplitFederation(config: config, datasets: datasets)
        let timing = TimedService(federation.server)
        let parameters = federation.server.model.parameterCount
        print("fedbone-bench round: \(yaml.isEmpty ? "default experiment" : "scaled default experiment") "
              + "(\(federation.clients.count) clients, \(parameters) general-model parameters, batch \(config.training.batchSize), "
              + "\(config.data.imageSize)px, \(config.server.update) mode\(recompute ? ", recomputed activations" : "")"
              + (config.server.batchClients > 1 ? ", batched passes of up to \(config.server.batchClients) clients" : "")
              + "\(federation.server.spillDirectory == nil ? "" : ", spilled updates")), threads \(threads), 1 warm-up round, \(rounds) timed, "
              + ComputePaths.summary)
        print("round   total s   steps   ms/client step   server ms/step   samples/s   aggregation ms   aggregation %   peak MiB")
        var results: [[String: Double]] = []
        for round in 1...(rounds + 1) {
            timing.reset()
            PeakMemory.reset()
            let started = ContinuousClock.now
            try federation.server.beginRound(round, participants: federation.clients.map(\.id),
                                             replicaLearningRate: config.server.optimization.baseLearningRate,
                                             serverLearningRate: config.serverLearningRate(round: round))
            let stats = try LocalRound.trainAndEnd(count: federation.clients.count, groupSize: config.server.batchClients, service: timing) { i in
                var generator = streams.training(round: round, client: i)
                return federation.clients[i].startRound(round, epochs: config.training.localEpochs, batchSize: config.training.batchSize,
                                                        learningRate: config.client.baseLearningRate, generator: &generator)
            }
            let steps = stats.reduce(0) { $0 + $1.steps }, samples = stats.reduce(0) { $0 + $1.samples }
            let total = seconds(since: started)
            guard round > 1 else { continue }
            let stepMs = (total - timing.endRoundSeconds) / Double(steps) * 1000
            let serverMs = timing.stepSeconds / Double(steps) * 1000
            let aggregationMs = timing.endRoundSeconds * 1000
            let throughput = Double(samples) / (total - timing.endRoundSeconds)
            let peak = PeakMemory.peak
            print(String(format: "%5d   %7.2f   %5d   %14.2f   %14.2f   %9.2f   %14.2f   %13.1f   ", round - 1, total, steps, stepMs,
                         serverMs, throughput, aggregationMs, 100 * timing.endRoundSeconds / total)
                  + (peak.map { String(format: "%8.0f", $0 / 1_048_576) } ?? "       -"))
            var result = ["round": Double(round - 1), "seconds": total, "steps": Double(steps), "ms_per_client_step": stepMs,
                          "server_ms_per_step": serverMs, "samples_per_second": throughput, "aggregation_ms": aggregationMs,
                          "aggregation_share": timing.endRoundSeconds / total]
            if let peak { result["peak_resident_bytes"] = peak }
            results.append(result)
        }
        let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
        if let json {
            try data.write(to: URL(fileURLWithPath: json))
        } else {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

/// Forwards to the server and adds up the time spent in its calls: the split steps (forward and
/// backward) and `endRound` (where the last participant's call runs the GP aggregation).
private final class TimedService: BatchedGeneralModelService {
    private let server: GeneralModelServer
    private(set) var stepSeconds = 0.0
    private(set) var endRoundSeconds = 0.0

    init(_ server: GeneralModelServer) { self.server = server }

    func reset() {
        stepSeconds = 0
        endRoundSeconds = 0
    }

    func forward(client: ClientID, round: Int, step: Int, embeddings: Tensor, lengths: [Int]?) throws -> Tensor {
        let started = ContinuousClock.now
        defer { stepSeconds += seconds(since: started) }
        return try server.forward(client: client, round: round, step: step, embeddings: embeddings, lengths: lengths)
    }

    func backward(client: ClientID, round: Int, step: Int, featureGradient: Tensor) throws -> Tensor {
        let started = ContinuousClock.now
        defer { stepSeconds += seconds(since: started) }
        return try server.backward(client: client, round: round, step: step, featureGradient: featureGradient)
    }

    func forward(batch requests: [ForwardRequest]) -> [Result<Tensor, any Error>] {
        let started = ContinuousClock.now
        defer { stepSeconds += seconds(since: started) }
        return server.forward(batch: requests)
    }

    func backward(batch requests: [BackwardRequest]) -> [Result<Tensor, any Error>] {
        let started = ContinuousClock.now
        defer { stepSeconds += seconds(since: started) }
        return server.backward(batch: requests)
    }

    func infer(client: ClientID, embeddings: Tensor, lengths: [Int]?) throws -> Tensor {
        try server.infer(client: client, embeddings: embeddings, lengths: lengths)
    }

    func endRound(client: ClientID, round: Int) throws -> Int {
        let started = ContinuousClock.now
        defer { endRoundSeconds += seconds(since: started) }
        return try server.endRound(client: client, round: round)
    }
}
