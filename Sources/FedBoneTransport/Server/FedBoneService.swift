import Foundation
import GRPCCore

/// The `fedbone.v1.FedBone` service: authenticates every call, checks session, round, step,
/// dtype, shape and values, and only then calls the ``SplitTrainingBackend``.
struct FedBoneService: Fedbone_V1_FedBone.ServiceProtocol {
    /// The protocol version this server speaks.
    static let protocolVersion: UInt32 = 1

    let backend: any SplitTrainingBackend
    let authenticator: Authenticator
    let sessions: SessionTable
    let limits: TensorLimits
    let maxMessageBytes: Int

    func join(
        request: ServerRequest<Fedbone_V1_JoinRequest>, context: ServerContext
    ) async throws -> ServerResponse<Fedbone_V1_JoinResponse> {
        let client = try authenticator.authenticate(request.metadata)
        let message = request.message
        guard message.clientName == client.name else {
            throw RPCError(code: .permissionDenied, message: "this token was issued for client '\(client.name)', not '\(echoed(message.clientName))'")
        }
        guard message.protocolVersion == Self.protocolVersion else {
            throw RPCError(code: .invalidArgument, message: "protocol version \(message.protocolVersion) is not supported; this server speaks \(Self.protocolVersion)")
        }
        guard !message.task.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "the task is empty")
        }
        let embeddingShape = try checkedEmbeddingShape(message.embeddingShape)
        let responseDType: WireDType
        switch message.responseDtype {
        case .unspecified: responseDType = .f32
        case .f32: responseDType = .f32
        case .f16: responseDType = .f16
        case .bf16: responseDType = .bf16
        case .UNRECOGNIZED(let raw):
            throw RPCError(code: .invalidArgument, message: "unknown response dtype \(raw)")
        }
        guard message.classes <= ClientRegistration.maxClasses else {
            throw RPCError(code: .invalidArgument, message: "classes \(message.classes) is out of range (at most \(ClientRegistration.maxClasses))")
        }
        guard message.trainSamples >= 1, message.trainSamples <= UInt64(Int32.max) else {
            throw RPCError(code: .invalidArgument, message: "train_samples \(message.trainSamples) is out of range: the client needs 1 to \(Int32.max) training samples")
        }
        let registration = ClientRegistration(clientID: client.id, name: client.name, task: message.task, embeddingShape: embeddingShape,
                                              classes: Int(message.classes), trainSamples: Int(message.trainSamples))
        let acceptance: JoinAcceptance
        do { acceptance = try await backend.join(registration) } catch { throw Self.status(for: error) }
        let session = UUID().uuidString
        await sessions.open(clientID: client.id, session: session, embeddingShape: embeddingShape, responseDType: responseDType,
                            round: acceptance.round, maxBatch: acceptance.maxBatch)
        var response = Fedbone_V1_JoinResponse()
        response.clientID = client.id
        response.session = session
        response.round = UInt64(acceptance.round)
        response.totalRounds = UInt64(acceptance.totalRounds)
        response.maxMessageBytes = UInt64(maxMessageBytes)
        response.maxTensorElements = UInt64(limits.maxElements)
        response.protocolVersion = Self.protocolVersion
        response.federationIndex = UInt32(clamping: acceptance.federationIndex)
        response.maxBatch = UInt64(acceptance.maxBatch ?? 0)
        return ServerResponse(message: response)
    }

    func forward(
        request: ServerRequest<Fedbone_V1_ForwardRequest>, context: ServerContext
    ) async throws -> ServerResponse<Fedbone_V1_ForwardResponse> {
        let message = request.message
        let client = try authenticator.authorize(request.metadata, clientID: message.clientID)
        let round = try Self.checkedCount(message.round, name: "round")
        let step = try Self.checkedCount(message.step, name: "step")
        let state = try await sessions.beginForward(client.id, message.session, round: round, step: step)
        try checkBatch(message.embeddings, cap: state.maxBatch, call: "Forward")
        let embeddings = try decodeEmbeddings(message.embeddings, present: message.hasEmbeddings, stated: state.embeddingShape)
        let lengths = try Self.lengths(message.lengths, embeddings: embeddings)
        let embeddingShape = embeddings.shape
        try checkAnswerFits(embeddingShape, dtype: state.responseDType, answer: "the embedding gradient")
        let features: Tensor
        do {
            features = try await backend.forward(client: client.id, round: round, step: step, embeddings: embeddings, lengths: lengths)
        } catch {
            throw Self.status(for: error)
        }
        try checkAnswerFits(features.shape, dtype: state.responseDType, answer: "the features")
        await sessions.completeForward(client.id, message.session, round: round, step: step, embeddingShape: embeddingShape, featureShape: features.shape)
        var response = Fedbone_V1_ForwardResponse()
        response.round = message.round
        response.step = message.step
        response.features = Fedbone_V1_Tensor(features, dtype: state.responseDType)
        return ServerResponse(message: response)
    }

    func backward(
        request: ServerRequest<Fedbone_V1_BackwardRequest>, context: ServerContext
    ) async throws -> ServerResponse<Fedbone_V1_BackwardResponse> {
        let message = request.message
        let client = try authenticator.authorize(request.metadata, clientID: message.clientID)
        let round = try Self.checkedCount(message.round, name: "round")
        let step = try Self.checkedCount(message.step, name: "step")
        switch try await sessions.beginBackward(client.id, message.session, round: round, step: step) {
        case .replay(let response):
            return ServerResponse(message: response)
        case let .run(featureShape, embeddingShape, responseDType):
            let gradient = try decode(message.featureGradient, present: message.hasFeatureGradient, name: "feature_gradient", shape: .exactly(featureShape))
            let embeddingGradient: Tensor
            do {
                embeddingGradient = try await backend.backward(client: client.id, round: round, step: step, featureGradient: gradient)
            } catch {
                throw Self.status(for: error)
            }
            guard embeddingGradient.shape == embeddingShape else {
                throw RPCError(code: .internalError, message: "the server produced an embedding gradient of shape \(embeddingGradient.shape) for embeddings of shape \(embeddingShape)")
            }
            var response = Fedbone_V1_BackwardResponse()
            response.round = message.round
            response.step = message.step
            response.embeddingGradient = Fedbone_V1_Tensor(embeddingGradient, dtype: responseDType)
            await sessions.completeBackward(client.id, message.session, round: round, step: step, response: response)
            return ServerResponse(message: response)
        }
    }

    func infer(
        request: ServerRequest<Fedbone_V1_InferRequest>, context: ServerContext
    ) async throws -> ServerResponse<Fedbone_V1_InferResponse> {
        let message = request.message
        let client = try authenticator.authorize(request.metadata, clientID: message.clientID)
        let state = try await sessions.current(client.id, message.session)
        try checkBatch(message.embeddings, cap: state.maxBatch, call: "Infer")
        let embeddings = try decodeEmbeddings(message.embeddings, present: message.hasEmbeddings, stated: state.embeddingShape)
        let lengths = try Self.lengths(message.lengths, embeddings: embeddings)
        try checkAnswerFits(embeddings.shape, dtype: state.responseDType, answer: "the features")
        let features: Tensor
        do { features = try await backend.infer(client: client.id, embeddings: embeddings, lengths: lengths) } catch { throw Self.status(for: error) }
        try checkAnswerFits(features.shape, dtype: state.responseDType, answer: "the features")
        var response = Fedbone_V1_InferResponse()
        response.features = Fedbone_V1_Tensor(features, dtype: state.responseDType)
        return ServerResponse(message: response)
    }

    func endRound(
        request: ServerRequest<Fedbone_V1_EndRoundRequest>, context: ServerContext
    ) async throws -> ServerResponse<Fedbone_V1_EndRoundResponse> {
        let message = request.message
        let client = try authenticator.authorize(request.metadata, clientID: message.clientID)
        let round = try Self.checkedCount(message.round, name: "round")
        switch try await sessions.beginEndRound(client.id, message.session, round: round) {
        case .replay(let response):
            return ServerResponse(message: response)
        case .run:
            let result: RoundBarrierResult
            do { result = try await backend.endRound(client: client.id, round: round) } catch { throw Self.status(for: error) }
            var response = Fedbone_V1_EndRoundResponse()
            response.nextRound = UInt64(max(0, result.nextRound))
            response.finished = result.finished
            await sessions.completeEndRound(client.id, message.session, round: round, response: response)
            return ServerResponse(message: response)
        }
    }

    func status(
        request: ServerRequest<Fedbone_V1_StatusRequest>, context: ServerContext
    ) async throws -> ServerResponse<Fedbone_V1_StatusResponse> {
        let message = request.message
        let client = try authenticator.authorize(request.metadata, clientID: message.clientID)
        _ = try await sessions.current(client.id, message.session)
        let status: TrainingStatus
        do { status = try await backend.status(client: client.id) } catch { throw Self.status(for: error) }
        var response = Fedbone_V1_StatusResponse()
        response.round = UInt64(max(0, status.round))
        response.phase = switch status.phase {
        case .waitingForClients: .waitingForClients
        case .training: .training
        case .aggregating: .aggregating
        case .finished: .finished
        }
        response.clientsJoined = UInt32(clamping: status.clientsJoined)
        response.clientsExpected = UInt32(clamping: status.clientsExpected)
        response.selected = status.selected
        response.nextRound = UInt64(max(0, status.nextRound ?? 0))
        return ServerResponse(message: response)
    }

    func leave(
        request: ServerRequest<Fedbone_V1_LeaveRequest>, context: ServerContext
    ) async throws -> ServerResponse<Fedbone_V1_LeaveResponse> {
        let message = request.message
        let client = try authenticator.authorize(request.metadata, clientID: message.clientID)
        try await sessions.close(clientID: client.id, session: message.session)
        do { try await backend.leave(client: client.id) } catch { throw Self.status(for: error) }
        return ServerResponse(message: Fedbone_V1_LeaveResponse())
    }

    func reportMetrics(
        request: ServerRequest<Fedbone_V1_ReportMetricsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Fedbone_V1_ReportMetricsResponse> {
        let message = request.message
        let client = try authenticator.authorize(request.metadata, clientID: message.clientID)
        _ = try await sessions.current(client.id, message.session)
        let report: MetricsReport
        do { report = try MetricsReport(validating: message) } catch {
            throw RPCError(code: .invalidArgument, message: error.description)
        }
        do { try await backend.reportMetrics(client: client.id, report: report) } catch { throw Self.status(for: error) }
        return ServerResponse(message: Fedbone_V1_ReportMetricsResponse())
    }

    // MARK: - Checks

    /// The per-sample embedding shape from Join: 1 to 7 positive dimensions within the limits.
    private func checkedEmbeddingShape(_ shape: [Int64]) throws(RPCError) -> [Int] {
        guard (1..<TensorLimits.maxRank).contains(shape.count), shape.allSatisfy({ $0 > 0 }) else {
            throw RPCError(code: .invalidArgument, message: "embedding_shape \(echoed(shape)) must have 1 to \(TensorLimits.maxRank - 1) positive dimensions")
        }
        var count: Int64 = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= Int64(limits.maxElements) else {
                throw RPCError(code: .invalidArgument, message: "embedding_shape \(echoed(shape)) has more than the allowed \(limits.maxElements) elements per sample")
            }
            count = product
        }
        return shape.map { Int($0) }
    }

    /// Refuses, before anything runs, a call whose answer could not be sent: a Forward's Backward
    /// answer (the embedding gradient has the embeddings' shape) or an Infer's features (the Swin
    /// general model's features never have more elements than its embeddings), in the response
    /// dtype chosen at Join (an F16 request with F32 answers needs twice the bytes). Bounded like
    /// the client's own check: the tensor bytes plus 11 bytes per dimension plus 128 for the
    /// other fields. Checked again on the features a backend returned, so that no answer is
    /// ever larger than the advertised `max_message_bytes`.
    private func checkAnswerFits(_ shape: [Int], dtype: WireDType, answer: String) throws(RPCError) {
        let bytes = shape.reduce(1, *) * dtype.byteWidth + 11 * shape.count + 128
        guard bytes <= maxMessageBytes else {
            throw RPCError(
                code: .resourceExhausted,
                message: "\(answer) for these embeddings would be about \(bytes) bytes in \(dtype.rawValue), above the limit of \(maxMessageBytes) bytes; send smaller batches or join with a 16-bit response_dtype"
            )
        }
    }

    /// A round or step number as an `Int`.
    private static func checkedCount(_ value: UInt64, name: String) throws(RPCError) -> Int {
        guard value <= UInt64(Int32.max) else {
            throw RPCError(code: .invalidArgument, message: "\(name) \(value) is out of range")
        }
        return Int(value)
    }

    /// Decodes and validates a tensor field, mapping failures to INVALID_ARGUMENT (or
    /// RESOURCE_EXHAUSTED for the element bound).
    /// Refuses, before decoding, embeddings whose batch (first dimension) exceeds the session's cap.
    private func checkBatch(_ tensor: Fedbone_V1_Tensor, cap: Int?, call: String) throws(RPCError) {
        guard let cap, let batch = tensor.shape.first, batch > Int64(cap) else { return }
        throw RPCError(code: .resourceExhausted, message: "a \(call) of batch \(batch) exceeds this server's cap of \(cap) samples per request for this client (JoinResponse.max_batch, from its memory budget); send smaller batches")
    }

    /// Embeddings of the shape the client stated at Join: `[N] + shape` for a patch grid; for
    /// token sequences (a stated `[maxLength, C]`) `[N, L, C]` with `1 ≤ L ≤ maxLength`.
    private func decodeEmbeddings(_ tensor: Fedbone_V1_Tensor, present: Bool, stated: [Int]) throws(RPCError) -> Tensor {
        guard stated.count == 2 else { return try decode(tensor, present: present, name: "embeddings", shape: .batched(stated)) }
        let embeddings = try decode(tensor, present: present, name: "embeddings", shape: ExpectedShape(dimensions: [nil, nil, stated[1]]))
        guard embeddings.shape[1] <= stated[0] else {
            throw RPCError(code: .invalidArgument,
                           message: "embeddings of \(embeddings.shape[1]) tokens exceed the \(stated[0]) stated at Join (embedding_shape [\(stated[0]), \(stated[1])])")
        }
        return embeddings
    }

    /// The sequence lengths of a request (nil when it sends none), one per sample of
    /// `embeddings`; the general model checks that each is in 1…L.
    static func lengths(_ values: [UInt32], embeddings: Tensor) throws(RPCError) -> [Int]? {
        guard !values.isEmpty else { return nil }
        guard values.count == embeddings.shape.first else {
            throw RPCError(code: .invalidArgument, message: "\(values.count) sequence lengths for a batch of \(embeddings.shape.first ?? 0) embeddings; send one per sample")
        }
        return values.map { Int($0) }
    }

    private func decode(_ tensor: Fedbone_V1_Tensor, present: Bool, name: String, shape: ExpectedShape) throws(RPCError) -> Tensor {
        do {
            let decoded = try Fedbone_V1_Tensor.decode(tensor, present: present, name: name, limits: limits)
            try shape.check(decoded, name: name)
            return decoded
        } catch {
            throw RPCError(code: error.isSizeLimit ? .resourceExhausted : .invalidArgument, message: error.description)
        }
    }

    /// The gRPC status for an error a backend threw.
    private static func status(for error: any Error) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as SplitTrainingBackendError:
            switch error {
            case .invalidArgument(let text): return RPCError(code: .invalidArgument, message: text)
            case .failedPrecondition(let text): return RPCError(code: .failedPrecondition, message: text)
            case .unavailable(let text): return RPCError(code: .unavailable, message: text)
            case .aborted(let text): return RPCError(code: .aborted, message: text)
            case .resourceExhausted(let text): return RPCError(code: .resourceExhausted, message: text)
            }
        case is CancellationError:
            return RPCError(code: .cancelled, message: "the call was cancelled (its deadline passed or the client went away) before it ran")
        default:
            return RPCError(code: .internalError, message: "server error: \(error)")
        }
    }
}
