import Foundation
import GRPCCore
import Synchronization
import Testing
@testable import FedBoneTransport

/// Log lines collected from several tasks.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var all: [String] { lines.withLock { $0 } }

    /// Waits (polling every 20 ms, at most `limit`) until a line starts with `prefix`.
    func waitFor(prefix: String, limit: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + limit
        while !all.contains(where: { $0.hasPrefix(prefix) }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Faults over real loopback gRPC with the federation's server behind the transport.
@Suite struct NetworkFaultTests {
    /// The experiment's clients registered with ids 1, 2, … and tokens `token-<name>`.
    static func registered(_ names: [String]) -> [RegisteredClient] {
        names.enumerated().map { RegisteredClient(id: UInt32($0 + 1), name: $1, tokenSHA256: ClientRegistry.sha256Hex(of: "token-\($1)")) }
    }

    @Test func aClientThatStallsMidRoundIsDroppedAndRejoinsTheNextRound() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-fault-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let experiment = try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML)
        let names = ["segmentation-0", "depth-0", "normals-0"]
        let tokens = names.map { "token-\($0)" }
        let deployment = ServerDeploymentConfig(
            experiment: "experiment.yaml", host: "127.0.0.1", port: 0, minClients: 2, roundTimeoutSeconds: 10, joinTimeoutSeconds: 30,
            clients: Self.registered(names))
        let runner = FederationServerRunner(experiment: experiment, deployment: deployment, tls: nil, runDirectory: scratch, resume: false)
        let lines = LogLines()
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let embeddingShape = try FederationBackendTests.embeddingShape(experiment)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { sink.finish() }
                try await runner.run(listening: { sink.yield($0); sink.finish() }, log: { lines.append($0) })
            }
            var port = 0
            for await p in ports { port = p }
            for i in 0..<2 {
                let transport = TransportClientConfig(host: "127.0.0.1", port: port, token: tokens[i])
                group.addTask { _ = try await FederationClientRunner.run(experiment: experiment, client: names[i], transport: transport) }
            }
            let stalled = TransportClientConfig(host: "127.0.0.1", port: port, token: tokens[2], callTimeout: .seconds(20),
                                                retry: RetrySettings(maxAttempts: 1))
            group.addTask {
                try await FedBoneTransportClient.withClient(config: stalled) { client in
                    let info = try await client.join(name: "normals-0", task: "normals", embeddingShape: embeddingShape)
                    #expect(info.round == 1)
                    let embeddings = Tensor(uncheckedShape: [2] + embeddingShape, scalars: [Float](repeating: 0.1, count: 2 * embeddingShape.reduce(1, *)))
                    _ = try await client.forward(round: 1, step: 0, embeddings: embeddings)
                    try await lines.waitFor(prefix: "round 1/2 ")
                    await #expect(throws: RPCError.self) { try await client.endRound(round: 1) }
                    let again = try await client.join(name: "normals-0", task: "normals", embeddingShape: embeddingShape)
                    #expect(again.round == 2)
                    let features = try await client.forward(round: 2, step: 0, embeddings: embeddings)
                    let gradient = Tensor(uncheckedShape: features.shape, scalars: [Float](repeating: 0.01, count: features.count))
                    _ = try await client.backward(round: 2, step: 0, featureGradient: gradient)
                    let end = try await client.endRound(round: 2)
                    #expect(end == RoundBarrierResult(nextRound: 3, finished: true))
                    try await client.leave()
                }
            }
            try await group.waitForAll()
        }
        let log = lines.all
        #expect(log.contains { $0.hasPrefix("round 1/2 aggregated over segmentation-0, depth-0 in") }, "\(log)")
        #expect(log.contains { $0.hasPrefix("round 2/2 aggregated over segmentation-0, depth-0, normals-0 in") }, "\(log)")
        #expect(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("checkpoints/round-2/general.safetensors").path))
    }

    @Test func aClientRestartedBetweenRoundsFromItsCheckpointsEndsLikeAnUninterruptedRun() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-client-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let experiment = try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML)
        let expected = try NetworkFederationTests.inProcessGeneralModel(experiment, scratch: scratch)
        let names = ["segmentation-0", "depth-0", "normals-0"]
        let tokens = names.map { "token-\($0)" }
        let deployment = ServerDeploymentConfig(
            experiment: "experiment.yaml", host: "127.0.0.1", port: 0, joinTimeoutSeconds: 30,
            clients: Self.registered(names))
        let runner = FederationServerRunner(experiment: experiment, deployment: deployment, tls: nil,
                                            runDirectory: scratch.appendingPathComponent("server"), resume: false)
        let clientCheckpoints = scratch.appendingPathComponent("client-depth-0")
        let lines = LogLines()
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let last = try await withThrowingTaskGroup(of: URL?.self) { group in
            group.addTask {
                defer { sink.finish() }
                return try await runner.run(listening: { sink.yield($0); sink.finish() })
            }
            var port = 0
            for await p in ports { port = p }
            for i in names.indices {
                let transport = TransportClientConfig(host: "127.0.0.1", port: port, token: tokens[i])
                group.addTask {
                    guard names[i] == "depth-0" else {
                        _ = try await FederationClientRunner.run(experiment: experiment, client: names[i], transport: transport)
                        return nil
                    }
                    // The client process stops after round 1 and a new one takes over from its checkpoints.
                    let first = try await FederationClientRunner.run(experiment: experiment, client: names[i], transport: transport,
                                                                     checkpoints: clientCheckpoints, stopAfter: 1)
                    #expect(first.evaluation == nil && first.rounds.count == 1)
                    let second = try await FederationClientRunner.run(experiment: experiment, client: names[i], transport: transport,
                                                                      checkpoints: clientCheckpoints, log: { lines.append($0) })
                    #expect(second.rounds.count == 1 && second.evaluation != nil)
                    return nil
                }
            }
            var last: URL?
            for try await url in group { if let url { last = url } }
            return last
        }
        #expect(lines.all.contains("depth-0: restored its model and optimizer from round 1"), "\(lines.all)")
        #expect(FileManager.default.fileExists(atPath: clientCheckpoints.appendingPathComponent("round-2/client-depth-0.safetensors").path))
        let folder = try #require(last)
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: folder.appendingPathComponent("general.safetensors")), expected)
    }

    @Test func aClientRefusesAnotherExperimentsCheckpoints() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-client-foreign-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let experiment = try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML)
        // A checkpoint of another seed, of a round before the server's first.
        try CheckpointStore(directory: scratch).write(
            round: 0, state: CheckpointState(round: 0, seed: experiment.seed + 1, rootGenerator: [], method: "fedbone"), keep: 0) { _ in }
        let names = ["segmentation-0", "depth-0", "normals-0"]
        let deployment = ServerDeploymentConfig(
            experiment: "experiment.yaml", host: "127.0.0.1", port: 0, joinTimeoutSeconds: 30,
            clients: Self.registered(names))
        let runner = FederationServerRunner(experiment: experiment, deployment: deployment, tls: nil,
                                            runDirectory: scratch.appendingPathComponent("server"), resume: false)
        let (ports, sink) = AsyncStream<Int>.makeStream()
        await #expect(throws: FederationClientError.self) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { sink.finish() }
                    _ = try await runner.run(listening: { sink.yield($0); sink.finish() })
                }
                var port = 0
                for await p in ports { port = p }
                let transport = TransportClientConfig(host: "127.0.0.1", port: port, token: "token-depth-0")
                group.addTask {
                    _ = try await FederationClientRunner.run(experiment: experiment, client: "depth-0", transport: transport, checkpoints: scratch)
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    @Test func aServerStoppedBetweenRoundsAndResumedFinishesLikeAnUninterruptedRun() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let experiment = try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML)
        let expected = try NetworkFederationTests.inProcessGeneralModel(experiment, scratch: scratch)
        let names = ["segmentation-0", "depth-0", "normals-0"]
        let tokens = names.map { "token-\($0)" }
        let port = Int.random(in: 20000...40000)
        let deployment = ServerDeploymentConfig(
            experiment: "experiment.yaml", host: "127.0.0.1", port: port, joinTimeoutSeconds: 30,
            clients: Self.registered(names))
        let serverDirectory = scratch.appendingPathComponent("server")
        let first = FederationServerRunner(experiment: experiment, deployment: deployment, tls: nil, runDirectory: serverDirectory,
                                           resume: false, stopAfter: 1)
        let second = FederationServerRunner(experiment: experiment, deployment: deployment, tls: nil, runDirectory: serverDirectory, resume: true)
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let last = try await withThrowingTaskGroup(of: URL?.self) { group in
            group.addTask {
                defer { sink.finish() }
                let stopped = try await first.run(listening: { sink.yield($0); sink.finish() })
                #expect(stopped?.lastPathComponent == "round-1")
                return try await second.run()
            }
            for await _ in ports {}
            for i in names.indices {
                let transport = TransportClientConfig(host: "127.0.0.1", port: port, token: tokens[i],
                                                      retry: RetrySettings(maxAttempts: 20, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1)))
                group.addTask {
                    _ = try await FederationClientRunner.run(experiment: experiment, client: names[i], transport: transport)
                    return nil
                }
            }
            var last: URL?
            for try await url in group { if let url { last = url } }
            return last
        }
        let folder = try #require(last)
        #expect(folder.lastPathComponent == "round-2")
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: folder.appendingPathComponent("general.safetensors")), expected)
    }
}
