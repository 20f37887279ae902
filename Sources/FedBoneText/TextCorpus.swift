import Foundation

/// The documents of a text file, for learning a vocabulary: JSON Lines (`.jsonl`: each line an
/// object with `"text"`, or `"tokens"` joined by spaces) or plain text (each non-empty line).
public enum TextCorpus {
    /// The documents of `url`.
    /// - Throws: ``TokenizerError/malformed(_:)`` naming the line of a JSON Lines file that is
    ///   not an object with `text` or `tokens`; Foundation's error when the file cannot be read.
    public static func documents(contentsOf url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard url.pathExtension.lowercased() == "jsonl" else {
            return lines.filter { !$0.allSatisfy(\.isWhitespace) }
        }
        return try lines.enumerated().compactMap { number, line in
            guard !line.allSatisfy(\.isWhitespace) else { return nil }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TokenizerError.malformed("\(url.lastPathComponent) line \(number + 1) is not a JSON object")
            }
            if let document = object["text"] as? String { return document }
            if let tokens = object["tokens"] as? [String] { return tokens.joined(separator: " ") }
            throw TokenizerError.malformed("\(url.lastPathComponent) line \(number + 1) has neither \"text\" (a string) nor \"tokens\" (a list of strings)")
        }
    }
}
