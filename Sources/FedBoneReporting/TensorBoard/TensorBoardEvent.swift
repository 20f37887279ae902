/// A TensorBoard `Event` protobuf, restricted to the fields FedBone writes.
///
/// Field numbers (from tensorflow/core/util/event.proto and summary.proto):
///
///     message Event   { double wall_time = 1; int64 step = 2;
///                       oneof what { string file_version = 3; Summary summary = 5; ... } }
///     message Summary { repeated Value value = 1;
///                       message Value { string tag = 1; oneof value { float simple_value = 2; ... } } }
///
/// Decoding skips every other field, so events written by other tools parse too (their
/// non-scalar values are dropped).
public struct TensorBoardEvent: Equatable, Sendable {
    /// One `Summary.Value` holding a `simple_value`.
    public struct Scalar: Equatable, Sendable {
        public var tag: String
        public var value: Float

        public init(tag: String, value: Float) {
            self.tag = tag
            self.value = value
        }
    }

    /// Seconds since the Unix epoch.
    public var wallTime: Double
    public var step: Int64
    /// Set only on the first event of a file (`"brain.Event:2"`).
    public var fileVersion: String?
    /// The summary's scalar values, in order.
    public var scalars: [Scalar]

    public init(wallTime: Double, step: Int64, fileVersion: String? = nil, scalars: [Scalar] = []) {
        self.wallTime = wallTime
        self.step = step
        self.fileVersion = fileVersion
        self.scalars = scalars
    }

    /// The serialized protobuf. `wall_time` and `step` are always written (explicit zeros are
    /// legal proto3); the summary only when there are scalars.
    public func serialized() -> [UInt8] {
        var event = ProtobufEncoder()
        event.double(1, wallTime)
        event.int64(2, step)
        if let fileVersion { event.string(3, fileVersion) }
        if !scalars.isEmpty {
            var summary = ProtobufEncoder()
            for scalar in scalars {
                var value = ProtobufEncoder()
                value.string(1, scalar.tag)
                value.float(2, scalar.value)
                summary.lengthDelimited(1, value.bytes)
            }
            event.lengthDelimited(5, summary.bytes)
        }
        return event.bytes
    }

    /// Parses a serialized `Event`, keeping the fields above.
    public init(serialized bytes: [UInt8]) throws(ProtobufDecodingError) {
        self.init(wallTime: 0, step: 0)
        for (field, payload) in try decodeProtobufFields(bytes) {
            switch (field, payload) {
            case let (1, .fixed64(bits)): wallTime = Double(bitPattern: bits)
            case let (2, .varint(raw)): step = Int64(bitPattern: raw)
            case let (3, .lengthDelimited(raw)): fileVersion = try Self.string(raw, field: 3)
            case let (5, .lengthDelimited(raw)): scalars += try Self.scalars(inSummary: raw)
            case (1, _), (2, _), (3, _), (5, _): throw .unexpectedWireType(field: field)
            default: continue
            }
        }
    }

    private static func scalars(inSummary bytes: [UInt8]) throws(ProtobufDecodingError) -> [Scalar] {
        var scalars: [Scalar] = []
        for case let (1, .lengthDelimited(raw)) in try decodeProtobufFields(bytes) {
            var tag = ""
            var value: Float?
            for (field, payload) in try decodeProtobufFields(raw) {
                switch (field, payload) {
                case let (1, .lengthDelimited(text)): tag = try string(text, field: 1)
                case let (2, .fixed32(bits)): value = Float(bitPattern: bits)
                case (1, _), (2, _): throw .unexpectedWireType(field: field)
                default: continue
                }
            }
            if let value { scalars.append(Scalar(tag: tag, value: value)) }
        }
        return scalars
    }

    private static func string(_ bytes: [UInt8], field: Int) throws(ProtobufDecodingError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return text
    }
}
