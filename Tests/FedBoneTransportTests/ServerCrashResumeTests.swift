import Foundation
import Testing
@testable import FedBoneTransport

/// A `fedbone serve` process killed (SIGKILL) in the middle of a round and restarted with
/// `--resume` (issue #19): the clients train the lost round again from its start, and the run
/// ends where an uninterrupted one ends.
@Suite(.serialized) struct ServerCrashResumeTests {
    @Test(.enabled(if: NetworkFederationTests.fedboneExecutable != nil, "needs the fedbone executable in .build/debug"))
    func aServerKilledMidRoundAndResumedFinishesLikeAnUninterruptedRun() async throws {
        let executable = try #require(NetworkFederationTests.fedboneExecutable)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let experiment = try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML, overrides: ["rounds=3", "data.samplesPerClient=80"])
        let expected = try NetworkFederationTests.inProcessGeneralModel(experiment, scratch: scratch)
        let names = ["segmentation-0", "depth-0", "normals-0"]
        let port = Int.random(in: 20000...40000)
        try experiment.yaml().write(to: scratch.appendingPathComponent("experiment.yaml"), atomically: true, encoding: .utf8)
        let deployment = ServerDeploymentConfig(experiment: "experiment.yaml", host: "127.0.0.1", port: port, joinTimeoutSeconds: 300,
                                                clients: NetworkFaultTests.registered(names))
        let serverYAML = scratch.appendingPathComponent("server.yaml")
        try deployment.yaml().write(to: serverYAML, atomically: true, encoding: .utf8)
        let serverDirectory = scratch.appendingPathComponent("server")
        let serve = ["serve", "--config", serverYAML.path, "--run-directory", serverDirectory.path, "--insecure"]
        let first = try ChildProcess(executable: executable, arguments: serve, environment: [:])
        let lines = LogLines()
        let clients = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in names {
                    let transport = TransportClientConfig(host: "127.0.0.1", port: port, token: "token-\(name)",
                                                          retry: RetrySettings(maxAttempts: 300, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1)))
                    group.addTask { _ = try await FederationClientRunner.run(experiment: experiment, client: name, transport: transport, log: lines.append) }
                }
                try await group.waitForAll()
            }
        }
        // The server logs round 1 (with the clients' reports) just before it opens round 2, which
        // takes 16 steps per client: the kill lands inside it. The clients retry for up to five
        // minutes, and the servers wait as long for their joins: on a loaded machine a debug
        // `fedbone serve` can take tens of seconds to start listening, and the in-process
        // clients more than a minute to get a thread of the test process's busy pool.
        let checkpoints = serverDirectory.appendingPathComponent("checkpoints")
        let log = serverDirectory.appendingPathComponent("metrics.jsonl")
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline,
              ((try? String(contentsOf: log, encoding: .utf8)) ?? "").components(separatedBy: "\"round\":1,").count <= names.count {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(150))
        first.kill()
        _ = await first.exitStatus()
        #expect(!FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("round-2").path), "the server was not killed mid-round")
        let second = try ChildProcess(executable: executable, arguments: serve + ["--resume"], environment: [:])
        try await clients.value
        #expect(await second.exitStatus() == 0)
        NetworkFederationTests.expectClose(
            try Safetensors.read(contentsOf: checkpoints.appendingPathComponent("round-3/general.safetensors")), expected)
    }
}
