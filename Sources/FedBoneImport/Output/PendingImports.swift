import Foundation
import Synchronization

/// The temporary folders of the imports running in this process, so that an interrupted
/// process (Ctrl-C) can remove them before it exits: an import that never finishes leaves
/// nothing behind, not even its hidden `.<name>.importing-<uuid>` folder.
public enum PendingImports {
    private static let folders = Mutex<Set<String>>([])

    /// The temporary folders of the imports that have begun and neither finished nor failed.
    public static var paths: [String] { folders.withLock { $0.sorted() } }

    /// Removes every pending temporary folder (from a signal handler's queue, just before exit).
    public static func removeAll() {
        let pending = folders.withLock { current -> Set<String> in
            defer { current.removeAll() }
            return current
        }
        for path in pending { try? FileManager.default.removeItem(atPath: path) }
    }

    static func begin(_ folder: URL) { _ = folders.withLock { $0.insert(folder.path) } }

    static func end(_ folder: URL) { _ = folders.withLock { $0.remove(folder.path) } }
}
