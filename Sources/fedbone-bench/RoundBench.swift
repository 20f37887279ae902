import ArgumentParser
import FedBoneFederation
import Foundation

/// `fedbone-bench round`: whole FedBone rounds of the default experiment (`fedbone simulate`'s
/// built-in config, no evaluation or logging), with the time per split client step and the
/// share of the round spent in the server's end-of-round GP aggregation.
struct RoundBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "round",
        abstract: "Time whole FedBone rounds of the default experiment: time per client step and the aggregation's share."
    )

    @Option(help: "Threads for the engine's parallel loops (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Timed rounds (after one untimed warm-up round).")
    var rounds: Int = 3

    @Option(help: "Write the JSON results to this file instead of stdout.")
    var json: String?

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    func run() throws {
        ComputeThreads.limit(to: threads)
        let config = try ExperimentConfig.load(yaml: "")
        let streams = RandomStreams(seed: config.seed)
        let datasets = try DatasetFactory.makeClientDatasets(data: config.data, tasks: config.tasks, seed: streams.dataSeed)
        let federation = try SplitFederation(config: config, datasets: datasets)
        let timing = TimedService(federation.server)
        print("fedbone-bench round: default experiment (\(federation.clients.count) clients, batch \(config.training.batchSize), "
              + "\(config.data.imageSize)px), threads \(threads), 1 warm-up round, \(rounds) timed, \(ComputePaths.summary)")
        print("round   total s   steps   ms/client step   server ms/step   aggregation ms   aggregation %")
        var results: [[String: Double]] = []
        for round in 1...(rounds + 1) {
            timing.reset()
            let started = ContinuousClock.now
            try federation.server.beginRound(round, participants: federation.clients.map(\.id),
                                             replicaLearningRate: config.server.optimization.baseLearningRate,
                                             serverLearningRate: config.serverLearningRate(round: round))
            var steps = 0
            for (i, client) in federation.clients.enumerated() {
                var generator = streams.training(round: round, client: i)
                let stats = try client.trainRound(round, epochs: config.training.localEpochs, batchSize: config.training.batchSize,
                                                  learningRate: config.client.baseLearningRate, service: timing, generator: &generator)
                steps += stats.steps
            }
            let total = seconds(since: started)
            guard round > 1 else { continue }
            let stepMs = (total - timing.endRoundSeconds) / Double(steps) * 1000
            let serverMs = timing.stepSeconds / Double(steps) * 1000
            let aggregationMs = timing.endRoundSeconds * 1000
            print(String(format: "%5d   %7.2f   %5d   %14.2f   %14.2f   %14.2f   %13.1f", round - 1, total, steps, stepMs,
                         serverMs, aggregationMs, 100 * timing.endRoundSeconds / total))
            results.append(["round": Double(round - 1), "seconds": total, "steps": Double(steps), "ms_per_client_step": stepMs,
                            "server_ms_per_step": serverMs, "aggregation_ms": aggregationMs,
                            "aggregation_share": timing.endRoundSeconds / total])
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
private final class TimedService: GeneralModelService {
    private let server: GeneralModelServer
    private(set) var stepSeconds = 0.0
    private(set) var endRoundSeconds = 0.0

    init(_ server: GeneralModelServer) { self.server = server }

    func reset() {
        stepSeconds = 0
        endRoundSeconds = 0
    }

    func forward(client: ClientID, round: Int, step: Int, embeddings: Tensor) throws -> Tensor {
        let started = ContinuousClock.now
        defer { stepSeconds += seconds(since: started) }
        return try server.forward(client: client, round: round, step: step, embeddings: embeddings)
    }

    func backward(client: ClientID, round: Int, step: Int, featureGradient: Tensor) throws -> Tensor {
        let started = ContinuousClock.now
        defer { stepSeconds += seconds(since: started) }
        return try server.backward(client: client, round: round, step: step, featureGradient: featureGradient)
    }

    func infer(client: ClientID, embeddings: Tensor) throws -> Tensor {
        try server.infer(client: client, embeddings: embeddings)
    }

    func endRound(client: ClientID, round: Int) throws -> Int {
        let started = ContinuousClock.now
        defer { endRoundSeconds += seconds(since: started) }
        return try server.endRound(client: client, round: round)
    }
}
