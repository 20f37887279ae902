import Foundation

/// The parsed and checked JSON header of a safetensors file.
///
/// Checks, in order: the header is a JSON object; `__metadata__` (if any) maps strings to
/// strings; each tensor has a known `dtype`, a `shape` of non-negative integers and
/// `data_offsets` `[begin, end]` with `begin ≤ end`; `end − begin` equals
/// `product(shape) · byteSize`; `end` lies inside the buffer; sorted by offset, each tensor
/// starts where the previous ends and the last ends at the end of the buffer.
struct SafetensorsHeader {
    struct Entry {
        var name: String
        var dtype: SafetensorsDType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    /// Tensor entries, sorted by offset.
    var entries: [Entry] = []
    var metadata: [String: String] = [:]

    init(json: Data, bufferLength: Int, source: String) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
        } catch {
            throw SafetensorsError.headerNotJSON(source: source)
        }
        guard let fields = object as? [String: Any] else { throw SafetensorsError.headerNotObject(source: source) }
        for (name, value) in fields {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw SafetensorsError.invalidMetadata(source: source) }
                for (key, item) in map {
                    guard let text = item as? String else { throw SafetensorsError.invalidMetadata(source: source) }
                    metadata[key] = text
                }
            } else {
                entries.append(try Self.entry(name: name, value: value, bufferLength: bufferLength, source: source))
            }
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expectedBegin = 0
        for entry in entries {
            guard entry.begin == expectedBegin else {
                throw SafetensorsError.offsetsNotContiguous(source: source, tensor: entry.name, begin: entry.begin, expectedBegin: expectedBegin)
            }
            expectedBegin = entry.end
        }
        guard expectedBegin == bufferLength else {
            throw SafetensorsError.trailingBytes(source: source, covered: expectedBegin, bufferLength: bufferLength)
        }
    }

    private static func entry(name: String, value: Any, bufferLength: Int, source: String) throws -> Entry {
        func invalid(_ reason: String) -> SafetensorsError {
            .invalidEntry(source: source, tensor: name, reason: reason)
        }
        guard let fields = value as? [String: Any] else { throw invalid("the entry must be an object with dtype, shape and data_offsets") }
        guard let dtypeName = fields["dtype"] as? String else { throw invalid("missing string field 'dtype'") }
        guard let shapeItems = fields["shape"] as? [Any] else { throw invalid("missing array field 'shape'") }
        let shape = shapeItems.compactMap(nonNegativeInteger)
        guard shape.count == shapeItems.count else { throw invalid("'shape' must hold non-negative integers, got \(shapeItems)") }
        guard let offsetItems = fields["data_offsets"] as? [Any] else { throw invalid("missing array field 'data_offsets'") }
        let offsets = offsetItems.compactMap(nonNegativeInteger)
        guard offsets.count == 2, offsetItems.count == 2, offsets[0] <= offsets[1] else {
            throw invalid("'data_offsets' must be [begin, end] with 0 ≤ begin ≤ end, got \(offsetItems)")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw SafetensorsError.unsupportedDType(source: source, tensor: name, dtype: dtypeName)
        }
        var byteCount = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw invalid("shape \(shape) is too large") }
            byteCount = product
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard end - begin == byteCount else {
            throw SafetensorsError.byteCountMismatch(source: source, tensor: name, dtype: dtypeName, shape: shape,
                                                     expected: byteCount, actual: end - begin)
        }
        guard end <= bufferLength else {
            throw SafetensorsError.offsetsOutOfBuffer(source: source, tensor: name, begin: begin, end: end, bufferLength: bufferLength)
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// `value` as an `Int` when it is a non-negative integral JSON number.
    private static func nonNegativeInteger(_ value: Any) -> Int? {
        guard let number = value as? Int, number >= 0 else { return nil }
        return number
    }
}
