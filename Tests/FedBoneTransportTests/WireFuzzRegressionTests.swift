import GRPCCore
import Testing
@testable import FedBoneClient
@testable import FedBoneTransport

/// The bugs the wire fuzz found (``WireFuzzTests``), each pinned down on its own.
@Suite struct WireFuzzRegressionTests {
    /// An Infer of F16 embeddings within the message limit whose F32 features are not was
    /// answered with a reply above the advertised `max_message_bytes`; now it is refused before
    /// the model runs.
    @Test func anInferWhoseFeaturesWouldExceedTheLimitIsRefusedBeforeTheModelRuns() async throws {
        let backend = FuzzBackend()
        let config = TransportServerConfig(host: "127.0.0.1", port: 0, maxMessageBytes: WireFuzzTests.maxMessageBytes)
        try await withLoopbackServer(config: config, registry: try LoopbackServer.registry(), backend: backend) { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                let info = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: LoopbackServer.embeddingShape)
                var request = Fedbone_V1_InferRequest()
                request.clientID = info.clientID
                request.session = info.session
                request.embeddings = FuzzInputs.hugeHalfBatch
                let metadata = BearerToken.metadata(token: LoopbackServer.tokenA)
                let error = await EchoedValueTests.refusal {
                    _ = try await client.raw.infer(request, metadata: metadata, options: client.callOptions(timeout: .seconds(20)))
                }
                #expect(error?.code == .resourceExhausted, "\(String(describing: error))")
                #expect(error?.message.contains("above the limit of \(WireFuzzTests.maxMessageBytes) bytes") == true)
                #expect(await backend.inferCalls == 0)
                #expect(try await client.infer(embeddings: LoopbackServer.embeddings()).shape == [2] + LoopbackServer.embeddingShape)
            }
        }
    }

    /// A metric name of one character (a letter and half a million combining marks) passed the
    /// 66-character cut whole: a 1 MiB status message. The cut now counts Unicode scalars.
    @Test func aMetricNameOfOneHugeCharacterComesBackCut() {
        let error = MetricsReportError.badName(FuzzInputs.combiningMegabyte, reason: "not letters, digits or _ . / -")
        #expect(error.description.utf8.count < 300, "\(error.description.utf8.count) bytes")
    }
}
