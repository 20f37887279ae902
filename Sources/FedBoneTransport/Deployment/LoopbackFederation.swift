import Foundation

/// A whole FedBone deployment on loopback (`fedbone simulate --transport grpc`): the server in
/// this process on 127.0.0.1 and an ephemeral port, with mutual TLS from a fresh test CA and a
/// fresh token per client, and one client per experiment client — separate `fedbone join`
/// processes, or tasks of this process over the same real gRPC connections.
public enum LoopbackFederation {
    /// How the clients run.
    public enum Clients: Sendable {
        /// `executable join …` child processes (the `fedbone` executable).
        case processes(executable: URL)
        /// ``FederationClientRunner`` tasks in this process.
        case inProcess
    }

    /// Why the loopback run failed.
    public enum Failure: Error, CustomStringConvertible {
        /// A client process exited with a non-zero status.
        case clientFailed(String, status: Int32)

        public var description: String {
            switch self {
            case let .clientFailed(name, status): return "client \(name) exited with status \(status)"
            }
        }
    }

    /// Runs the experiment; returns the server's last checkpoint folder
    /// (`runDirectory/checkpoints/round-N`). `runDirectory` receives `experiment.yaml`,
    /// `server.yaml`, `certs/` and `checkpoints/`. `clientPort` maps the server's port to the
    /// one the clients dial (default: the same; a fault-injecting proxy in between otherwise).
    @discardableResult
    public static func run(experiment: ExperimentConfig, runDirectory: URL, clients: Clients,
                           clientPort: @Sendable (Int) throws -> Int = { $0 },
                           log: @escaping @Sendable (String) -> Void = { _ in }) async throws -> URL? {
        let manager = FileManager.default
        try manager.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        let experimentFile = runDirectory.appendingPathComponent("experiment.yaml")
        try experiment.yaml().write(to: experimentFile, atomically: true, encoding: .utf8)
        let certificates = try TestCertificates.generate(validityDays: 1)
        let certs = runDirectory.appendingPathComponent("certs")
        _ = try certificates.write(to: certs)
        let names = experiment.tasks.flatMap(\.clientNames)
        let tokens = names.map { _ in ClientRegistry.newToken() }
        let registered = names.enumerated().map { i, name in
            RegisteredClient(id: UInt32(i + 1), name: name, tokenSHA256: ClientRegistry.sha256Hex(of: tokens[i]))
        }
        let deployment = ServerDeploymentConfig(experiment: "experiment.yaml", host: "127.0.0.1", port: 0,
                                                roundTimeoutSeconds: 600, joinTimeoutSeconds: 120, clients: registered)
        try deployment.yaml().write(to: runDirectory.appendingPathComponent("server.yaml"), atomically: true, encoding: .utf8)
        let pem = { (file: String) in certs.appendingPathComponent(file).path }
        let tls = ServerTLSSettings(certificateChain: .file(pem("server.pem")), privateKey: .file(pem("server-key.pem")),
                                    clientCA: .file(pem("ca.pem")))
        let clientTLS = ClientTLSSettings(serverCA: .file(pem("ca.pem")), certificateChain: .file(pem("client.pem")),
                                          privateKey: .file(pem("client-key.pem")))
        let runner = FederationServerRunner(experiment: experiment, deployment: deployment, tls: tls, runDirectory: runDirectory, resume: false)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        return try await withThrowingTaskGroup(of: URL?.self) { group in
            group.addTask {
                defer { portSink.finish() }
                return try await runner.run(listening: { portSink.yield($0); portSink.finish() }, log: log)
            }
            var serverPort = 0
            for await p in ports { serverPort = p }
            guard serverPort > 0 else {
                for try await _ in group {}
                return nil
            }
            let port = try clientPort(serverPort)
            for (i, name) in names.enumerated() {
                let token = tokens[i]
                switch clients {
                case .inProcess:
                    let transport = TransportClientConfig(host: "127.0.0.1", port: port, token: token, tls: clientTLS)
                    group.addTask {
                        _ = try await FederationClientRunner.run(experiment: experiment, client: name, transport: transport, log: log)
                        return nil
                    }
                case .processes(let executable):
                    let arguments = ["join", "--server", "127.0.0.1:\(port)", "--config", experimentFile.path, "--client", name,
                                     "--ca", pem("ca.pem"), "--cert", pem("client.pem"), "--key", pem("client-key.pem")]
                    let child = try ChildProcess(executable: executable, arguments: arguments, environment: ["FEDBONE_TOKEN": token])
                    group.addTask {
                        let status = await child.exitStatus()
                        guard status == 0 else { throw Failure.clientFailed(name, status: status) }
                        return nil
                    }
                }
            }
            var last: URL?
            for try await result in group { if let result { last = result } }
            return last
        }
    }
}

/// A child process whose exit can be awaited. (`Process` is thread-safe but not marked
/// `Sendable`; the exit state is guarded by a lock.)
final class ChildProcess: @unchecked Sendable {
    private let process: Process
    private let lock = NSLock()
    private var code: Int32?
    private var waiter: CheckedContinuation<Int32, Never>?

    init(executable: URL, arguments: [String], environment: [String: String]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        self.process = process
        process.terminationHandler = { [weak self] finished in self?.exited(finished.terminationStatus) }
        try process.run()
    }

    private func exited(_ status: Int32) {
        lock.lock()
        code = status
        let waiting = waiter
        waiter = nil
        lock.unlock()
        waiting?.resume(returning: status)
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    func kill() {
        _ = Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// The exit status, once the process has exited.
    func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            lock.lock()
            let done = code
            if done == nil { waiter = continuation }
            lock.unlock()
            if let done { continuation.resume(returning: done) }
        }
    }
}
