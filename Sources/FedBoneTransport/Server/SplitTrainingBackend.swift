/// What the gRPC server needs from the training side: the general-model server's operations,
/// with tensors already decoded and validated.
///
/// The transport checks authentication, sessions, round and step order, dtypes, shapes and
/// finite values before it calls any of these, so an implementation sees only well-formed
/// requests of the client that owns the state it touches. The federation's in-process server
/// conforms through a thin adapter (the simulation calls the same operations directly).
///
/// Errors: throw ``SplitTrainingBackendError`` to send the peer a precise status; any other
/// error reaches the peer as INTERNAL.
public protocol SplitTrainingBackend: Sendable {
    /// A client (re)joins. Any state from its previous session is discarded.
    func join(_ registration: ClientRegistration) async throws -> JoinAcceptance

    /// General-model features for `embeddings` (shape `[N] + registration.embeddingShape`, or
    /// `[N, L, C]` with L up to the stated longest for token sequences, whose real `lengths`
    /// come with them; nil: no padding), keeping what the matching
    /// ``backward(client:round:step:featureGradient:)`` needs.
    func forward(client: UInt32, round: Int, step: Int, embeddings: sending Tensor, lengths: [Int]?) async throws -> sending Tensor

    /// Back-propagates `featureGradient` (the shape of the features the matching forward
    /// returned) and returns the gradient with respect to that forward's embeddings.
    func backward(client: UInt32, round: Int, step: Int, featureGradient: sending Tensor) async throws -> sending Tensor

    /// Features for `embeddings` without keeping any state.
    func infer(client: UInt32, embeddings: sending Tensor, lengths: [Int]?) async throws -> sending Tensor

    /// The client has finished `round`. Returns once the round is aggregated (or dropped).
    func endRound(client: UInt32, round: Int) async throws -> RoundBarrierResult

    /// Where training stands, for client `client` (whether it trains the current round).
    func status(client: UInt32) async throws -> TrainingStatus

    /// The client leaves; it takes no part in aggregation until it joins again.
    func leave(client: UInt32) async throws

    /// The client's results of `report.round` (already validated: finite values, valid names).
    func reportMetrics(client: UInt32, report: MetricsReport) async throws
}

extension SplitTrainingBackend {
    /// ``forward(client:round:step:embeddings:lengths:)`` of a patch grid or of unpadded sequences.
    public func forward(client: UInt32, round: Int, step: Int, embeddings: sending Tensor) async throws -> sending Tensor {
        try await forward(client: client, round: round, step: step, embeddings: embeddings, lengths: nil)
    }
}

/// A client that has authenticated and asks to join.
public struct ClientRegistration: Sendable, Equatable {
    /// The configured id of the client.
    public var clientID: UInt32
    /// The configured name of the client.
    public var name: String
    /// The task the client trains (a ``TaskKind`` raw value for FedBone's own clients).
    public var task: String
    /// The shape of one sample's embeddings, without the batch dimension.
    public var embeddingShape: [Int]
    /// Classes of the client's labels (label tasks; 0 for the others).
    public var classes: Int
    /// Training samples in the client's own data (≥ 1).
    public var trainSamples: Int

    /// Creates a registration.
    public init(clientID: UInt32, name: String, task: String, embeddingShape: [Int], classes: Int = 0, trainSamples: Int = 1) {
        self.clientID = clientID
        self.name = name
        self.task = task
        self.embeddingShape = embeddingShape
        self.classes = classes
        self.trainSamples = trainSamples
    }
}

/// The backend's answer to a join.
public struct JoinAcceptance: Sendable, Equatable {
    /// The round the client takes part in next.
    public var round: Int
    /// Rounds the server runs in total (0: not fixed).
    public var totalRounds: Int
    /// The client's place in the federation (from 0; see `federation_index` in the `.proto`).
    public var federationIndex: Int
    /// The largest batch one Forward or Infer of the client may carry (nil: no cap).
    public var maxBatch: Int?

    /// Creates an acceptance.
    public init(round: Int, totalRounds: Int, federationIndex: Int = 0, maxBatch: Int? = nil) {
        self.round = round
        self.totalRounds = totalRounds
        self.federationIndex = federationIndex
        self.maxBatch = maxBatch
    }
}

/// Errors a backend throws to give the peer a precise gRPC status.
public enum SplitTrainingBackendError: Error, Equatable, Sendable {
    /// The request is well-formed but wrong for the model (INVALID_ARGUMENT).
    case invalidArgument(String)
    /// The request does not fit the server's state, e.g. the round is over (FAILED_PRECONDITION).
    case failedPrecondition(String)
    /// The server is shutting down or not ready; the client may retry (UNAVAILABLE).
    case unavailable(String)
    /// The client was dropped from the round (ABORTED); it should join again.
    case aborted(String)
    /// The client has too many calls waiting (RESOURCE_EXHAUSTED); it should wait for their answers.
    case resourceExhausted(String)
}

extension ClientRegistration {
    /// The most classes a Join may state.
    public static let maxClasses: UInt32 = 65536
}
