import Foundation
import GRPCCore
import Testing
@testable import FedBoneClient
@testable import FedBoneTransport

/// `ReportMetrics` takes numbers only, from the authenticated client, and refuses the rest
/// before the backend sees it.
@Suite struct ReportMetricsTests {
    static func request(round: UInt64 = 0, loss: Double = 0.5, metrics: [(String, Double)] = [("mIoU", 0.4)]) -> Fedbone_V1_ReportMetricsRequest {
        var request = Fedbone_V1_ReportMetricsRequest()
        request.round = round
        var evaluation = Fedbone_V1_EvaluationReport()
        evaluation.loss = loss
        evaluation.samples = 2
        evaluation.metrics = metrics.map { name, value in
            var metric = Fedbone_V1_Metric()
            metric.name = name
            metric.value = value
            return metric
        }
        request.evaluation = evaluation
        return request
    }

    @Test func nonFiniteValuesBadNamesAndTooManyMetricsAreRefused() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                let info = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: LoopbackServer.embeddingShape)
                let metadata = BearerToken.metadata(token: LoopbackServer.tokenA)
                let options = client.callOptions(timeout: .seconds(10))
                var training = Fedbone_V1_TrainingReport()
                training.loss = .infinity
                var infiniteTraining = Self.request(round: 1)
                infiniteTraining.training = training
                var negativeSeconds = Self.request(round: 1)
                training.loss = 1
                training.seconds = -1
                negativeSeconds.training = training
                let refused = [
                    Self.request(loss: .nan),
                    Self.request(metrics: [("mIoU", .infinity)]),
                    Self.request(metrics: [(String(repeating: "m", count: 65), 1)]),
                    Self.request(metrics: [("", 1)]),
                    Self.request(metrics: [("m IoU", 1)]),
                    Self.request(metrics: [("mIoU", 1), ("mIoU", 2)]),
                    Self.request(metrics: (0...MetricsReport.maxMetrics).map { ("IoU/\($0)", 0.5) }),
                    infiniteTraining,
                    negativeSeconds,
                ]
                for var request in refused {
                    request.clientID = info.clientID
                    request.session = info.session
                    #expect(await failsWith(.invalidArgument) { _ = try await client.raw.reportMetrics(request, metadata: metadata, options: options) })
                }
                var good = Self.request(metrics: [("mIoU", 0.4), ("IoU/0", 0.3), (String(repeating: "m", count: 64), 1)])
                good.clientID = info.clientID
                good.session = info.session
                _ = try await client.raw.reportMetrics(good, metadata: metadata, options: options)
            }
        }
        let reports = await server.backend.reports
        #expect(reports.count == 1, "only the valid report reached the backend")
        #expect(reports.first?.evaluation?.metrics["IoU/0"] == 0.3)
    }

    @Test func unauthenticatedOrForeignReportsAreRefused() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                let info = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: LoopbackServer.embeddingShape)
                var request = Self.request()
                request.clientID = info.clientID
                request.session = info.session
                let options = client.callOptions(timeout: .seconds(10))
                #expect(await failsWith(.unauthenticated) { _ = try await client.raw.reportMetrics(request, options: options) })
                #expect(await failsWith(.unauthenticated) {
                    _ = try await client.raw.reportMetrics(request, metadata: BearerToken.metadata(token: "guess"), options: options)
                })
                #expect(await failsWith(.permissionDenied) {
                    _ = try await client.raw.reportMetrics(request, metadata: BearerToken.metadata(token: LoopbackServer.tokenB), options: options)
                })
                request.session = "stale"
                #expect(await failsWith(.failedPrecondition) {
                    _ = try await client.raw.reportMetrics(request, metadata: BearerToken.metadata(token: LoopbackServer.tokenA), options: options)
                })
            }
        }
        #expect(await server.backend.reports.isEmpty)
    }

    @Test func aRoundThatHasNotClosedCannotBeReported() async throws {
        let backend = try FederationBackendTests.backend(minClients: 1, timeout: .seconds(60))
        try await FederationBackendTests.joinAll(backend)
        await #expect(throws: SplitTrainingBackendError.self) {
            try await backend.reportMetrics(client: 1, report: MetricsReport(round: 1, evaluation: .init(loss: 1, metrics: [:], samples: 1)))
        }
        try await backend.reportMetrics(client: 1, report: MetricsReport(round: 0, evaluation: .init(loss: 1, metrics: ["mIoU": 0.2], samples: 1)))
        let reports = await backend.collectReports(round: 0, expected: [], timeout: .zero)
        #expect(reports[1]?.evaluation?.metrics == ["mIoU": 0.2])
    }
}
