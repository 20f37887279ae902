import Foundation
import Testing
@testable import FedBoneReporting

@Suite struct ProgressTests {
    private func make(
        _ style: ProgressDisplay.Style, total: Int?, terminal: Bool = false, width: Int = 80
    ) -> (ProgressDisplay, ManualClock, TextCollector) {
        let clock = ManualClock(100)
        let out = TextCollector()
        let sink = ProgressSink(isTerminal: terminal) { out.text += $0 }
        let progress = ProgressDisplay(
            "rounds", total: total, unit: "rounds", style: style, sink: sink, clock: { clock.now },
            barInterval: 0.1, lineInterval: 10, width: width)
        return (progress, clock, out)
    }

    @Test func automaticStyleFollowsTheSink() {
        #expect(make(.automatic, total: 1, terminal: false).0.style == .lines)
        #expect(make(.automatic, total: 1, terminal: true).0.style == .bar)
        #expect(ProgressDisplay.Style(rawValue: "json") == .jsonLines)
    }

    @Test func plainLinesArePeriodicAndExact() {
        let (progress, clock, out) = make(.automatic, total: 40)
        for _ in 0..<40 {
            clock.now += 0.5
            progress.advance(message: clock.now == 112 ? "evaluating" : nil)
        }
        progress.finish()
        #expect(out.text == """
            rounds: 20/40 (50%) 2.00 rounds/s ETA 0:10
            rounds: 40/40 (100%) 2.00 rounds/s ETA 0:00 | evaluating
            rounds: 40/40 (100%) 2.00 rounds/s in 0:20 | evaluating

            """)
    }

    @Test func slowWorkShowsSecondsPerUnitAndLongETAs() {
        let (progress, clock, out) = make(.lines, total: 1000)
        clock.now += 30
        progress.advance(message: "client 3")
        #expect(out.text == "rounds: 1/1000 (0%) 30.00 s/rounds ETA 8:19:30 | client 3\n")
    }

    @Test func unknownTotalHasNoPercentOrETA() {
        let (progress, clock, out) = make(.lines, total: nil)
        clock.now += 12
        progress.update(completed: 6)
        progress.finish(message: "done")
        #expect(out.text == "rounds: 6 2.00 s/rounds\nrounds: 6 2.00 s/rounds in 0:12 | done\n")
    }

    @Test func jsonLinesModeEmitsOneObjectPerUpdate() throws {
        let (progress, clock, out) = make(.jsonLines, total: 4)
        for step in 1...4 {
            clock.now += 2
            progress.advance(message: step == 2 ? "half" : nil)
        }
        progress.finish()
        let lines = out.text.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0] == #"{"completed":1,"done":false,"elapsed":2,"eta":6,"label":"rounds","rate":0.5,"total":4,"unit":"rounds"}"#)
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.map { $0?["completed"] as? Int } == [1, 2, 3, 4, 4])
        #expect(objects.map { $0?["done"] as? Bool } == [false, false, false, false, true])
        #expect(objects[3]?["message"] as? String == "half")
        #expect(objects[4]?["eta"] == nil)
        #expect(objects[4]?["elapsed"] as? Double == 8)
    }

    @Test func barRedrawsInPlaceAndEndsTheLine() {
        let (progress, clock, out) = make(.bar, total: 10, terminal: true)
        clock.now += 1
        progress.update(completed: 5, message: "client seg-0")
        clock.now += 0.05
        progress.advance()
        progress.finish()
        let erase = "\r\u{1B}[2K"
        #expect(out.text == erase + "rounds [██████████░░░░░░░░░░] 5/10 50% 5.00 rounds/s ETA 0:01 | client seg-0"
            + erase + "rounds [████████████░░░░░░░░] 6/10 60% 5.71 rounds/s in 0:01 | client seg-0\n")
    }

    @Test func barIsCutToTheWidth() {
        let (progress, clock, out) = make(.bar, total: 10, terminal: true, width: 30)
        clock.now += 1
        progress.update(completed: 1, message: "a long message that does not fit")
        let line = out.text.replacingOccurrences(of: "\r\u{1B}[2K", with: "")
        #expect(line.count == 30)
        #expect(line.hasSuffix("…"))
    }

    @Test func quietWritesNothingAndFinishIsIdempotent() {
        let (quiet, clock, out) = make(.quiet, total: 3)
        clock.now += 1
        quiet.advance()
        quiet.finish()
        #expect(out.text.isEmpty)

        let (lines, _, lineOut) = make(.lines, total: 3)
        lines.finish()
        lines.finish()
        lines.advance()
        #expect(lineOut.text.split(separator: "\n").count == 1)
        #expect(lines.completed == 0)
    }

    @Test func durationsFormatAsClockTimes() {
        #expect(ProgressDisplay.duration(0) == "0:00")
        #expect(ProgressDisplay.duration(59.6) == "1:00")
        #expect(ProgressDisplay.duration(3725) == "1:02:05")
        #expect(ProgressDisplay.duration(.infinity) == "0:00")
    }
}
