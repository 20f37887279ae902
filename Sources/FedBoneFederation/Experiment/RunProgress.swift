import Foundation

/// How a run shows its progress, drawn with ``ProgressDisplay`` in one style: a bar redrawn in
/// place on a terminal, plain lines otherwise (logs, CI), JSON lines for scripts, or nothing.
/// The run opens one display for its training steps and one per evaluation, and writes notes
/// (a finished round, resuming) as lines between the bar's redraws (bar and lines styles only).
public final class RunProgress {
    /// The style in use (`automatic` resolved from the sink).
    public let style: ProgressDisplay.Style
    private let sink: ProgressSink

    /// Progress in `style` on `sink` (standard error by default, keeping standard output for results).
    public init(style: ProgressDisplay.Style = .automatic, sink: ProgressSink = .standardError) {
        self.sink = sink
        self.style = style == .automatic ? (sink.isTerminal ? .bar : .lines) : style
    }

    /// No output at all.
    public static var quiet: RunProgress { RunProgress(style: .quiet) }

    /// A display for one piece of work of `total` `unit`s.
    func display(_ label: String, total: Int?, unit: String) -> ProgressDisplay {
        ProgressDisplay(label, total: total, unit: unit, style: style, sink: sink)
    }

    /// Finishes `display` with `message`. A bar is cut at the terminal's width, so in the bar
    /// style the message goes on a line of its own after the finished bar.
    func finish(_ display: ProgressDisplay, message: String) {
        guard style == .bar else { return display.finish(message: message) }
        display.finish()
        note(message)
    }

    /// A line of text; in the bar style it first erases the bar, which the next update redraws.
    public func note(_ text: String) {
        switch style {
        case .bar: sink.write("\r\u{1B}[2K" + text + "\n")
        case .lines: sink.write(text + "\n")
        case .jsonLines, .quiet, .automatic: break
        }
    }
}
