import Foundation
import Testing
@testable import FedBoneTransport

/// `serve --resume` with nothing to resume (issue #19, item 7).
@Suite struct ResumeWithoutCheckpointTests {
    @Test func resumingWithOnlyAnUnfinishedCheckpointStartsFreshAndSaysSo() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-resume-fresh-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let experiment = try ExperimentConfig.load(yaml: NetworkFederationTests.tinyYAML)
        let expected = try NetworkFederationTests.inProcessGeneralModel(experiment, scratch: scratch)
        let serverDirectory = scratch.appendingPathComponent("server")
        // A server killed while writing round 1's checkpoint leaves only the temporary folder.
        let unfinished = serverDirectory.appendingPathComponent("checkpoints/.round-1.tmp")
        try FileManager.default.createDirectory(at: unfinished, withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: unfinished.appendingPathComponent("general.safetensors"))
        let names = FederationBackendTests.members.map(\.name)
        let deployment = ServerDeploymentConfig(
            experiment: "experiment.yaml", host: "127.0.0.1", port: 0, joinTimeoutSeconds: 30, clients: NetworkFaultTests.registered(names))
        let runner = FederationServerRunner(experiment: experiment, deployment: deployment, tls: nil, runDirectory: serverDirectory, resume: true)
        let lines = LogLines()
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let last = try await withThrowingTaskGroup(of: URL?.self) { group in
            group.addTask {
                defer { sink.finish() }
                return try await runner.run(listening: { sink.yield($0); sink.finish() }, log: { lines.append($0) })
            }
            var port = 0
            for await p in ports { port = p }
            for name in names {
                let transport = TransportClientConfig(host: "127.0.0.1", port: port, token: "token-\(name)")
                group.addTask {
                    _ = try await FederationClientRunner.run(experiment: experiment, client: name, transport: transport)
                    return nil
                }
            }
            var last: URL?
            for try await url in group { if let url { last = url } }
            return last
        }
        #expect(lines.all.contains { $0.contains("no complete checkpoint") && $0.contains("starting fresh") }, "\(lines.all)")
        let folder = try #require(last)
        #expect(folder.lastPathComponent == "round-2")
        NetworkFederationTests.expectClose(try Safetensors.read(contentsOf: folder.appendingPathComponent("general.safetensors")), expected)
    }
}
