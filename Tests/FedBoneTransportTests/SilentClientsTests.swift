import Foundation
import Testing
@testable import FedBoneClient
@testable import FedBoneTransport

/// A server whose clients have all gone silent (crashed without leaving) stops instead of
/// abandoning rounds forever (issue #19).
@Suite struct SilentClientsTests {
    @Test func aServerWhoseClientsAllDiedStopsOnceNoneHasCalledForTheJoinTimeout() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-silent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let experiment = try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML, overrides: ["rounds=200"])
        let names = ["segmentation-0", "depth-0", "normals-0"]
        let shape = try CancelledForwardTests.shape()
        // The join timeout is both how long the three joins may take (slow on a loaded CI
        // machine in debug) and how long the server waits in silence before it stops.
        let deployment = ServerDeploymentConfig(experiment: "experiment.yaml", host: "127.0.0.1", port: 0, roundTimeoutSeconds: 0.5,
                                                joinTimeoutSeconds: 30, clients: NetworkFaultTests.registered(names))
        let runner = FederationServerRunner(experiment: experiment, deployment: deployment, tls: nil,
                                            runDirectory: scratch.appendingPathComponent("server"), resume: false)
        let lines = LogLines()
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let server = Task { try await runner.run(listening: { sink.yield($0); sink.finish() }, log: lines.append) }
        var port = 0
        for await p in ports { port = p }
        for name in names {
            try await FedBoneTransportClient.withClient(config: FederationLoopback.clientConfig(port: port, name: name)) { client in
                let task = String(name.prefix { $0 != "-" })
                _ = try await client.join(name: name, task: task, embeddingShape: shape,
                                          classes: task == "segmentation" ? SyntheticShapes.segmentationClasses : 0, trainSamples: 8)
            }
        }
        // The clients are gone without a word. The server must stop by itself, long before 200 rounds of 0.5 s.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(150))
            server.cancel()
        }
        defer { watchdog.cancel() }
        let last = try await server.value
        // Abandoned rounds leave θ as it was and are checkpointed like the others: the server
        // stops with the checkpoint of the round it stopped after, and says so.
        let stop = try #require(lines.all.first { $0.hasPrefix("no client has called for") }, "\(lines.all)")
        let folder = try #require(last)
        #expect(stop.contains("latest checkpoint: \(folder.lastPathComponent)"), "\(stop)")
        #expect(lines.all.filter { $0.contains("abandoned") }.count < 100, "\(lines.all.count) lines")
    }
}
