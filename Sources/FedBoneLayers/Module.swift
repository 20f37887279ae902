/// The base class of every layer and model.
///
/// A module's parameters, buffers and child modules are its stored properties of type
/// ``Parameter``, ``Buffer``, `Module` (also optional, or in arrays). They are found by
/// reflection and named like PyTorch state-dict keys: the property name in snake_case
/// (`relativePositionBiasTable` → `relative_position_bias_table`), array elements by index,
/// joined with dots (`layers.0.blocks.1.attn.qkv.weight`). A subclass whose names differ from
/// that rule overrides ``children()`` or ``ownParameters()``.
///
/// ```swift
/// final class TwoLayer: Module, UnaryLayer {
///     let fc1 = Linear(8, 16), fc2 = Linear(16, 2)
///     func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
/// }
/// TwoLayer().namedParameters().map(\.name)  // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
open class Module {
    /// Whether the module is in training mode (dropout active, batch statistics used).
    public private(set) var isTraining = true

    public init() {}

    /// Direct child modules with their names. Default: found by reflection.
    open func children() -> [(name: String, module: Module)] {
        reflectedMembers().compactMap { name, value in (value as? Module).map { (name, $0) } }
    }

    /// Parameters held directly by this module. Default: found by reflection.
    open func ownParameters() -> [(name: String, parameter: Parameter)] {
        reflectedMembers().compactMap { name, value in (value as? Parameter).map { (name, $0) } }
    }

    /// Buffers held directly by this module. Default: found by reflection.
    open func ownBuffers() -> [(name: String, buffer: Buffer)] {
        reflectedMembers().compactMap { name, value in (value as? Buffer).map { (name, $0) } }
    }

    /// Every parameter of this module and its descendants, by dotted name, in declaration order.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        ownParameters() + children().flatMap { child in
            child.module.namedParameters().map { ("\(child.name).\($0.name)", $0.parameter) }
        }
    }

    /// Every buffer of this module and its descendants, by dotted name.
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        ownBuffers() + children().flatMap { child in
            child.module.namedBuffers().map { ("\(child.name).\($0.name)", $0.buffer) }
        }
    }

    /// This module and all its descendants, depth first.
    public func modules() -> [Module] {
        [self] + children().flatMap { $0.module.modules() }
    }

    /// Every parameter, in the order of ``namedParameters()``.
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.count } }

    /// Switches this module and all its descendants to training (`true`) or evaluation mode.
    public func train(_ on: Bool = true) {
        isTraining = on
        for child in children() { child.module.train(on) }
    }

    /// Switches to evaluation mode.
    public func eval() { train(false) }

    /// Forgets every parameter's gradient.
    public func zeroGrad() { for p in parameters() { p.zeroGrad() } }

    /// Parameters and buffers by dotted name, as a PyTorch `state_dict()`.
    public func stateDict() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, p) in namedParameters() { out[name] = p.value.detached() }
        for (name, b) in namedBuffers() { out[name] = b.value }
        return out
    }

    /// Loads parameters and buffers by name. Mis-shaped entries are never loaded. With `strict`
    /// (the default) any missing, unexpected or mis-shaped key is an error and nothing changes.
    /// - Returns: what matched and what did not.
    @discardableResult
    public func load(stateDict: [String: Tensor], strict: Bool = true) throws -> StateDictLoadReport {
        let report = check(stateDict: stateDict)
        if strict && !report.isExact { throw ModuleError.stateDictMismatch(report) }
        let loaded = Set(report.loaded)
        for (name, p) in namedParameters() where loaded.contains(name) {
            if let t = stateDict[name] { try p.assign(t) }
        }
        for (name, b) in namedBuffers() where loaded.contains(name) {
            if let t = stateDict[name] { b.value = t.detached() }
        }
        return report
    }

    /// What ``load(stateDict:strict:)`` would load, without changing anything.
    public func check(stateDict: [String: Tensor]) -> StateDictLoadReport {
        var report = StateDictLoadReport()
        let targets = namedParameters().map { ($0.name, $0.parameter.shape) } + namedBuffers().map { ($0.name, $0.buffer.value.shape) }
        for (name, shape) in targets {
            guard let t = stateDict[name] else { report.missing.append(name); continue }
            guard t.shape == shape else {
                report.mismatched.append(.init(name: name, expected: shape, actual: t.shape))
                continue
            }
            report.loaded.append(name)
        }
        let known = Set(targets.map(\.0))
        report.unexpected = stateDict.keys.filter { !known.contains($0) }.sorted()
        return report
    }

    /// Stored properties of this object and its superclasses, flattened: optionals unwrapped,
    /// arrays expanded with index names. Names are converted to snake_case.
    private func reflectedMembers() -> [(String, Any)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            mirrors.insert(m, at: 0)
            mirror = m.superclassMirror
        }
        var out: [(String, Any)] = []
        for m in mirrors {
            for child in m.children {
                guard let label = child.label else { continue }
                out += flatten(name: snakeCase(label), value: child.value)
            }
        }
        return out
    }

    /// Dispatches on the mirror's display style and casts only class instances: casting every
    /// stored value (arrays, numbers) to `[Any]` or to a class went through Foundation's
    /// bridging (an `NSNumber` per `Int` property) and made reflection, which `zeroGrad()` runs
    /// every step, a visible share of a small model's step.
    private func flatten(name: String, value: Any) -> [(String, Any)] {
        let m = Mirror(reflecting: value)
        switch m.displayStyle {
        case .class?:
            return value is Module || value is Parameter || value is Buffer ? [(name, value)] : []
        case .collection?:
            return m.children.enumerated().flatMap { flatten(name: "\(name).\($0.offset)", value: $0.element.value) }
        case .optional?:
            guard let wrapped = m.children.first else { return [] }
            return flatten(name: name, value: wrapped.value)
        default:
            return []
        }
    }
}

/// A module with one tensor input and one tensor output, usable in ``Sequential``.
public protocol UnaryLayer: Module {
    /// The forward pass.
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// Converts a Swift property name to the PyTorch convention: `patchEmbed` → `patch_embed`,
/// `norm1` → `norm1`; a leading underscore (property wrappers) is dropped.
func snakeCase(_ name: String) -> String {
    if name.utf8.allSatisfy({ $0 < 0x80 }) {
        var bytes: [UInt8] = []
        for byte in name.utf8.drop(while: { $0 == UInt8(ascii: "_") }) {
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                if !bytes.isEmpty { bytes.append(UInt8(ascii: "_")) }
                bytes.append(byte + 32)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    var out = ""
    for ch in name.drop(while: { $0 == "_" }) {
        if ch.isUppercase {
            if !out.isEmpty { out.append("_") }
            out.append(contentsOf: ch.lowercased())
        } else {
            out.append(ch)
        }
    }
    return out
}

/// What ``Module/load(stateDict:strict:)`` matched.
public struct StateDictLoadReport: Sendable, Equatable, CustomStringConvertible {
    /// A key whose tensor has the wrong shape.
    public struct Mismatch: Sendable, Equatable {
        public var name: String
        public var expected: [Int]
        public var actual: [Int]
    }
    /// Keys loaded.
    public var loaded: [String] = []
    /// Keys the module has but the state dict lacks.
    public var missing: [String] = []
    /// Keys the state dict has but the module lacks.
    public var unexpected: [String] = []
    /// Keys present in both with different shapes.
    public var mismatched: [Mismatch] = []

    /// Whether every key matched in name and shape.
    public var isExact: Bool { missing.isEmpty && unexpected.isEmpty && mismatched.isEmpty }

    public var description: String {
        var parts = ["\(loaded.count) loaded"]
        if !missing.isEmpty { parts.append("missing: \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected: \(unexpected.joined(separator: ", "))") }
        if !mismatched.isEmpty {
            parts.append("wrong shape: " + mismatched.map { "\($0.name) expected \($0.expected) got \($0.actual)" }.joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }
}

/// Errors from module state handling.
public enum ModuleError: Error, CustomStringConvertible {
    /// A strict load found missing, unexpected or mis-shaped keys; nothing was changed.
    case stateDictMismatch(StateDictLoadReport)

    public var description: String {
        switch self {
        case let .stateDictMismatch(report): return "state dict does not match the module (nothing loaded): \(report)"
        }
    }
}
