import Foundation

/// Progress of a long piece of work (data generation, rounds, evaluation).
///
/// Styles:
/// - `bar` (a terminal): one line redrawn in place, at most every `barInterval` seconds:
///   `label [█████░░░░░] 12/40  30% 2.00 it/s ETA 0:14 | message`.
/// - `lines` (not a terminal: logs, CI): a plain line when `lineInterval` seconds have passed
///   since the last one, and a final line:
///   `label: 12/40 (30%) 2.00 it/s ETA 0:14 | message`, `label: 40/40 (100%) 2.00 it/s in 0:20`.
/// - `jsonLines` (scripts): one JSON object per update, keys sorted:
///   `{"completed":12,"done":false,"elapsed":6,"eta":14,"label":"rounds","rate":2,"total":40,"unit":"it"}`
///   (`total`, `rate`, `eta`, `message` are left out when unknown).
/// - `quiet`: nothing.
/// `automatic` picks `bar` when the sink is a terminal, `lines` otherwise.
///
/// Rate is completed ÷ elapsed since creation; ETA is (total − completed) ÷ rate. With an
/// injected clock and sink the output is deterministic. Not thread-safe: report from one task.
public final class ProgressDisplay {
    /// How progress is shown; the raw values are what a `--progress` option accepts.
    public enum Style: String, Sendable, CaseIterable {
        case automatic = "auto"
        case bar
        case lines
        case jsonLines = "json"
        case quiet
    }

    public let label: String
    /// The amount of work, if known.
    public let total: Int?
    /// The unit counted (`it`, `rounds`, `images`), shown in the rate.
    public let unit: String
    /// The style in use (`automatic` resolved).
    public let style: Style
    public private(set) var completed = 0
    /// The latest message (kept until a new one is given).
    public private(set) var message: String?
    public private(set) var isFinished = false

    private let sink: ProgressSink
    private let clock: () -> Double
    private let start: Double
    private let barInterval: Double
    private let lineInterval: Double
    private let width: Int
    private var lastEmit: Double
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Starts tracking; writes nothing until the first update.
    /// - Parameters:
    ///   - clock: monotonic seconds (default: system uptime).
    ///   - barInterval: the least time between two redraws of the bar.
    ///   - lineInterval: the least time between two plain lines.
    ///   - width: the bar line's width in characters (default: `$COLUMNS`, else 80).
    public init(
        _ label: String, total: Int?, unit: String = "it", style: Style = .automatic,
        sink: ProgressSink = .standardError,
        clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime },
        barInterval: Double = 0.1, lineInterval: Double = 10,
        width: Int = ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) } ?? 80
    ) {
        self.label = label
        self.total = total
        self.unit = unit
        self.style = style == .automatic ? (sink.isTerminal ? .bar : .lines) : style
        self.sink = sink
        self.clock = clock
        self.barInterval = barInterval
        self.lineInterval = lineInterval
        self.width = max(width, 20)
        start = clock()
        lastEmit = start
    }

    /// Adds `count` finished units; a non-nil `message` replaces the shown message.
    public func advance(by count: Int = 1, message: String? = nil) {
        update(completed: completed + count, message: message)
    }

    /// Sets the finished units; a non-nil `message` replaces the shown message. Ignored after
    /// `finish`.
    public func update(completed: Int, message: String? = nil) {
        guard !isFinished else { return }
        self.completed = completed
        if let message { self.message = message }
        let now = clock()
        switch style {
        case .bar where now - lastEmit >= barInterval:
            lastEmit = now
            sink.write("\r\u{1B}[2K" + barLine(now: now))
        case .lines where now - lastEmit >= lineInterval:
            lastEmit = now
            sink.write(plainLine(now: now, final: false) + "\n")
        case .jsonLines:
            sink.write(jsonLine(now: now, done: false) + "\n")
        default:
            break
        }
    }

    /// Ends the work: draws the final state (ending the bar's line) once; later calls do nothing.
    public func finish(message: String? = nil) {
        guard !isFinished else { return }
        isFinished = true
        if let message { self.message = message }
        let now = clock()
        switch style {
        case .bar: sink.write("\r\u{1B}[2K" + barLine(now: now) + "\n")
        case .lines: sink.write(plainLine(now: now, final: true) + "\n")
        case .jsonLines: sink.write(jsonLine(now: now, done: true) + "\n")
        case .quiet, .automatic: break
        }
    }

    // MARK: formatting

    private func rate(now: Double) -> Double? {
        let elapsed = now - start
        return elapsed > 0 && completed > 0 ? Double(completed) / elapsed : nil
    }

    private func eta(now: Double) -> Double? {
        guard let total, let rate = rate(now: now) else { return nil }
        return Double(max(total - completed, 0)) / rate
    }

    private func rateText(now: Double) -> String {
        guard let rate = rate(now: now) else { return "-- \(unit)/s" }
        return rate >= 1 ? String(format: "%.2f", rate) + " \(unit)/s" : String(format: "%.2f", 1 / rate) + " s/\(unit)"
    }

    private func countText() -> String {
        guard let total else { return "\(completed)" }
        return "\(completed)/\(total)"
    }

    private func percent() -> Int? {
        guard let total, total > 0 else { return nil }
        return Int((100 * Double(min(completed, total)) / Double(total)).rounded(.down))
    }

    private var messageSuffix: String { message.map { " | \($0)" } ?? "" }

    func plainLine(now: Double, final: Bool) -> String {
        var parts = ["\(label): \(countText())"]
        if let percent = percent() { parts.append("(\(percent)%)") }
        parts.append(rateText(now: now))
        if final {
            parts.append("in \(Self.duration(now - start))")
        } else if let eta = eta(now: now) {
            parts.append("ETA \(Self.duration(eta))")
        }
        return parts.joined(separator: " ") + messageSuffix
    }

    func barLine(now: Double) -> String {
        var parts = [label]
        if let total, total > 0 {
            let cells = 20
            let filled = min(cells, cells * min(completed, total) / total)
            parts.append("[" + String(repeating: "█", count: filled) + String(repeating: "░", count: cells - filled) + "]")
        }
        parts.append(countText())
        if let percent = percent() { parts.append("\(percent)%") }
        parts.append(rateText(now: now))
        if isFinished {
            parts.append("in \(Self.duration(now - start))")
        } else if let eta = eta(now: now) {
            parts.append("ETA \(Self.duration(eta))")
        }
        let line = parts.joined(separator: " ") + messageSuffix
        return line.count <= width ? line : String(line.prefix(width - 1)) + "…"
    }

    private struct Update: Encodable {
        var label: String
        var completed: Int
        var total: Int?
        var unit: String
        var elapsed: Double
        var rate: Double?
        var eta: Double?
        var message: String?
        var done: Bool
    }

    func jsonLine(now: Double, done: Bool) -> String {
        let update = Update(
            label: label, completed: completed, total: total, unit: unit, elapsed: now - start,
            rate: rate(now: now), eta: done ? nil : eta(now: now), message: message, done: done)
        // Every field is a finite number, a string or a Bool, so encoding cannot fail.
        let data = (try? encoder.encode(update)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// `m:ss`, or `h:mm:ss` from an hour, rounded to the second.
    static func duration(_ seconds: Double) -> String {
        let total = seconds.isFinite ? Int(max(seconds, 0).rounded()) : 0
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h > 0 { return "\(h):" + (m < 10 ? "0\(m)" : "\(m)") + ":" + ss }
        return "\(m):" + ss
    }
}
