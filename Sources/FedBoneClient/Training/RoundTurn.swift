import Foundation

/// What the server says of a round a networked client waits for (``RoundTurn/await(_:connection:interval:)``).
enum RoundTurn: Equatable {
    /// The round is open and the client trains it.
    case train
    /// The server has moved past the round without the client (it was not sampled for it, or
    /// was dropped); the server is at `serverRound` now.
    case passed(serverRound: Int)
    /// Training is over.
    case finished

    /// Asks the server (Status) until the client is selected for `round` (open, or about to open:
    /// its first Forward then waits at the server for the round, so the round's timeout is not
    /// spent in this loop's sleeps), the server has moved past it, or training is over. Waits
    /// 10 ms between the first calls, doubling up to `interval`. Call it from the client's own
    /// thread (it blocks).
    static func await(_ round: Int, connection: FedBoneTransportClient, interval: Duration) throws -> RoundTurn {
        var wait = min(Duration.milliseconds(10), interval)
        while true {
            let status = try RemoteGeneralModelService.blocking { try await connection.status() }
            if status.phase == .finished { return .finished }
            if status.round > round { return .passed(serverRound: status.round) }
            if status.round == round, status.selected { return .train }
            Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18)
            wait = min(wait * 2, interval)
        }
    }
}
