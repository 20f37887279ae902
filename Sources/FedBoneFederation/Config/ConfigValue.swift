import Yams

/// Why a configuration was rejected. Every case names the offending key as a dotted path
/// (`training.batchSize`, `tasks.1.kind`).
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    /// A mapping has a key the configuration does not know.
    case unknownKey(key: String, known: [String])
    /// A key's value has the wrong type or is out of range.
    case invalidValue(key: String, message: String)
    /// The text is not YAML, or a `--set` override is malformed.
    case syntax(String)

    public var description: String {
        switch self {
        case let .unknownKey(key, known):
            return "config: unknown key '\(key)' (known here: \(known.joined(separator: ", ")))"
        case let .invalidValue(key, message):
            return "config: bad value for '\(key)': \(message)"
        case let .syntax(message):
            return "config: \(message)"
        }
    }
}

/// One node of a YAML configuration with its dotted path, read strictly: a mapping must hold
/// only known keys, and scalars must have the asked type.
struct ConfigValue {
    let node: Node
    let path: String

    /// `path.key` (or `key` at the root).
    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The mapping's entries by key, after checking that every key is in `known`.
    func mapping(known: [String]) throws -> ConfigMapping {
        guard let mapping = node.mapping else {
            throw ConfigError.invalidValue(key: path.isEmpty ? "<root>" : path, message: "expected a mapping of keys to values")
        }
        var entries: [String: ConfigValue] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                throw ConfigError.invalidValue(key: path, message: "keys must be strings")
            }
            guard known.contains(key) else { throw ConfigError.unknownKey(key: childPath(key), known: known) }
            entries[key] = ConfigValue(node: value, path: childPath(key))
        }
        return ConfigMapping(entries: entries)
    }

    func int() throws -> Int {
        guard node.scalar != nil, let v = node.int else { throw ConfigError.invalidValue(key: path, message: "expected an integer, got \(shown)") }
        return v
    }

    func double() throws -> Double {
        guard node.scalar != nil, let v = node.float, v.isFinite else {
            throw ConfigError.invalidValue(key: path, message: "expected a finite number, got \(shown)")
        }
        return v
    }

    func bool() throws -> Bool {
        guard node.scalar != nil, let v = node.bool else { throw ConfigError.invalidValue(key: path, message: "expected true or false, got \(shown)") }
        return v
    }

    func string() throws -> String {
        guard let s = node.scalar?.string else { throw ConfigError.invalidValue(key: path, message: "expected a string, got \(shown)") }
        return s
    }

    func uint64() throws -> UInt64 {
        guard let s = node.scalar?.string, let v = UInt64(s) else {
            throw ConfigError.invalidValue(key: path, message: "expected a non-negative integer, got \(shown)")
        }
        return v
    }

    /// A string that must be one of `E`'s raw values.
    func choice<E: RawRepresentable & CaseIterable>(_: E.Type) throws -> E where E.RawValue == String {
        let s = try string()
        guard let v = E(rawValue: s) else {
            throw ConfigError.invalidValue(key: path, message: "'\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    func sequence() throws -> [ConfigValue] {
        guard let seq = node.sequence else { throw ConfigError.invalidValue(key: path, message: "expected a list, got \(shown)") }
        return seq.enumerated().map { ConfigValue(node: $0.element, path: childPath(String($0.offset))) }
    }

    func ints() throws -> [Int] { try sequence().map { try $0.int() } }

    /// Whether the value is YAML null (`~`, `null` or empty).
    var isNull: Bool { node.null != nil }

    /// The value as written, for messages.
    private var shown: String {
        if let s = node.scalar?.string { return "'\(s)'" }
        if node.mapping != nil { return "a mapping" }
        return "a list"
    }
}

/// A checked mapping: its values by key.
struct ConfigMapping {
    let entries: [String: ConfigValue]

    /// The value under `key` read by `read`, or `fallback` when absent.
    func value<T>(_ key: String, _ fallback: T, _ read: (ConfigValue) throws -> T) throws -> T {
        guard let v = entries[key] else { return fallback }
        return try read(v)
    }

    /// The value under `key`, or `nil` when absent or null.
    func optional<T>(_ key: String, _ read: (ConfigValue) throws -> T) throws -> T? {
        guard let v = entries[key], !v.isNull else { return nil }
        return try read(v)
    }
}

/// Throws `invalidValue` for `key` unless `condition` holds.
func require(_ condition: Bool, _ key: String, _ message: @autoclosure () -> String) throws {
    if !condition { throw ConfigError.invalidValue(key: key, message: message()) }
}
