import Foundation
import Testing
@testable import FedBoneTransport

/// A networked run leaves the run directory a simulated one does, with every client's metrics
/// as the clients reported them — the same values the simulation logs.
@Suite(.serialized) struct NetworkRunDirectoryTests {
    @Test func serveWritesMetricsTensorBoardSummaryAndReportWithEveryClientsMetrics() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedbone-run-dir-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = scratch.appendingPathComponent("lab-scenes")
        try DeploymentLoopback.writeScenes(to: folder, size: 16, count: 12, seed: 9)
        let server = try ExperimentConfig.load(yaml: OwnDataNetworkTests.serverYAML)
        var described = server
        described.tasks.append(TaskConfig(kind: .normals, clients: 1, name: "lab", data: TaskDataSource(dataset: folder.path)))
        _ = try NetworkFederationTests.inProcessGeneralModel(described, scratch: scratch)
        let simulated = try RunLog(directory: scratch.appendingPathComponent("inprocess")).rounds
        let run = scratch.appendingPathComponent("serve")
        _ = try await DeploymentLoopback.run(
            experiment: server,
            clients: [.init(name: "segmentation-0"), .init(name: "depth-0"), .init(name: "lab-0", data: .folder(folder, task: .normals, classes: nil))],
            runDirectory: run)
        for file in ["config.yaml", "metrics.jsonl", "metrics.csv", "aggregation.jsonl", "summary.md", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(file)")
        }
        #expect(try !TensorBoardReader.eventFiles(in: run).isEmpty)
        let log = try RunLog(directory: run)
        let clients = ["segmentation-0", "depth-0", "lab-0"]
        #expect(log.rounds.count == clients.count * (server.rounds + 1))
        #expect(log.aggregations.map(\.round) == [1, 2])
        for record in log.rounds {
            #expect(clients.contains(record.client))
            #expect(!record.metrics.isEmpty && record.primaryValue.isFinite, "\(record.client) round \(record.round) was evaluated")
            #expect(record.round == 0 ? record.trainLoss.isNaN : record.trainLoss.isFinite, "\(record.client) round \(record.round)")
            let twin = try #require(simulated.first { $0.client == record.client && $0.round == record.round })
            #expect(record.primaryMetric == twin.primaryMetric && record.task == twin.task)
            #expect(abs(record.primaryValue - twin.primaryValue) <= 1e-4 * max(1, abs(twin.primaryValue)),
                    "\(record.client) round \(record.round): \(record.primaryValue) over the network, \(twin.primaryValue) simulated")
            #expect(abs(record.trainLoss - twin.trainLoss) <= 1e-4 * max(1, abs(twin.trainLoss)) || record.round == 0)
        }
        let html = try String(contentsOf: try HTMLReport.write(run: run), encoding: .utf8)
        for client in clients { #expect(html.contains(client), "report.html shows \(client)") }
        let summary = try String(contentsOf: run.appendingPathComponent("summary.md"), encoding: .utf8)
        for client in clients { #expect(summary.contains("| \(client) |"), "summary.md lists \(client)") }
    }
}
