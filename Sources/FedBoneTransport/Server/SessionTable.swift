import GRPCCore

/// The per-client protocol state the transport keeps: the open session, the round, the
/// pending forward and the answers kept for retried calls.
///
/// Every check here happens before the backend is called, so a request out of order
/// changes nothing. Each client's calls are expected one at a time; calls of different
/// clients run concurrently.
actor SessionTable {
    struct PendingForward: Sendable {
        var round: Int
        var step: Int
        var embeddingShape: [Int]
        var featureShape: [Int]
        var backwardDone: Bool
    }

    struct ClientSession: Sendable {
        var session: String
        var embeddingShape: [Int]
        var responseDType: WireDType
        var round: Int
        /// The largest batch of one Forward or Infer (nil: no cap).
        var maxBatch: Int?
        var lastForward: PendingForward?
        var lastBackward: (round: Int, step: Int, response: Fedbone_V1_BackwardResponse)?
        var lastEndRound: (round: Int, response: Fedbone_V1_EndRoundResponse)?
    }

    /// What a Backward request should do.
    enum BackwardPlan: Sendable {
        /// A retry of the Backward that already succeeded: answer the same again.
        case replay(Fedbone_V1_BackwardResponse)
        /// Run it; the gradient must have `featureShape`, the answer `embeddingShape`.
        case run(featureShape: [Int], embeddingShape: [Int], responseDType: WireDType)
    }

    /// What an EndRound request should do.
    enum EndRoundPlan: Sendable {
        /// A retry of the EndRound that already returned: answer the same again.
        case replay(Fedbone_V1_EndRoundResponse)
        /// Wait at the backend's barrier.
        case run
    }

    private var sessions: [UInt32: ClientSession] = [:]

    /// Number of clients with an open session.
    var openCount: Int { sessions.count }

    /// Opens a new session for `clientID`, replacing any previous one.
    func open(clientID: UInt32, session: String, embeddingShape: [Int], responseDType: WireDType, round: Int, maxBatch: Int?) {
        sessions[clientID] = ClientSession(
            session: session, embeddingShape: embeddingShape, responseDType: responseDType, round: round, maxBatch: maxBatch
        )
    }

    /// Closes the session (Leave).
    func close(clientID: UInt32, session: String) throws(RPCError) {
        _ = try current(clientID, session)
        sessions[clientID] = nil
    }

    /// The client's session, which must be `session`.
    func current(_ clientID: UInt32, _ session: String) throws(RPCError) -> ClientSession {
        guard let state = sessions[clientID] else {
            throw RPCError(code: .failedPrecondition, message: "client \(clientID) has no open session; join again")
        }
        guard state.session == session else {
            throw RPCError(code: .failedPrecondition, message: "session \(echoed(session)) of client \(clientID) is no longer current; join again")
        }
        return state
    }

    /// Checks session, round and step order of a Forward; returns the client's session.
    ///
    /// The round is the session's or a later one (a client skips the rounds it was not sampled
    /// for); the session moves to it once the Forward succeeds. Steps start at 0 in each round
    /// and increase. The same step may be sent again (a retry) as long as its Backward has not
    /// completed.
    func beginForward(_ clientID: UInt32, _ session: String, round: Int, step: Int) throws(RPCError) -> ClientSession {
        let state = try current(clientID, session)
        try Self.checkRound(round, atLeast: state, clientID: clientID)
        if let last = state.lastForward, last.round == round {
            let acceptable = step > last.step || (step == last.step && !last.backwardDone)
            guard acceptable else {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "round \(round): step \(step) does not follow step \(last.step)\(last.backwardDone ? " (already completed)" : "")"
                )
            }
        }
        return state
    }

    /// Records a successful Forward.
    func completeForward(_ clientID: UInt32, _ session: String, round: Int, step: Int, embeddingShape: [Int], featureShape: [Int]) {
        guard sessions[clientID]?.session == session else { return }
        sessions[clientID]?.round = round
        sessions[clientID]?.lastForward = PendingForward(
            round: round, step: step, embeddingShape: embeddingShape, featureShape: featureShape, backwardDone: false
        )
    }

    /// Checks a Backward against the pending Forward.
    func beginBackward(_ clientID: UInt32, _ session: String, round: Int, step: Int) throws(RPCError) -> BackwardPlan {
        let state = try current(clientID, session)
        if let done = state.lastBackward, done.round == round, done.step == step {
            return .replay(done.response)
        }
        try Self.checkRound(round, state: state, clientID: clientID)
        guard let pending = state.lastForward, pending.round == round, pending.step == step, !pending.backwardDone else {
            throw RPCError(code: .failedPrecondition, message: "round \(round) step \(step): no matching Forward is pending")
        }
        return .run(featureShape: pending.featureShape, embeddingShape: pending.embeddingShape, responseDType: state.responseDType)
    }

    /// Records a successful Backward and keeps its answer for a retry.
    func completeBackward(_ clientID: UInt32, _ session: String, round: Int, step: Int, response: Fedbone_V1_BackwardResponse) {
        guard sessions[clientID]?.session == session else { return }
        sessions[clientID]?.lastForward?.backwardDone = true
        sessions[clientID]?.lastBackward = (round, step, response)
    }

    /// Checks an EndRound: the round must be the client's current one or a later one (or the one
    /// just ended, a retry).
    func beginEndRound(_ clientID: UInt32, _ session: String, round: Int) throws(RPCError) -> EndRoundPlan {
        let state = try current(clientID, session)
        if let done = state.lastEndRound, done.round == round { return .replay(done.response) }
        try Self.checkRound(round, atLeast: state, clientID: clientID)
        return .run
    }

    /// Moves the client to the next round and keeps the answer for a retry.
    func completeEndRound(_ clientID: UInt32, _ session: String, round: Int, response: Fedbone_V1_EndRoundResponse) {
        guard sessions[clientID]?.session == session else { return }
        sessions[clientID]?.round = Int(response.nextRound)
        sessions[clientID]?.lastForward = nil
        sessions[clientID]?.lastEndRound = (round, response)
    }

    private static func checkRound(_ round: Int, atLeast state: ClientSession, clientID: UInt32) throws(RPCError) {
        guard round >= state.round else {
            throw RPCError(code: .failedPrecondition, message: "client \(clientID) is in round \(state.round), not \(round)")
        }
    }

    private static func checkRound(_ round: Int, state: ClientSession, clientID: UInt32) throws(RPCError) {
        guard round == state.round else {
            throw RPCError(code: .failedPrecondition, message: "client \(clientID) is in round \(state.round), not \(round)")
        }
    }
}
