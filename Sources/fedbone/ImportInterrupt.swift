import Dispatch
import FedBoneImport
import Foundation
import Synchronization

/// Ctrl-C (SIGINT) or SIGTERM during `fedbone data import`: the import's temporary folder is
/// removed, then the process exits with 128 + the signal's number, as the shell expects.
enum ImportInterrupt {
    private static let sources = Mutex<[any DispatchSourceSignal]>([])

    /// Installs the handlers (once per process; later calls do nothing).
    static func install() {
        sources.withLock { installed in
            guard installed.isEmpty else { return }
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    FileHandle.standardError.write(Data("\ninterrupted: removing the unfinished import\n".utf8))
                    PendingImports.removeAll()
                    exit(128 + number)
                }
                source.resume()
                installed.append(source)
            }
        }
    }
}
