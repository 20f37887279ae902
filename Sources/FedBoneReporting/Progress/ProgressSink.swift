import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `ProgressDisplay` writes, and whether that is a terminal (which picks the bar style).
public struct ProgressSink {
    /// Whether the destination is a terminal that understands `\r` and ANSI erase-line.
    public var isTerminal: Bool
    /// Writes text exactly as given (the caller includes newlines).
    public var write: (String) -> Void

    public init(isTerminal: Bool, write: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Standard error (the default: keeps standard output clean for results).
    public static var standardError: ProgressSink {
        ProgressSink(isTerminal: isatty(STDERR_FILENO) != 0) { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// Standard output.
    public static var standardOutput: ProgressSink {
        ProgressSink(isTerminal: isatty(STDOUT_FILENO) != 0) { FileHandle.standardOutput.write(Data($0.utf8)) }
    }
}
