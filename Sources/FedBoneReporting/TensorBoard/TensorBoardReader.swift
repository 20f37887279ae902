import Foundation

/// Reads TensorBoard event files back (framing, checksums and the `Event` fields FedBone uses).
public enum TensorBoardReader {
    /// One scalar point of a tag.
    public struct Point: Equatable, Sendable {
        public var step: Int64
        public var wallTime: Double
        public var value: Float

        public init(step: Int64, wallTime: Double, value: Float) {
            self.step = step
            self.wallTime = wallTime
            self.value = value
        }
    }

    /// Every event of one file, in order; throws on a bad frame, checksum or protobuf.
    public static func events(at url: URL) throws -> [TensorBoardEvent] {
        let bytes = [UInt8](try Data(contentsOf: url))
        return try TFRecord.records(in: bytes).map { try TensorBoardEvent(serialized: $0) }
    }

    /// The event files (names containing `tfevents`) directly inside `directory`, sorted by name.
    public static func eventFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.contains("tfevents") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Every scalar of every event file in `directory`, by tag, in file then write order.
    public static func scalars(in directory: URL) throws -> [String: [Point]] {
        var series: [String: [Point]] = [:]
        for file in try eventFiles(in: directory) {
            for event in try events(at: file) {
                for scalar in event.scalars {
                    series[scalar.tag, default: []].append(
                        Point(step: event.step, wallTime: event.wallTime, value: scalar.value))
                }
            }
        }
        return series
    }
}
