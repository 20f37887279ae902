// What the server answers a client about the federation as a whole: the end-of-round barrier
// and its state, as both sides of the wire see them.

/// The result of the end-of-round barrier.
public struct RoundBarrierResult: Sendable, Equatable {
    /// The round that comes next.
    public var nextRound: Int
    /// True when training is over.
    public var finished: Bool

    /// Creates a barrier result.
    public init(nextRound: Int, finished: Bool) {
        self.nextRound = nextRound
        self.finished = finished
    }
}

/// What the server is doing.
public enum TrainingPhase: Sendable, Equatable {
    /// Waiting for the configured clients to join.
    case waitingForClients
    /// Running a round.
    case training
    /// Aggregating the round's updates.
    case aggregating
    /// Training is over.
    case finished
}

/// The server's state as reported to heartbeats.
public struct TrainingStatus: Sendable, Equatable {
    /// The current round.
    public var round: Int
    /// What the server is doing.
    public var phase: TrainingPhase
    /// Clients with an open session.
    public var clientsJoined: Int
    /// Clients the server is configured for.
    public var clientsExpected: Int
    /// Whether the asking client trains `round` (sampled for it and, once it is open, taking part).
    public var selected: Bool
    /// The next round, `round` or later, the asking client is sampled to train (nil: none left).
    public var nextRound: Int?

    /// Creates a status.
    public init(round: Int, phase: TrainingPhase, clientsJoined: Int, clientsExpected: Int, selected: Bool = true, nextRound: Int? = nil) {
        self.round = round
        self.phase = phase
        self.clientsJoined = clientsJoined
        self.clientsExpected = clientsExpected
        self.selected = selected
        self.nextRound = nextRound
    }
}
