import Foundation

/// A fresh empty directory under the system temporary directory.
func temporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("fedbone-reporting-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// `$FEDBONE_TB_OUT/<name>` (emptied) when that variable is set, so a test's TensorBoard files
/// survive for `tools/check_tensorboard.py`; otherwise a temporary directory.
func keptOrTemporaryDirectory(_ name: String) throws -> URL {
    guard let root = ProcessInfo.processInfo.environment["FEDBONE_TB_OUT"], !root.isEmpty else {
        return try temporaryDirectory(name)
    }
    let url = URL(fileURLWithPath: root).appendingPathComponent(name)
    try? FileManager.default.removeItem(at: url)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A clock that starts at `start` and moves only when told.
final class ManualClock {
    var now: Double
    init(_ start: Double) { now = start }
}

/// Collects what a `ProgressDisplay` writes.
final class TextCollector {
    var text = ""
}
