import Foundation

/// The JSON conventions of the run log files: one compact object per line, sorted keys,
/// unescaped slashes, non-finite numbers as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
public enum RunLogCoding {
    /// An encoder with the run log's conventions.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// A decoder that reads what `encoder()` writes.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// `value` as one JSON line (with the trailing newline).
    static func line<T: Encodable>(_ value: T, encoder: JSONEncoder) throws -> Data {
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// Decodes every non-empty line of `data`.
    static func lines<T: Decodable>(_: T.Type, from data: Data, file: String) throws -> [T] {
        let decoder = decoder()
        var values: [T] = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) else { continue }
            do {
                values.append(try decoder.decode(T.self, from: Data(line)))
            } catch {
                throw RunLogError.malformedLine(file: file, line: index + 1, underlying: "\(error)")
            }
        }
        return values
    }
}

/// A run log file that cannot be read.
public enum RunLogError: Error, CustomStringConvertible {
    /// Line `line` (from 1) of `file` is not a valid record.
    case malformedLine(file: String, line: Int, underlying: String)

    public var description: String {
        switch self {
        case let .malformedLine(file, line, underlying):
            "\(file):\(line): not a valid record (\(underlying))"
        }
    }
}
