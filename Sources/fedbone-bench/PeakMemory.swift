import Foundation

/// Peak resident memory of this process, read from Linux's `/proc/self/status`.
///
/// ``reset()`` writes `5` to `/proc/self/clear_refs`, which sets the peak (`VmHWM`) back to the
/// current resident size, so the peak of one training step is `VmHWM` after the step, and its
/// growth over the step is that minus `VmRSS` before it. Elsewhere every reading is `nil`.
enum PeakMemory {
    /// Starts a new peak at the current resident size; false where that is not supported.
    @discardableResult
    static func reset() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// Resident memory now, in bytes.
    static var resident: Double? { statusField("VmRSS") }

    /// The highest resident memory since the last ``reset()``, in bytes.
    static var peak: Double? { statusField("VmHWM") }

    /// A `kB` field of `/proc/self/status`, in bytes.
    private static func statusField(_ name: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            // `VmHWM:\t   2084 kB`; from 8 digits on the tab is the only separator.
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kB = Double(fields[1]) else { return nil }
            return kB * 1024
        }
        return nil
    }

    /// The peak resident memory of one run of `body` and its growth over the resident memory
    /// before it, in bytes; `nil` where the process cannot read them.
    static func measure(_ body: () -> Void) -> (peak: Double, growth: Double)? {
        guard reset(), let before = resident else { return nil }
        body()
        guard let top = peak else { return nil }
        return (top, top - before)
    }
}
