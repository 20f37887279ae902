import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

/// What the server told a client when it joined.
public struct JoinInfo: Sendable, Equatable {
    /// The client's id on the server.
    public var clientID: UInt32
    /// The session every later call repeats.
    public var session: String
    /// The round the client takes part in next.
    public var round: Int
    /// Rounds the server runs in total (0: not fixed).
    public var totalRounds: Int
    /// Largest message the server accepts, in bytes.
    public var maxMessageBytes: Int
    /// Largest tensor the server accepts, in elements.
    public var maxTensorElements: Int
    /// The client's place in the federation, from 0 (the experiment's clients first, in its
    /// order, then the server config's others): what seeds its model and training streams.
    public var federationIndex: Int = 0
    /// The largest batch one Forward or Infer may carry (nil: the server states no cap).
    public var maxBatch: Int?
}

/// Why a client call could not be made.
public enum TransportClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A call other than Join was made before joining.
    case notJoined

    public var description: String {
        switch self {
        case .notJoined: return "join the server before any other call"
        }
    }
}

/// A FedBone client's connection to the server: the `fedbone.v1` calls with `Tensor`s,
/// per-call deadlines and retries with backoff on UNAVAILABLE.
///
/// Errors from the server arrive as `RPCError` with the status the server chose (see the
/// `.proto` file); tensors in answers are validated like the server validates requests
/// (``WireTensorError``).
public final class FedBoneTransportClient: Sendable {
    let raw: Fedbone_V1_FedBone.Client<HTTP2ClientTransport.Posix>
    /// The configuration the client was made with.
    public let config: TransportClientConfig
    private let joined = Mutex<JoinInfo?>(nil)

    init(raw: Fedbone_V1_FedBone.Client<HTTP2ClientTransport.Posix>, config: TransportClientConfig) {
        self.raw = raw
        self.config = config
    }

    /// Connects to the server, runs `body` with a client, then closes the connection.
    public static func withClient<Result: Sendable>(
        config: TransportClientConfig,
        _ body: (FedBoneTransportClient) async throws -> Result
    ) async throws -> Result {
        let transport = try HTTP2ClientTransport.Posix(
            target: Self.target(host: config.host, port: config.port),
            transportSecurity: config.tls?.transportSecurity ?? .plaintext,
            config: .defaults { transportConfig in
                if let name = config.tls?.serverHostname { transportConfig.http2.authority = name }
            }
        )
        return try await withGRPCClient(transport: transport) { grpc in
            try await body(FedBoneTransportClient(raw: Fedbone_V1_FedBone.Client(wrapping: grpc), config: config))
        }
    }

    /// The server's answer to the latest Join, or `nil` before joining.
    public var joinInfo: JoinInfo? { joined.withLock { $0 } }

    /// Joins (or rejoins) the server and opens a session.
    /// - Parameters:
    ///   - embeddingShape: the shape of one sample's embeddings, without the batch dimension.
    ///   - classes: the classes of the client's labels (label tasks; 0 for the others).
    ///   - trainSamples: the training samples of the client's data (its aggregation weight).
    @discardableResult
    public func join(name: String, task: String, embeddingShape: [Int], classes: Int = 0, trainSamples: Int = 1) async throws -> JoinInfo {
        var request = Fedbone_V1_JoinRequest()
        request.protocolVersion = 1
        request.clientName = name
        request.task = task
        request.classes = UInt32(clamping: classes)
        request.trainSamples = UInt64(clamping: trainSamples)
        request.embeddingShape = embeddingShape.map { Int64($0) }
        request.responseDtype = Fedbone_V1_DType(config.responseDType)
        let response = try await call(timeout: config.callTimeout) { [raw] metadata, options in
            try await raw.join(request, metadata: metadata, options: options)
        }
        let info = JoinInfo(
            clientID: response.clientID,
            session: response.session,
            round: Int(clamping: response.round),
            totalRounds: Int(clamping: response.totalRounds),
            maxMessageBytes: Int(clamping: response.maxMessageBytes),
            maxTensorElements: Int(clamping: response.maxTensorElements),
            federationIndex: Int(response.federationIndex),
            maxBatch: response.maxBatch > 0 ? Int(clamping: response.maxBatch) : nil
        )
        joined.withLock { $0 = info }
        return info
    }

    /// Sends one mini-batch's embeddings (with each token sequence's real length; nil for a
    /// patch grid) and returns the general model's features.
    public func forward(round: Int, step: Int, embeddings: Tensor, lengths: [Int]? = nil) async throws -> Tensor {
        let info = try currentJoin()
        var request = Fedbone_V1_ForwardRequest()
        request.clientID = info.clientID
        request.session = info.session
        request.round = UInt64(round)
        request.step = UInt64(step)
        request.embeddings = Fedbone_V1_Tensor(embeddings, dtype: config.requestDType)
        request.lengths = (lengths ?? []).map { UInt32(clamping: $0) }
        try checkSize(of: request.embeddings, name: "embeddings", info: info)
        let response = try await call(timeout: config.callTimeout) { [raw] metadata, options in
            try await raw.forward(request, metadata: metadata, options: options)
        }
        return try Fedbone_V1_Tensor.decode(response.features, present: response.hasFeatures, name: "features", limits: config.tensorLimits)
    }

    /// Sends the gradient with respect to the features of the forward at (`round`, `step`)
    /// and returns the gradient with respect to its embeddings.
    public func backward(round: Int, step: Int, featureGradient: Tensor) async throws -> Tensor {
        let info = try currentJoin()
        var request = Fedbone_V1_BackwardRequest()
        request.clientID = info.clientID
        request.session = info.session
        request.round = UInt64(round)
        request.step = UInt64(step)
        request.featureGradient = Fedbone_V1_Tensor(featureGradient, dtype: config.requestDType)
        try checkSize(of: request.featureGradient, name: "feature_gradient", info: info)
        let response = try await call(timeout: config.callTimeout) { [raw] metadata, options in
            try await raw.backward(request, metadata: metadata, options: options)
        }
        return try Fedbone_V1_Tensor.decode(
            response.embeddingGradient, present: response.hasEmbeddingGradient, name: "embedding_gradient", limits: config.tensorLimits
        )
    }

    /// Features for `embeddings` (with each token sequence's real length; nil for a patch
    /// grid), with no state kept on the server; a batch above the server's cap
    /// (``JoinInfo/maxBatch``) is sent in parts of at most the cap.
    public func infer(embeddings: Tensor, lengths: [Int]? = nil) async throws -> Tensor {
        let info = try currentJoin()
        if let cap = info.maxBatch, let batch = embeddings.shape.first, batch > cap {
            var parts: [Tensor] = []
            for start in stride(from: 0, to: batch, by: cap) {
                let part = start..<min(start + cap, batch)
                parts.append(try await infer(embeddings: embeddings.slice(axis: 0, part), lengths: lengths.map { Array($0[part]) }))
            }
            return Tensor.concatenate(parts, axis: 0)
        }
        var request = Fedbone_V1_InferRequest()
        request.clientID = info.clientID
        request.session = info.session
        request.embeddings = Fedbone_V1_Tensor(embeddings, dtype: config.requestDType)
        request.lengths = (lengths ?? []).map { UInt32(clamping: $0) }
        try checkSize(of: request.embeddings, name: "embeddings", info: info)
        let response = try await call(timeout: config.callTimeout) { [raw] metadata, options in
            try await raw.infer(request, metadata: metadata, options: options)
        }
        return try Fedbone_V1_Tensor.decode(response.features, present: response.hasFeatures, name: "features", limits: config.tensorLimits)
    }

    /// Ends the client's `round`; returns once the server has aggregated it.
    public func endRound(round: Int) async throws -> RoundBarrierResult {
        let info = try currentJoin()
        var request = Fedbone_V1_EndRoundRequest()
        request.clientID = info.clientID
        request.session = info.session
        request.round = UInt64(round)
        let response = try await call(timeout: config.endRoundTimeout) { [raw] metadata, options in
            try await raw.endRound(request, metadata: metadata, options: options)
        }
        return RoundBarrierResult(nextRound: Int(clamping: response.nextRound), finished: response.finished)
    }

    /// Heartbeat: where training stands.
    public func status() async throws -> TrainingStatus {
        let info = try currentJoin()
        var request = Fedbone_V1_StatusRequest()
        request.clientID = info.clientID
        request.session = info.session
        let response = try await call(timeout: config.callTimeout) { [raw] metadata, options in
            try await raw.status(request, metadata: metadata, options: options)
        }
        let phase: TrainingPhase = switch response.phase {
        case .waitingForClients, .unspecified, .UNRECOGNIZED: .waitingForClients
        case .training: .training
        case .aggregating: .aggregating
        case .finished: .finished
        }
        return TrainingStatus(
            round: Int(clamping: response.round), phase: phase,
            clientsJoined: Int(response.clientsJoined), clientsExpected: Int(response.clientsExpected),
            selected: response.selected, nextRound: response.nextRound == 0 ? nil : Int(clamping: response.nextRound)
        )
    }

    /// Sends the client's results of one round (numbers only).
    public func reportMetrics(_ report: MetricsReport) async throws {
        let info = try currentJoin()
        var request = report.message
        request.clientID = info.clientID
        request.session = info.session
        _ = try await call(timeout: config.callTimeout) { [raw] metadata, options in
            try await raw.reportMetrics(request, metadata: metadata, options: options)
        }
    }

    /// Leaves the server and closes the session.
    public func leave(reason: String = "done") async throws {
        let info = try currentJoin()
        var request = Fedbone_V1_LeaveRequest()
        request.clientID = info.clientID
        request.session = info.session
        request.reason = reason
        _ = try await call(timeout: config.callTimeout) { [raw] metadata, options in
            try await raw.leave(request, metadata: metadata, options: options)
        }
        joined.withLock { $0 = nil }
    }

    // MARK: - Plumbing

    private func currentJoin() throws(TransportClientError) -> JoinInfo {
        guard let info = joinInfo else { throw .notJoined }
        return info
    }

    /// Refuses, before sending, a request whose tensor would make the message larger than the
    /// server's limit (from Join) or the client's own: the server would only reset the stream.
    ///
    /// The message size is bounded from above by the tensor bytes plus 11 bytes per dimension
    /// plus 128 bytes for the other fields (ids, session, round, step, protobuf tags).
    func checkSize(of tensor: Fedbone_V1_Tensor, name: String, info: JoinInfo) throws(RPCError) {
        let limit = info.maxMessageBytes > 0 ? min(info.maxMessageBytes, config.maxMessageBytes) : config.maxMessageBytes
        let bound = tensor.data.count + 11 * tensor.shape.count + 128 + info.session.utf8.count
        guard bound <= limit else {
            throw RPCError(
                code: .resourceExhausted,
                message: "\(name): a message of about \(bound) bytes exceeds the limit of \(limit) bytes; send smaller batches or a 16-bit dtype"
            )
        }
    }

    /// Options for one attempt: its deadline and the message-size limit both ways. (The NIO
    /// transport bounds the messages a client *receives* by `maxRequestMessageBytes`.)
    func callOptions(timeout: Duration) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.maxRequestMessageBytes = config.maxMessageBytes
        options.maxResponseMessageBytes = config.maxMessageBytes
        return options
    }

    /// Runs `body` with the token metadata, retrying with backoff while it fails with UNAVAILABLE.
    private func call<Response: Sendable>(
        timeout: Duration,
        _ body: (Metadata, CallOptions) async throws -> Response
    ) async throws -> Response {
        let metadata = BearerToken.metadata(token: config.token)
        let options = callOptions(timeout: timeout)
        var attempt = 1
        while true {
            do {
                return try await body(metadata, options)
            } catch let error as RPCError where error.code == .unavailable && attempt < config.retry.maxAttempts {
                let wait = config.retry.backoff(afterAttempt: attempt) * Double.random(in: 0.8...1.2)
                try await Task.sleep(for: wait)
                attempt += 1
            }
        }
    }

    /// The resolvable target for a host: an IPv4 or IPv6 literal, or a DNS name.
    static func target(host: String, port: Int) -> any ResolvableTarget {
        if host.contains(":") { return .ipv6(address: host, port: port) }
        if host.split(separator: ".").count == 4, host.allSatisfy({ $0.isNumber || $0 == "." }) {
            return .ipv4(address: host, port: port)
        }
        return .dns(host: host, port: port)
    }
}
