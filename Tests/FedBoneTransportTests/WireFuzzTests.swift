import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Testing
@testable import FedBoneTransport

/// Passes request and response bytes through unchanged, so that the fuzz can send bytes that
/// are not a valid message.
struct RawBytesCoder: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> [UInt8] { bytes.withUnsafeBytes { Array($0) } }
}

/// Seeded fuzz of every `fedbone.v1` request over loopback gRPC (issue #19): mutated field
/// values and mangled bytes, most of them with the right token and session so they reach the
/// deeper checks. `FEDBONE_FUZZ_INPUTS` (per message type, default 150) and `FEDBONE_FUZZ_SEED`
/// (default 19) choose the run.
@Suite struct WireFuzzTests {
    /// The server's message limit here: room for 1 MiB strings, small enough for a huge batch to cross it.
    static let maxMessageBytes = 4 << 20
    static let allowed: Set<RPCError.Code> = [.invalidArgument, .failedPrecondition, .unauthenticated, .permissionDenied, .resourceExhausted, .aborted]
    /// What a request above the limit may also get: the server resets its stream unread (see the `.proto`).
    static let resetWhenOversized: Set<RPCError.Code> = [.unavailable, .cancelled]

    static var inputsPerMethod: Int { ProcessInfo.processInfo.environment["FEDBONE_FUZZ_INPUTS"].flatMap { Int($0) } ?? 150 }
    static var seed: UInt64 { ProcessInfo.processInfo.environment["FEDBONE_FUZZ_SEED"].flatMap { UInt64($0) } ?? 19 }

    /// Resident memory of this process in KiB (`VmRSS` in /proc/self/status; 0 where there is none).
    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// A raw client over `grpc`: sends bytes, keeps the honest session up to date.
    struct Fuzzer {
        let grpc: GRPCClient<HTTP2ClientTransport.Posix>
        var session = HonestSession(clientID: 7, session: "", round: 0, pendingStep: 0)
        var failures: [String] = []
        var codes: [String: Int] = [:]

        var options: CallOptions {
            var options = CallOptions.defaults
            options.timeout = .seconds(20)
            options.maxRequestMessageBytes = 64 << 20
            options.maxResponseMessageBytes = 64 << 20
            return options
        }

        /// Sends `bytes` to `method`; the reply's bytes, or the refusal.
        func send(_ method: FuzzMethod, _ bytes: [UInt8], metadata: Metadata) async -> Result<[UInt8], RPCError> {
            do {
                let reply = try await grpc.unary(request: ClientRequest(message: bytes, metadata: metadata), descriptor: method.descriptor,
                                                 serializer: RawBytesCoder(), deserializer: RawBytesCoder(), options: options) { try $0.message }
                return .success(reply)
            } catch let error as RPCError {
                return .failure(error)
            } catch {
                return .failure(RPCError(code: .unknown, message: "not an RPCError: \(error)"))
            }
        }

        /// A fresh session with one Forward pending, as an honest client leaves it mid-round.
        mutating func resync() async throws {
            let metadata = BearerToken.metadata(token: LoopbackServer.tokenA)
            var join = Fedbone_V1_JoinRequest()
            join.protocolVersion = 1
            join.clientName = "seg-0"
            join.task = "segmentation"
            join.embeddingShape = FuzzInputs.embeddingShape.map(Int64.init)
            join.trainSamples = 10
            let joined = try Fedbone_V1_JoinResponse(serializedBytes: try await send(.join, try join.serializedBytes(), metadata: metadata).get())
            var forward = Fedbone_V1_ForwardRequest()
            forward.clientID = joined.clientID
            forward.session = joined.session
            forward.round = joined.round
            forward.step = 0
            forward.embeddings = Fedbone_V1_Tensor(LoopbackServer.embeddings(), dtype: .f32)
            _ = try await send(.forward, try forward.serializedBytes(), metadata: metadata).get()
            session = HonestSession(clientID: joined.clientID, session: joined.session, round: joined.round, pendingStep: 0)
        }

        /// One input: checks the reply and, when it changed the session, starts a fresh one.
        mutating func fuzz(_ method: FuzzMethod, inputs: inout FuzzInputs, index: Int) async throws {
            let bytes = inputs.request(method, base: session)
            let outcome = await send(method, bytes, metadata: inputs.metadata())
            let label = "\(method.rawValue) #\(index) (\(bytes.count) bytes)"
            switch outcome {
            case .success(let reply):
                codes["ok", default: 0] += 1
                if reply.count > WireFuzzTests.maxMessageBytes { failures.append("\(label): a \(reply.count)-byte reply, above the limit") }
                if [.join, .forward, .backward, .endRound, .leave].contains(method) { try await resync() }
            case .failure(let error):
                codes["\(error.code)", default: 0] += 1
                let oversized = bytes.count > WireFuzzTests.maxMessageBytes && WireFuzzTests.resetWhenOversized.contains(error.code)
                if !WireFuzzTests.allowed.contains(error.code), !oversized { failures.append("\(label): \(error.code): \(error.message.prefix(300))") }
                if error.message.utf8.count > 1024 { failures.append("\(label): a \(error.message.utf8.count)-byte status message: \(error.message.prefix(200))") }
            }
        }
    }

    @Test func everyRequestWithBadBytesOrValuesGetsAProperStatusAndTheServerKeepsWorking() async throws {
        let config = TransportServerConfig(host: "127.0.0.1", port: 0, maxMessageBytes: Self.maxMessageBytes)
        let backend = FuzzBackend()
        let count = Self.inputsPerMethod, seed = Self.seed
        try await withLoopbackServer(config: config, registry: try LoopbackServer.registry(), backend: backend) { port in
            let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            try await withGRPCClient(transport: transport) { grpc in
                var fuzzer = Fuzzer(grpc: grpc)
                try await fuzzer.resync()
                let started = ContinuousClock.now
                let before = Self.residentKiB()
                for (offset, method) in FuzzMethod.allCases.enumerated() {
                    var inputs = FuzzInputs(rng: FuzzRandom(seed: seed &+ UInt64(offset) &* 0x1000_0001))
                    for index in 0..<count { try await fuzzer.fuzz(method, inputs: &inputs, index: index) }
                }
                let after = Self.residentKiB()
                print("wire fuzz: seed \(seed), \(count) inputs per message type, \(ContinuousClock.now - started), VmRSS \(before / 1024) MiB -> \(after / 1024) MiB, replies \(fuzzer.codes.sorted { $0.key < $1.key })")
                #expect(fuzzer.failures.isEmpty, "\(fuzzer.failures.count) failures, first: \(fuzzer.failures.prefix(10).joined(separator: "\n"))")
                #expect(after - before < 512 * 1024, "VmRSS grew from \(before) KiB to \(after) KiB")
            }
            try await Self.trainOneRoundHonestly(port: port)
        }
    }

    /// An honest client joins, trains a step, ends the round and gets the next one.
    static func trainOneRoundHonestly(port: Int) async throws {
        try await FedBoneTransportClient.withClient(config: LoopbackServer.clientConfig(port: port)) { client in
            let info = try await client.join(name: "seg-0", task: "segmentation", embeddingShape: LoopbackServer.embeddingShape)
            let embeddings = LoopbackServer.embeddings()
            let features = try await client.forward(round: info.round, step: 0, embeddings: embeddings)
            #expect(features.scalars == embeddings.scalars.map { 2 * $0 })
            let gradient = try await client.backward(round: info.round, step: 0, featureGradient: features)
            #expect(gradient.scalars == embeddings.scalars.map { 4 * $0 })
            let next = try await client.endRound(round: info.round)
            #expect(next.nextRound == info.round + 1)
            try await client.leave()
        }
    }
}
