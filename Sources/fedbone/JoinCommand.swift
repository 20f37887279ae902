import ArgumentParser
import FedBoneTransport
import Foundation

/// `fedbone join`: one edge client of an experiment, training against a `fedbone serve` server.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join a `fedbone serve` server as one client of an experiment and train its rounds.",
        discussion: """
        --config is the same experiment config the server runs: the shared recipe (model,
        training, optimizer, rounds, seed). --client is this client's name in the server config.
        Without --data the client is one the experiment describes (<task>-<i>, e.g. depth-0) and
        builds its split from the experiment with the same seed, keeping only its own. With
        --data DIR --task KIND (and --classes N for label tasks, default: the folder's) it trains
        on a dataset folder of its own (FedBone format, docs/data.md), split into train and test
        by the experiment's data.trainFraction; the server never sees it, and the experiment
        need not describe the client.
        The token comes from --token or the FEDBONE_TOKEN environment variable. After the last
        round the client evaluates on its test split with the final general model and leaves.
        With --checkpoints DIR the client keeps its own model and optimizer state there after
        every round, and when started again restores the newest checkpoint before the round the
        server is at. TLS is used unless --insecure (loopback trials only). See
        docs/deployment.md.
        """
    )

    @Option(help: "The server, host:port ([::1]:port for IPv6).")
    var server: String

    @Option(help: "The experiment config (YAML) the server runs.")
    var config: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one experiment key (repeatable; must match the server's).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: "This client's name in the server config (an experiment client's is <task>-<i>, e.g. depth-0).")
    var client: String

    @Option(help: ArgumentHelp("Train on this dataset folder of the client's own (FedBone format) instead of the experiment's data.", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("The task of the --data folder's ground truth the client trains: \(TaskKind.allCases.map(\.rawValue).joined(separator: ", ")).",
                               valueName: "kind"))
    var task: String?

    @Option(help: "Classes of a label task with --data (default: the folder's).")
    var classes: Int?

    @Option(help: "The client's token (default: the FEDBONE_TOKEN environment variable).")
    var token: String?

    @Option(help: "The CA that signed the server certificate (PEM; default: the system's roots).")
    var ca: String?

    @Option(help: "The client's certificate (PEM), for mutual TLS.")
    var cert: String?

    @Option(help: "The client certificate's private key (PEM), for mutual TLS.")
    var key: String?

    @Option(help: "The name the server certificate must carry (default: the host).")
    var serverName: String?

    @Flag(help: "Connect without TLS (loopback trials only).")
    var insecure = false

    @Option(help: "Attempts per call while the server is unavailable (backoff 0.2 s doubling to 5 s: 12 attempts wait about 45 s).")
    var attempts = 12

    @Option(help: ArgumentHelp("Keep this client's checkpoints here and restore from them on a restart.", valueName: "dir"))
    var checkpoints: String?

    @Option(help: "Stop after this round without evaluating or leaving (the server keeps the client registered).")
    var stopAfter: Int?

    func run() async throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["FEDBONE_TOKEN"], !token.isEmpty else {
            throw ValidationError("give --token or set FEDBONE_TOKEN")
        }
        let (host, port) = try Self.parse(server: server)
        let experiment = try ExperimentConfig.load(yaml: try String(contentsOfFile: config, encoding: .utf8), overrides: overrides)
        guard (cert == nil) == (key == nil) else { throw ValidationError("give both --cert and --key for mutual TLS") }
        let tls: ClientTLSSettings? = insecure ? nil
            : ClientTLSSettings(serverCA: ca.map { .file($0) }, certificateChain: cert.map { .file($0) },
                                privateKey: key.map { .file($0) }, serverHostname: serverName)
        guard attempts >= 1 else { throw ValidationError("--attempts must be at least 1") }
        let transport = TransportClientConfig(host: host, port: port, token: token, tls: tls, retry: RetrySettings(maxAttempts: attempts))
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1") }
        let summary = try await FederationClientRunner.run(experiment: experiment, client: client, data: try dataSource(), transport: transport,
                                                           checkpoints: checkpoints.map { URL(fileURLWithPath: $0) },
                                                           stopAfter: stopAfter, log: logLine)
        if let evaluation = summary.evaluation {
            print("\(summary.client) \(evaluation.primary.name) " + String(format: "%.6f", evaluation.primary.value))
        } else {
            print("\(summary.client) stopped after round \(stopAfter ?? 0)")
        }
    }

    /// The experiment's data, or the `--data` folder with its `--task` and `--classes`.
    func dataSource() throws -> ClientDataSource {
        guard let data else {
            guard task == nil, classes == nil else { throw ValidationError("--task and --classes describe a --data folder; give --data DIR too") }
            return .experiment
        }
        guard let task else { throw ValidationError("--data needs --task KIND: the task of the folder's ground truth to train") }
        guard let kind = TaskKind(rawValue: task) else {
            throw ValidationError("--task \(task) is not a task; use one of \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let classes {
            guard kind.hasClasses else { throw ValidationError("--classes is for segmentation, parts and classification, not \(task)") }
            guard classes >= 1 else { throw ValidationError("--classes must be at least 1") }
        }
        return .folder(URL(fileURLWithPath: data), task: kind, classes: classes)
    }

    /// `host:port` or `[ipv6]:port`.
    static func parse(server: String) throws -> (String, Int) {
        let host: Substring, portText: Substring
        if server.hasPrefix("["), let close = server.firstIndex(of: "]") {
            host = server[server.index(after: server.startIndex)..<close]
            portText = server[server.index(after: close)...].dropFirst()
        } else if let colon = server.lastIndex(of: ":") {
            host = server[..<colon]
            portText = server[server.index(after: colon)...]
        } else {
            throw ValidationError("--server must be host:port")
        }
        guard let port = Int(portText), (1...65535).contains(port), !host.isEmpty else { throw ValidationError("--server must be host:port") }
        return (String(host), port)
    }
}
