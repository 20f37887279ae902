import Foundation
import GRPCCore
import Testing
@testable import FedBoneClient
@testable import FedBoneTransport

/// Error messages never echo a client's strings at full length (issue #19, item 6).
@Suite struct EchoedValueTests {
    /// A string of `count` letters.
    static func long(_ count: Int) -> String { String(repeating: "x", count: count) }

    /// The refusal `body` ends with, or `nil` when it succeeds or fails otherwise.
    static func refusal(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            return nil
        }
    }

    @Test func echoedValuesAreCutAtSixtyFourScalarsWithAnEllipsis() {
        #expect(echoed("seg-0") == "seg-0")
        #expect(echoed(Self.long(64)) == Self.long(64))
        #expect(echoed(Self.long(65)) == Self.long(64) + "… (65 bytes)")
        // One character made of a million combining marks is cut too.
        let combined = "e" + String(repeating: "\u{301}", count: 1_000_000)
        #expect(echoed(combined).unicodeScalars.count < 100)
        #expect(echoed([Int](repeating: 7, count: 100_000)).hasSuffix("(300000 bytes)"))
    }

    @Test func aMegabyteClientNameComesBackCutInAPermissionDenied() async throws {
        try await LoopbackServer().run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                let error = await Self.refusal {
                    try await client.join(name: Self.long(1 << 20), task: "segmentation", embeddingShape: LoopbackServer.embeddingShape)
                }
                #expect(error?.code == .permissionDenied, "\(String(describing: error).prefix(300))")
                #expect((error?.message.utf8.count ?? .max) < 300)
            }
        }
    }

    @Test func aMegabyteSessionComesBackCutInAFailedPrecondition() async throws {
        try await LoopbackServer().run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                let info = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: LoopbackServer.embeddingShape)
                var request = Fedbone_V1_StatusRequest()
                request.clientID = info.clientID
                request.session = Self.long(1 << 20)
                let metadata = BearerToken.metadata(token: LoopbackServer.tokenA)
                let error = await Self.refusal {
                    _ = try await client.raw.status(request, metadata: metadata, options: client.callOptions(timeout: .seconds(10)))
                }
                #expect(error?.code == .failedPrecondition, "\(String(describing: error).prefix(300))")
                #expect((error?.message.utf8.count ?? .max) < 300)
            }
        }
    }

    @Test func aHugeEmbeddingShapeComesBackCutInAnInvalidArgument() async throws {
        try await LoopbackServer().run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                let error = await Self.refusal {
                    try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [Int](repeating: 7, count: 200_000))
                }
                #expect(error?.code == .invalidArgument, "\(String(describing: error).prefix(300))")
                #expect((error?.message.utf8.count ?? .max) < 300)
            }
        }
    }

    @Test func aMegabyteTaskComesBackCutFromTheFederationBackend() async throws {
        let backend = try FederationBackendTests.backend(minClients: 1, timeout: .seconds(60))
        let shape = try FederationBackendTests.embeddingShape(FederationBackendTests.config())
        do {
            _ = try await backend.join(ClientRegistration(clientID: 1, name: "segmentation-0", task: Self.long(1 << 20), embeddingShape: shape))
            Issue.record("a join with another task was accepted")
        } catch let SplitTrainingBackendError.invalidArgument(message) {
            #expect(message.utf8.count < 300, "\(message.prefix(300))")
        }
    }
}
