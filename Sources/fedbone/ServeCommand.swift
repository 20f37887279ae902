import ArgumentParser
import FedBoneTransport
import Foundation

/// `fedbone serve`: the general-model server of an experiment over gRPC.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the general model of an experiment over gRPC to `fedbone join` clients.",
        discussion: """
        --config names a server config (YAML) that points at the experiment config and lists the
        clients it accepts with the SHA-256 hashes of their tokens:

          experiment: experiment.yaml     # relative to server.yaml
          host: 127.0.0.1
          port: 50051
          minClients: 2                   # fewest clients for which a round still counts (default: all)
          roundTimeoutSeconds: 600        # participants not done by then are dropped from the round
          joinTimeoutSeconds: 600
          maxMessageMB: 256
          clients:
            - {id: 1, name: segmentation-0, tokenSHA256: <sha256 hex of the token>}

        The clients are the federation: a name the experiment gives a client (<task>-<i>) is that
        client, any other is a client with its own data (`fedbone join --data`), which states its
        task and data size at Join. The server builds the general model from the experiment (same
        seed streams as `fedbone simulate`), waits for the clients, runs the rounds (only the
        clients training.clientsPerRound samples, as `simulate` samples them) and writes
        <run-directory>/checkpoints/round-N/ after every round, and, from the metrics the clients
        report, the run directory `simulate` writes: config.yaml, metrics.jsonl, metrics.csv,
        aggregation.jsonl, TensorBoard events, summary.md and report.html. TLS is required
        unless --insecure (loopback trials only). See docs/deployment.md.
        """
    )

    @Option(help: "The server config (YAML).")
    var config: String

    @Option(help: "Run directory for checkpoints, the run log and the report (default: runs/<experiment name>-server).")
    var runDirectory: String?

    @Flag(help: "Continue from the run directory's latest complete checkpoint (with none, start fresh and say so).")
    var resume = false

    @Option(help: "Stop after this round's checkpoint (continue later with --resume; the clients wait and reconnect).")
    var stopAfter: Int?

    @Option(help: "The server's certificate chain (PEM).")
    var tlsCert: String?

    @Option(help: "The server certificate's private key (PEM).")
    var tlsKey: String?

    @Option(help: "Require client certificates signed by this CA (mutual TLS).")
    var clientCA: String?

    @Flag(help: "Serve without TLS (loopback trials only).")
    var insecure = false

    func run() async throws {
        let configURL = URL(fileURLWithPath: config)
        let deployment = try ServerDeploymentConfig.load(yaml: try String(contentsOf: configURL, encoding: .utf8))
        let experimentURL = deployment.experimentURL(relativeTo: configURL)
        let experiment = try ExperimentConfig.load(yaml: try String(contentsOf: experimentURL, encoding: .utf8))
        let tls: ServerTLSSettings?
        switch (tlsCert, tlsKey, insecure) {
        case let (cert?, key?, false): tls = ServerTLSSettings(certificateChain: .file(cert), privateKey: .file(key), clientCA: clientCA.map { .file($0) })
        case (nil, nil, true): tls = nil
        default: throw ValidationError("give --tls-cert and --tls-key, or --insecure for plaintext on loopback")
        }
        let directory = URL(fileURLWithPath: runDirectory ?? "runs/\(experiment.name)-server")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let runner = FederationServerRunner(experiment: experiment, deployment: deployment, tls: tls, runDirectory: directory, resume: resume,
                                            stopAfter: stopAfter)
        let last = try await runner.run(log: logLine)
        print(last?.path ?? directory.path)
    }
}

/// One line on standard error.
@Sendable func logLine(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
