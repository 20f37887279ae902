import Foundation
@testable import FedBoneTransport

/// A `fedbone serve` deployment on plaintext loopback for one test: ``FederationServerRunner``
/// with a server config that lists `clients` (ids 1, 2, …; tokens `token-<name>`), and each
/// client a ``FederationClientRunner`` task with its own data source.
enum DeploymentLoopback {
    /// One client: its name in the server config and where its data comes from.
    struct Client: Sendable {
        var name: String
        var data: ClientDataSource = .experiment
        /// Stop after this round and start again from `checkpoints` (a restarted client process).
        var restartAfter: Int?
        var checkpoints: URL?
        /// Run the client as a `fedbone join` child process of this executable instead of a task.
        var executable: URL?
    }

    /// `fedbone join` arguments for `client` (its `--data` source spelled as on the command line).
    static func joinArguments(_ client: Client, port: Int, experimentFile: URL) -> [String] {
        var arguments = ["join", "--server", "127.0.0.1:\(port)", "--config", experimentFile.path, "--client", client.name, "--insecure"]
        if case let .folder(folder, task, classes) = client.data {
            arguments += ["--data", folder.path, "--task", task.rawValue] + (classes.map { ["--classes", "\($0)"] } ?? [])
        }
        return arguments
    }

    /// What the run left: the server's last checkpoint, its log lines and the in-process clients'
    /// summaries (in `clients` order).
    struct Outcome: Sendable {
        var last: URL?
        var log: [String]
        var summaries: [ClientRunSummary]
    }

    static func run(experiment: ExperimentConfig, clients: [Client], runDirectory: URL, minClients: Int? = nil) async throws -> Outcome {
        let registered = NetworkFaultTests.registered(clients.map(\.name))
        let deployment = ServerDeploymentConfig(experiment: "experiment.yaml", host: "127.0.0.1", port: 0, minClients: minClients,
                                                roundTimeoutSeconds: 120, joinTimeoutSeconds: 60, clients: registered)
        let runner = FederationServerRunner(experiment: experiment, deployment: deployment, tls: nil, runDirectory: runDirectory, resume: false)
        let lines = LogLines()
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let server = Task {
            defer { portSink.finish() }
            return try await runner.run(listening: { portSink.yield($0); portSink.finish() }, log: lines.append)
        }
        var bound = 0
        for await p in ports { bound = p }
        let port = bound
        guard port > 0 else { return Outcome(last: try await server.value, log: lines.all, summaries: []) }
        let experimentFile = runDirectory.appendingPathComponent("experiment.yaml")
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        try experiment.yaml().write(to: experimentFile, atomically: true, encoding: .utf8)
        let tasks = clients.map { client in
            Task {
                if let executable = client.executable {
                    let child = try ChildProcess(executable: executable, arguments: joinArguments(client, port: port, experimentFile: experimentFile),
                                                 environment: ["FEDBONE_TOKEN": "token-\(client.name)"])
                    let status = await child.exitStatus()
                    guard status == 0 else { throw LoopbackFederation.Failure.clientFailed(client.name, status: status) }
                    return nil as ClientRunSummary?
                }
                let transport = FederationLoopback.clientConfig(port: port, name: client.name)
                if let restartAfter = client.restartAfter {
                    _ = try await FederationClientRunner.run(experiment: experiment, client: client.name, data: client.data, transport: transport,
                                                             checkpoints: client.checkpoints, stopAfter: restartAfter, statusInterval: .milliseconds(50))
                }
                return try await FederationClientRunner.run(experiment: experiment, client: client.name, data: client.data, transport: transport,
                                                            checkpoints: client.checkpoints, statusInterval: .milliseconds(50), log: lines.append)
            }
        }
        var summaries: [ClientRunSummary] = []
        for task in tasks { if let summary = try await task.value { summaries.append(summary) } }
        let last = try await server.value
        return Outcome(last: last, log: lines.all, summaries: summaries)
    }

    /// A dataset folder of `count` procedural scenes of side `size` (every task's ground truth).
    static func writeScenes(to folder: URL, size: Int, count: Int, seed: UInt64) throws {
        let generator = SceneGenerator(height: size, width: size)
        var writer = try DatasetWriter(directory: folder, info: generator.info)
        try writer.append(generator.samples(0..<count, seed: seed))
        _ = try writer.finish()
    }
}
