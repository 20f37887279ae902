import CImageLibraries
import Foundation

/// Reads a file through zlib's gzip reader: gzip-compressed files are inflated as they are
/// read, other files are read as they are (zlib's transparent mode). Not thread-safe.
final class GzipReader {
    /// The file read.
    let url: URL
    private var file: gzFile?

    /// Opens `url`.
    /// - Throws: ``ImportError/unreadableFile(path:reason:)`` when it cannot be opened.
    init(_ url: URL) throws {
        self.url = url
        guard FileManager.default.isReadableFile(atPath: url.path), let file = gzopen(url.path, "rb") else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw ImportError.unreadableFile(path: url.path, reason: exists ? "permission denied" : "no such file")
        }
        gzbuffer(file, 1 << 16)
        self.file = file
    }

    deinit {
        if let file { gzclose(file) }
    }

    /// Reads exactly `count` bytes.
    /// - Throws: ``ImportError/truncatedFile(path:reason:)`` when the data ends first,
    ///   ``ImportError/undecodableFile(path:reason:)`` for a corrupt gzip stream. `what` names
    ///   the part being read in the message.
    func read(_ count: Int, what: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let chunk = UInt32(min(count - done, Int(Int32.max)))
            let got = out.withUnsafeMutableBytes { buffer -> Int32 in
                guard let base = buffer.baseAddress else { return 0 }
                return gzread(file, base + done, chunk)
            }
            if got < 0 { throw ImportError.undecodableFile(path: url.path, reason: "corrupt gzip data while reading \(what): \(errorText())") }
            if got == 0 {
                var code: Int32 = 0
                let text = String(cString: gzerror(file, &code))
                if code != Z_OK && code != Z_BUF_ERROR {
                    throw ImportError.undecodableFile(path: url.path, reason: "corrupt gzip data while reading \(what): \(text)")
                }
                throw ImportError.truncatedFile(path: url.path, reason: "the data ends \(done) bytes into \(what) of \(count) bytes")
            }
            done += Int(got)
        }
        return out
    }

    private func errorText() -> String {
        var code: Int32 = 0
        return String(cString: gzerror(file, &code))
    }
}
