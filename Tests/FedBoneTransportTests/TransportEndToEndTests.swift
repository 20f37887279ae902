import Foundation
import GRPCCore
import Testing
@testable import FedBoneClient
@testable import FedBoneTransport

/// A server with two registered clients on 127.0.0.1 and an ephemeral port, for one test.
struct LoopbackServer {
    static let tokenA = "secret-token-a"
    static let tokenB = "secret-token-b"
    static let embeddingShape = [4, 3]

    let backend: FakeBackend
    var config = TransportServerConfig(host: "127.0.0.1", port: 0)

    init(backend: FakeBackend = FakeBackend()) {
        self.backend = backend
    }

    static func registry() throws -> ClientRegistry {
        try ClientRegistry(clients: [
            RegisteredClient(id: 7, name: "seg-0", tokenSHA256: ClientRegistry.sha256Hex(of: tokenA)),
            RegisteredClient(id: 8, name: "depth-0", tokenSHA256: ClientRegistry.sha256Hex(of: tokenB)),
        ])
    }

    /// Starts the server, runs `body` with its port, then shuts it down.
    func run<Result: Sendable>(_ body: (Int) async throws -> Result) async throws -> Result {
        try await withLoopbackServer(config: config, registry: try Self.registry(), backend: backend, body)
    }

    static func clientConfig(port: Int, token: String = tokenA) -> TransportClientConfig {
        TransportClientConfig(
            host: "127.0.0.1", port: port, token: token, callTimeout: .seconds(20),
            retry: RetrySettings(maxAttempts: 2, initialBackoff: .milliseconds(20))
        )
    }

    static func embeddings(batch: Int = 2, offset: Float = 0) -> Tensor {
        let count = batch * embeddingShape.reduce(1, *)
        return Tensor(uncheckedShape: [batch] + embeddingShape, scalars: (0..<count).map { Float($0) / 8 + offset })
    }
}

/// Starts a transport server over `backend`, runs `body` with its port, then shuts it down.
func withLoopbackServer<Result: Sendable>(
    config: TransportServerConfig, registry: ClientRegistry, backend: any SplitTrainingBackend, _ body: (Int) async throws -> Result
) async throws -> Result {
    let server = FedBoneTransportServer(config: config, registry: registry, backend: backend)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.serve() }
        do {
            let port = try await server.listeningPort()
            let result = try await body(port)
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            server.beginGracefulShutdown()
            group.cancelAll()
            throw error
        }
    }
}

/// True when `body` fails with an `RPCError` of `code`.
func failsWith(_ code: RPCError.Code, _ body: () async throws -> Void) async -> Bool {
    do {
        try await body()
        return false
    } catch let error as RPCError {
        if error.code != code { print("expected \(code), got \(error)") }
        return error.code == code
    } catch {
        return false
    }
}

@Suite("gRPC transport over loopback")
struct TransportEndToEndTests {
    @Test("join, forward, backward, infer, end round, status and leave")
    func fullRound() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                let info = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: LoopbackServer.embeddingShape)
                #expect(info.clientID == 7 && info.round == 0 && info.totalRounds == 2)
                #expect(info.maxMessageBytes == 256 << 20)
                for round in 0..<2 {
                    for step in 0..<2 {
                        let embeddings = LoopbackServer.embeddings(offset: Float(step))
                        let features = try await client.forward(round: round, step: step, embeddings: embeddings)
                        #expect(features.shape == embeddings.shape)
                        #expect(features.scalars == embeddings.scalars.map { 2 * $0 })
                        let gradient = Tensor(repeating: 0.5, shape: features.shape)
                        let embeddingGradient = try await client.backward(round: round, step: step, featureGradient: gradient)
                        #expect(embeddingGradient.scalars == [Float](repeating: 1, count: gradient.count))
                    }
                    let barrier = try await client.endRound(round: round)
                    #expect(barrier == RoundBarrierResult(nextRound: round + 1, finished: round == 1))
                }
                let inferred = try await client.infer(embeddings: LoopbackServer.embeddings(batch: 1))
                #expect(inferred.scalars == LoopbackServer.embeddings(batch: 1).scalars.map { 2 * $0 })
                let status = try await client.status()
                #expect(status.round == 2 && status.phase == .training)
                try await client.leave()
                #expect(client.joinInfo == nil)
            }
        }
        #expect(await server.backend.forwardCalls == 4)
        #expect(await server.backend.backwardCalls == 4)
        #expect(await server.backend.endRoundCalls == 2)
        #expect(await server.backend.leaves == [7])
        #expect(await server.backend.joins == [ClientRegistration(clientID: 7, name: "seg-0", task: "segmentation", embeddingShape: [4, 3])])
    }

    @Test("f16 and bf16 on the wire both ways")
    func halfPrecisionWire() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            for dtype in [WireDType.f16, .bf16] {
                var config = LoopbackServer.clientConfig(port: port)
                config.requestDType = dtype
                config.responseDType = dtype
                try await FedBoneTransportClient.withClient(config: config) { client in
                    try await client.join(name: "seg-0", task: "segmentation", embeddingShape: LoopbackServer.embeddingShape)
                    let embeddings = LoopbackServer.embeddings()  // multiples of 1/8: exact in both formats
                    let features = try await client.forward(round: 0, step: 0, embeddings: embeddings)
                    #expect(features.scalars == embeddings.scalars.map { 2 * $0 })
                }
            }
        }
    }

    @Test("missing or wrong tokens are refused with UNAUTHENTICATED")
    func badTokens() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port, token: "guess")) { client in
                #expect(await failsWith(.unauthenticated) {
                    try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                })
                var request = Fedbone_V1_StatusRequest()
                request.clientID = 7
                let options = client.callOptions(timeout: .seconds(10))
                #expect(await failsWith(.unauthenticated) { _ = try await client.raw.status(request, options: options) })
            }
        }
        #expect(await server.backend.joins.isEmpty)
    }

    @Test("a client cannot join as, or touch the state of, another client")
    func otherClientsState() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            let sessionA = try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3]).session
            }
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port, token: LoopbackServer.tokenB)) { client in
                #expect(await failsWith(.permissionDenied) {
                    try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                })
                var request = Fedbone_V1_ForwardRequest()
                request.clientID = 7
                request.session = sessionA
                request.embeddings = Fedbone_V1_Tensor(LoopbackServer.embeddings(), dtype: .f32)
                let metadata = BearerToken.metadata(token: LoopbackServer.tokenB)
                let options = client.callOptions(timeout: .seconds(10))
                #expect(await failsWith(.permissionDenied) { _ = try await client.raw.forward(request, metadata: metadata, options: options) })
            }
        }
        #expect(await server.backend.forwardCalls == 0)
    }

    @Test("NaN, wrong shapes and bad dtypes get INVALID_ARGUMENT and never reach the backend")
    func invalidTensors() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                var nan = LoopbackServer.embeddings()
                nan = Tensor(uncheckedShape: nan.shape, scalars: nan.scalars.enumerated().map { $0.offset == 5 ? .nan : $0.element })
                #expect(await failsWith(.invalidArgument) { _ = try await client.forward(round: 0, step: 0, embeddings: nan) })
                #expect(await failsWith(.invalidArgument) {
                    _ = try await client.forward(round: 0, step: 0, embeddings: Tensor.zeros([2, 4, 5]))
                })
                let info = try #require(client.joinInfo)
                var request = Fedbone_V1_ForwardRequest()
                request.clientID = info.clientID
                request.session = info.session
                request.embeddings = Fedbone_V1_Tensor(LoopbackServer.embeddings(), dtype: .f32)
                request.embeddings.dtype = .unspecified
                let metadata = BearerToken.metadata(token: LoopbackServer.tokenA)
                let options = client.callOptions(timeout: .seconds(10))
                #expect(await failsWith(.invalidArgument) { _ = try await client.raw.forward(request, metadata: metadata, options: options) })
                request.embeddings.dtype = .f32
                request.embeddings.data.removeLast()
                #expect(await failsWith(.invalidArgument) { _ = try await client.raw.forward(request, metadata: metadata, options: options) })
                // The server still serves this client after the refusals.
                let features = try await client.forward(round: 0, step: 0, embeddings: LoopbackServer.embeddings())
                #expect(features.shape == [2, 4, 3])
            }
        }
        #expect(await server.backend.forwardCalls == 1)
    }

    @Test("token sequences: fewer tokens than stated and their lengths reach the backend; a length per sample, at most the stated tokens")
    func tokenSequences() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                // A stated [4, 3] is a text client's [maxLength, channels].
                try await client.join(name: "seg-0", task: "text-classification", embeddingShape: [4, 3], classes: 2)
                let short = Tensor(uncheckedShape: [2, 3, 3], scalars: (0..<18).map { Float($0) })
                let features = try await client.forward(round: 0, step: 0, embeddings: short, lengths: [3, 1])
                #expect(features.shape == [2, 3, 3])
                #expect(await server.backend.lastLengths == [3, 1])
                _ = try await client.infer(embeddings: short)
                #expect(await server.backend.lastLengths == nil, "no lengths sent: every sequence is whole")
                #expect(await failsWith(.invalidArgument) { _ = try await client.infer(embeddings: short, lengths: [3]) })
                #expect(await failsWith(.invalidArgument) { _ = try await client.infer(embeddings: Tensor.zeros([2, 5, 3])) })
                let inferred = try await client.infer(embeddings: short, lengths: [2, 2])
                #expect(inferred.scalars == short.scalars.map { 2 * $0 })
                #expect(await server.backend.lastLengths == [2, 2])
            }
        }
        #expect(await server.backend.forwardCalls == 1)
    }

    @Test("a message above the limit is refused: RESOURCE_EXHAUSTED before sending, a reset stream on the server, and a Forward whose answer would exceed it before it runs")
    func oversizedMessage() async throws {
        var server = LoopbackServer()
        server.config.maxMessageBytes = 64 << 10
        try await server.run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                let info = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                #expect(info.maxMessageBytes == 64 << 10)
                let big = LoopbackServer.embeddings(batch: 2000)  // 96 000 bytes of f32
                #expect(await failsWith(.resourceExhausted) { _ = try await client.forward(round: 0, step: 0, embeddings: big) })
                // A client that does not check (another implementation) gets its stream reset.
                var request = Fedbone_V1_ForwardRequest()
                request.clientID = info.clientID
                request.session = info.session
                request.embeddings = Fedbone_V1_Tensor(big, dtype: .f32)
                let metadata = BearerToken.metadata(token: LoopbackServer.tokenA)
                let options = client.callOptions(timeout: .seconds(10))
                await #expect(throws: RPCError.self) { _ = try await client.raw.forward(request, metadata: metadata, options: options) }
                // The same call fits in f16 (48 000 bytes), but its f32 embedding gradient (96 000
                // bytes) would not: refused before anything runs.
                var halfRequest = request
                halfRequest.embeddings = Fedbone_V1_Tensor(big, dtype: .f16)
                #expect(await failsWith(.resourceExhausted) { _ = try await client.raw.forward(halfRequest, metadata: metadata, options: options) })
            }
            // A client that asks for f16 answers gets them within the limit both ways.
            var halfConfig = LoopbackServer.clientConfig(port: port)
            halfConfig.requestDType = .f16
            halfConfig.responseDType = .f16
            try await FedBoneTransportClient.withClient(config: halfConfig) { client in
                try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                let big = LoopbackServer.embeddings(batch: 2000)
                let features = try await client.forward(round: 0, step: 0, embeddings: big)
                #expect(features.shape == [2000, 4, 3])
                let gradient = try await client.backward(round: 0, step: 0, featureGradient: Tensor(repeating: 0.5, shape: features.shape))
                #expect(gradient.shape == [2000, 4, 3])
            }
        }
        #expect(await server.backend.forwardCalls == 1)
    }

    @Test("round and step order is enforced; a retried Backward is answered without running twice")
    func protocolOrder() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                let gradient = Tensor(repeating: 1, shape: [2, 4, 3])
                #expect(await failsWith(.failedPrecondition) { _ = try await client.backward(round: 0, step: 0, featureGradient: gradient) })
                _ = try await client.forward(round: 0, step: 3, embeddings: LoopbackServer.embeddings())
                #expect(await failsWith(.invalidArgument) {
                    _ = try await client.backward(round: 0, step: 3, featureGradient: Tensor.zeros([2, 4, 4]))
                })
                let first = try await client.backward(round: 0, step: 3, featureGradient: gradient)
                let again = try await client.backward(round: 0, step: 3, featureGradient: gradient)
                #expect(first.scalars == again.scalars)
                #expect(await failsWith(.failedPrecondition) {
                    _ = try await client.forward(round: 0, step: 3, embeddings: LoopbackServer.embeddings())
                })
                #expect(await failsWith(.failedPrecondition) {
                    _ = try await client.forward(round: 0, step: 2, embeddings: LoopbackServer.embeddings())
                })
                let end = try await client.endRound(round: 0)
                #expect(try await client.endRound(round: 0) == end)
                #expect(await failsWith(.failedPrecondition) {
                    _ = try await client.forward(round: 0, step: 4, embeddings: LoopbackServer.embeddings())
                }, "a round before the session's is over")
            }
        }
        #expect(await server.backend.backwardCalls == 1)
        #expect(await server.backend.endRoundCalls == 1)
    }

    @Test("rejoining opens a new session and ends the old one")
    func staleSession() async throws {
        let server = LoopbackServer()
        try await server.run { port in
            try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
                let old = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                let new = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                #expect(old.session != new.session)
                var request = Fedbone_V1_StatusRequest()
                request.clientID = old.clientID
                request.session = old.session
                let metadata = BearerToken.metadata(token: LoopbackServer.tokenA)
                let options = client.callOptions(timeout: .seconds(10))
                #expect(await failsWith(.failedPrecondition) { _ = try await client.raw.status(request, metadata: metadata, options: options) })
                _ = try await client.status()
            }
        }
    }

    @Test("calls to a server that is not there fail with UNAVAILABLE after the retries")
    func retriesThenUnavailable() async throws {
        // Bind and release an ephemeral port so nothing listens on it.
        let port = try await LoopbackServer().run { $0 }
        var config = LoopbackServer.clientConfig(port: port)
        config.retry = RetrySettings(maxAttempts: 3, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1))
        config.callTimeout = .seconds(2)
        let clock = ContinuousClock()
        let start = clock.now
        try await FedBoneTransportClient.withClient(config: config) { client in
            #expect(await failsWith(.unavailable) {
                try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
            })
        }
        // Two waits: at least 0.8·100 ms + 0.8·200 ms.
        #expect(clock.now - start >= .milliseconds(240))
    }
}

@Suite("gRPC transport with TLS")
struct TransportTLSTests {
    @Test("TLS and mutual TLS over loopback; a client without a certificate is refused by mTLS")
    func tls() async throws {
        let certificates = try TestCertificates.generate()
        var server = LoopbackServer()
        server.config.tls = ServerTLSSettings(
            certificateChain: .pem(certificates.serverCertificate), privateKey: .pem(certificates.serverPrivateKey)
        )
        try await server.run { port in
            var config = LoopbackServer.clientConfig(port: port)
            config.tls = ClientTLSSettings(serverCA: .pem(certificates.caCertificate))
            try await FedBoneTransportClient.withClient(config: config) { client in
                let info = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                #expect(info.clientID == 7)
            }
        }

        server.config.tls?.clientCA = .pem(certificates.caCertificate)
        try await server.run { port in
            var config = LoopbackServer.clientConfig(port: port)
            config.tls = ClientTLSSettings(
                serverCA: .pem(certificates.caCertificate),
                certificateChain: .pem(certificates.clientCertificate), privateKey: .pem(certificates.clientPrivateKey)
            )
            try await FedBoneTransportClient.withClient(config: config) { client in
                let features = try await {
                    try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                    return try await client.forward(round: 0, step: 0, embeddings: LoopbackServer.embeddings())
                }()
                #expect(features.shape == [2, 4, 3])
            }
            config.tls = ClientTLSSettings(serverCA: .pem(certificates.caCertificate))
            config.callTimeout = .seconds(3)
            try await FedBoneTransportClient.withClient(config: config) { client in
                #expect(await failsWith(.unavailable) {
                    try await client.join(name: "seg-0", task: "segmentation", embeddingShape: [4, 3])
                })
            }
        }
    }
}
