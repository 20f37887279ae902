import Foundation

/// Writes scalars to a TensorBoard event file `events.out.tfevents.<unix seconds>.<hostname>`
/// in `directory` (created if missing).
///
/// The first record is an event with `file_version: "brain.Event:2"`; every `scalar` call adds
/// one event with one `simple_value`. Records are buffered in memory and appended to the file
/// by `flush()` (and `close()`). Given the clock and the hostname, the file's bytes are fully
/// deterministic. Not thread-safe: use one writer from one task.
public final class TensorBoardWriter {
    /// The event file this writer appends to.
    public let fileURL: URL
    private let clock: () -> Double
    private var handle: FileHandle?
    private var pending: [UInt8] = []

    /// Opens a new event file.
    /// - Parameters:
    ///   - directory: the log directory (TensorBoard's `--logdir` or a subdirectory of it).
    ///   - hostname: the file name's last part; defaults to this machine's host name.
    ///   - clock: seconds since the Unix epoch; names the file and stamps events written
    ///     without an explicit wall time.
    /// If a file of that name exists (two writers in the same second), `.1`, `.2`, … is appended.
    public init(
        directory: URL,
        hostname: String = ProcessInfo.processInfo.hostName,
        clock: @escaping () -> Double = { Date().timeIntervalSince1970 }
    ) throws {
        self.clock = clock
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = clock()
        let host = hostname.isEmpty ? "localhost" : hostname.replacingOccurrences(of: "/", with: "_")
        let base = "events.out.tfevents.\(Int64(now.rounded(.down))).\(host)"
        var url = directory.appendingPathComponent(base)
        var suffix = 1
        while manager.fileExists(atPath: url.path) {
            url = directory.appendingPathComponent("\(base).\(suffix)")
            suffix += 1
        }
        fileURL = url
        guard manager.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = try FileHandle(forWritingTo: url)
        append(TensorBoardEvent(wallTime: now, step: 0, fileVersion: "brain.Event:2"))
    }

    deinit {
        try? close()
    }

    /// Records `value` (stored as a 32-bit float, TensorBoard's `simple_value`) under `tag` at
    /// `step`, stamped `wallTime` (seconds since the epoch; the clock when nil).
    public func scalar(_ tag: String, _ value: Double, step: Int, wallTime: Double? = nil) {
        append(TensorBoardEvent(
            wallTime: wallTime ?? clock(), step: Int64(step),
            scalars: [.init(tag: tag, value: Float(value))]))
    }

    /// Appends an arbitrary event.
    public func append(_ event: TensorBoardEvent) {
        precondition(handle != nil, "TensorBoardWriter: write after close (\(fileURL.path))")
        pending += TFRecord.frame(event.serialized())
    }

    /// Appends the buffered records to the file.
    public func flush() throws {
        guard let handle, !pending.isEmpty else { return }
        try handle.seekToEnd()
        try handle.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; later calls do nothing.
    public func close() throws {
        guard let handle else { return }
        defer { self.handle = nil }
        try flush()
        try handle.close()
    }
}
