import Yams

/// `--set key.path=value` overrides, applied to the YAML tree before it is read (so a wrong key
/// is reported exactly as in a file). The value is YAML: `0.01`, `true`, `[1, 2]`,
/// `{name: sgd, lr: 0.1}`. Path components that are numbers index lists (`tasks.0.clients=4`).
/// A part of the path the file does not have is taken from `resolved` (the file's configuration
/// with its defaults filled in), so `tasks.0.clients=4` works without a `tasks` list in the file.
enum ConfigOverride {
    static func apply(_ text: String, to root: inout Node, resolved: Node) throws {
        guard let eq = text.firstIndex(of: "=") else {
            throw ConfigError.syntax("override '\(text)' must look like key.path=value")
        }
        let path = text[..<eq].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
            throw ConfigError.syntax("override '\(text)' has an empty key")
        }
        let valueText = String(text[text.index(after: eq)...])
        let value: Node
        do {
            value = try Yams.compose(yaml: valueText) ?? Node("", .implicit)
        } catch {
            throw ConfigError.syntax("override '\(text)': the value is not YAML: \(error)")
        }
        root = try set(value, at: path[...], in: root, resolved: resolved, done: [])
    }

    private static func set(_ value: Node, at path: ArraySlice<String>, in node: Node, resolved: Node?, done: [String]) throws -> Node {
        guard let key = path.first else { return value }
        let here = (done + [key]).joined(separator: ".")
        if var seq = node.sequence {
            guard let i = Int(key), seq.indices.contains(i) else {
                throw ConfigError.invalidValue(key: here, message: "'\(key)' is not an index of the list (0…\(seq.count - 1))")
            }
            let inResolved = resolved?.sequence.flatMap { $0.indices.contains(i) ? $0[i] : nil }
            seq[i] = try set(value, at: path.dropFirst(), in: seq[i], resolved: inResolved, done: done + [key])
            return .sequence(seq)
        }
        guard node.mapping != nil || node.null != nil || node.scalar?.string == "" else {
            throw ConfigError.invalidValue(key: done.joined(separator: "."), message: "is a value, not a mapping, so it has no key '\(key)'")
        }
        var mapping = node.mapping ?? Node.Mapping([])
        let inResolved = resolved?.mapping?[key]
        let child = mapping[key] ?? inResolved ?? Node.mapping(Node.Mapping([]))
        mapping[key] = try set(value, at: path.dropFirst(), in: child, resolved: inResolved, done: done + [key])
        return .mapping(mapping)
    }
}
