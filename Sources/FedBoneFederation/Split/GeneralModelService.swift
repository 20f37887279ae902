/// A client's name, unique within a federation (e.g. `segmentation-0`).
public struct ClientID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }

    public static func < (a: ClientID, b: ClientID) -> Bool { a.name < b.name }
}

/// How a task client reaches the general model on the server (DESIGN §3's seam). The
/// simulation implements it with direct calls (``GeneralModelServer``); the transport will
/// implement it over gRPC. Federation logic on the client side is written against this only.
///
/// One split training step of client `c` in round `t`, mini-batch `s`:
/// ```
/// features   = try service.forward(client: c, round: t, step: s, embeddings: E, lengths: nil)   // [B, h, w, C_f]
/// …client head and loss, back-propagated to ∂L/∂features…
/// embeddingGradient = try service.backward(client: c, round: t, step: s, featureGradient: G)
/// ```
/// Each `forward` must be followed by the `backward` of the same step before the next
/// `forward`; a `forward` repeated with the same step and embeddings (a retry) returns the same
/// features. When the client has finished its local epochs it calls ``endRound(client:round:)``.
public protocol GeneralModelService: AnyObject {
    /// Runs the general model on a client's embeddings (an image client's patch grid
    /// `[B, H/p, W/p, C_e]`, or a text client's token sequences `[B, L, C_e]` with each
    /// sequence's real length in `lengths`; nil for a grid or unpadded sequences) and returns
    /// the features (`[B, h, w, C_f]`, or `[B, L, C_f]`; no autograd history), keeping what it
    /// needs for ``backward``.
    /// - Throws: ``GeneralModelServiceError``; on error nothing on the server changes.
    func forward(client: ClientID, round: Int, step: Int, embeddings: Tensor, lengths: [Int]?) throws -> Tensor

    /// Back-propagates ∂L/∂features (the shape of that step's features) through the general
    /// model, applies the server update for this mini-batch (replica step or gradient
    /// accumulation), and returns ∂L/∂embeddings.
    /// - Throws: ``GeneralModelServiceError``; on error nothing on the server changes.
    func backward(client: ClientID, round: Int, step: Int, featureGradient: Tensor) throws -> Tensor

    /// Features of the current general model θ^t (evaluation mode, no training state kept), of
    /// embeddings and lengths as ``forward(client:round:step:embeddings:lengths:)`` takes them.
    func infer(client: ClientID, embeddings: Tensor, lengths: [Int]?) throws -> Tensor

    /// The client has finished round `round`. Returns the round the general model is at after
    /// the call: `round + 1` once every participant of the round has ended it (the server then
    /// aggregated), `round` while others are still training.
    func endRound(client: ClientID, round: Int) throws -> Int
}

/// A request the general-model service refused. Nothing on the server changed.
public enum GeneralModelServiceError: Error, Equatable, CustomStringConvertible {
    /// The client is not registered with the server.
    case unknownClient(ClientID)
    /// The client does not take part in this round, or the round is not the current one.
    case notInRound(client: ClientID, round: Int, currentRound: Int)
    /// The embeddings are malformed (wrong shape, NaN or infinity).
    case badEmbeddings(client: ClientID, reason: String)
    /// The feature gradient is malformed (shape unlike the step's features, NaN or infinity).
    case badFeatureGradient(client: ClientID, reason: String)
    /// A backward for a step that had no forward, or a forward while a step awaits its backward.
    case outOfOrder(client: ClientID, reason: String)
    /// Every replica slot is taken (``GeneralModelServer/maxConcurrentReplicas``): the Forward
    /// may be sent again once another participant has ended the round.
    case replicasBusy(client: ClientID, limit: Int)

    public var description: String {
        switch self {
        case let .unknownClient(c): return "general model service: unknown client '\(c)'"
        case let .notInRound(c, round, current):
            return "general model service: client '\(c)' is not a participant of round \(round) (current round \(current))"
        case let .badEmbeddings(c, reason): return "general model service: bad embeddings from '\(c)': \(reason)"
        case let .badFeatureGradient(c, reason): return "general model service: bad feature gradient from '\(c)': \(reason)"
        case let .outOfOrder(c, reason): return "general model service: out-of-order request from '\(c)': \(reason)"
        case let .replicasBusy(c, limit):
            return "general model service: all \(limit) replicas are in use; '\(c)' trains once another participant ends the round"
        }
    }
}

extension GeneralModelServiceError {
    /// The general model's features for `client`'s embeddings came out NaN or infinite.
    static func nonFiniteFeatures(client: ClientID) -> Self {
        .badEmbeddings(client: client, reason: "the general model's features for them are not finite; the embeddings are too large, scale them down")
    }

    /// The gradients back-propagated from `client`'s feature gradient came out NaN or infinite.
    static func nonFiniteGradients(client: ClientID) -> Self {
        .badFeatureGradient(client: client, reason: "the gradients back-propagated from it are not finite; the gradient is too large, scale it down")
    }
}

extension GeneralModelService {
    /// ``forward(client:round:step:embeddings:lengths:)`` of a patch grid or of unpadded sequences.
    public func forward(client: ClientID, round: Int, step: Int, embeddings: Tensor) throws -> Tensor {
        try forward(client: client, round: round, step: step, embeddings: embeddings, lengths: nil)
    }

    /// ``infer(client:embeddings:lengths:)`` of a patch grid or of unpadded sequences.
    public func infer(client: ClientID, embeddings: Tensor) throws -> Tensor {
        try infer(client: client, embeddings: embeddings, lengths: nil)
    }
}
