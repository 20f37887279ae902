import Foundation

/// Progress of a run on the terminal: plain lines on stderr (`normal`), nothing (`quiet`), or
/// one JSON object per event on stdout (`jsonLines`, for scripts: events `step`, `client`,
/// `evaluation`, `round`).
public final class TerminalProgress {
    public enum Mode: String, Sendable, CaseIterable { case normal, quiet, jsonLines = "json-lines" }

    public let mode: Mode
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    public init(mode: Mode) { self.mode = mode }

    /// A plain message (normal mode only).
    public func note(_ text: String) {
        if mode == .normal { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }

    /// After every mini-batch (JSON-lines mode only: plain mode prints one line per client).
    public func step(round: Int, client: String, step: Int, steps: Int, loss: Double) {
        guard mode == .jsonLines else { return }
        emit(["event": .string("step"), "round": .int(round), "client": .string(client), "step": .int(step),
              "steps": .int(steps), "loss": .double(loss)])
    }

    /// A client finished its local training; `secondsLeft` estimates the rest of the run.
    public func client(round: Int, rounds: Int, stats: ClientRoundStats, secondsLeft: Double?) {
        switch mode {
        case .quiet: return
        case .normal:
            let left = secondsLeft.map { " · \(Self.duration($0)) left" } ?? ""
            note(String(format: "round %d/%d · %@ · step %d/%d · loss %.4f · %.1fs%@", round, rounds, stats.client,
                        stats.steps, stats.steps, stats.loss, stats.seconds, left))
        case .jsonLines:
            emit(["event": .string("client"), "round": .int(round), "client": .string(stats.client), "steps": .int(stats.steps),
                  "loss": .double(stats.loss), "seconds": .double(stats.seconds), "secondsLeft": secondsLeft.map(Field.double) ?? .null])
        }
    }

    /// A round's evaluation.
    public func evaluation(round: Int, clients: [String], results: [EvaluationSummary]) {
        switch mode {
        case .quiet: return
        case .normal:
            let parts = zip(clients, results).map { String(format: "%@ %@ %.4f", $0, $1.primary.name, $1.primary.value) }
            note("eval round \(round): " + parts.joined(separator: " · "))
        case .jsonLines:
            for (client, r) in zip(clients, results) {
                emit(["event": .string("evaluation"), "round": .int(round), "client": .string(client), "metric": .string(r.primary.name),
                      "value": .double(r.primary.value), "loss": .double(r.loss)])
            }
        }
    }

    /// A round finished.
    public func round(_ round: Int, rounds: Int, seconds: Double, projections: Int?) {
        switch mode {
        case .quiet: return
        case .normal:
            let gp = projections.map { " · \($0) projections" } ?? ""
            note(String(format: "round %d/%d done in %.1fs%@", round, rounds, seconds, gp))
        case .jsonLines:
            emit(["event": .string("round"), "round": .int(round), "rounds": .int(rounds), "seconds": .double(seconds),
                  "projections": projections.map(Field.int) ?? .null])
        }
    }

    /// `1m05s`-style duration.
    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 60 ? "\(t / 60)m\(String(format: "%02d", t % 60))s" : "\(t)s"
    }

    enum Field: Encodable {
        case string(String), int(Int), double(Double), null
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .string(s): try c.encode(s)
            case let .int(i): try c.encode(i)
            case let .double(d): try c.encode(d.isFinite ? d : 0)
            case .null: try c.encodeNil()
            }
        }
    }

    private func emit(_ fields: [String: Field]) {
        guard let data = try? encoder.encode(fields) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
