import ArgumentParser
import FedBoneTransport
import Foundation

/// `fedbone loadcheck`: many gRPC clients on loopback against one server (a benchmark, not a test).
struct LoadCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadcheck",
        abstract: "Load check: N clients on loopback against one gRPC server; round-trip latency percentiles, bytes per round, time outside the model.",
        discussion: """
            Uses the experiment's general model and image size (--config/--set as in simulate) with random embeddings. \
            With server.batchClients above 1 (gradient mode) it runs the round twice, one pass per client and then batched, \
            and prints the throughput gain. Build in release for meaningful numbers.
            """
    )

    @OptionGroup var options: ExperimentOptions

    @Option(help: "Clients.")
    var clients = 16

    @Option(help: "Forward/Backward pairs per client.")
    var steps = 4

    @Option(help: "Batch size of each Forward.")
    var batch = 8

    func run() async throws {
        guard clients > 0, steps > 0, batch > 0 else { throw ValidationError("--clients, --steps and --batch must be positive") }
        let experiment = try options.experiment()
        guard experiment.server.batchClients > 1 else {
            print(try await LoadCheck.run(experiment: experiment, clients: clients, steps: steps, batch: batch))
            return
        }
        var unbatched = experiment
        unbatched.server.batchClients = 1
        let baseline = try await LoadCheck.run(experiment: unbatched, clients: clients, steps: steps, batch: batch)
        print(baseline)
        let batched = try await LoadCheck.run(experiment: experiment, clients: clients, steps: steps, batch: batch)
        print(batched)
        print(String(format: "batched throughput gain: %.2f× (%.2f against %.2f samples/s)",
                     batched.samplesPerSecond / baseline.samplesPerSecond, batched.samplesPerSecond, baseline.samplesPerSecond))
    }
}
