import Foundation
import Testing
@testable import FedBoneReporting

@Suite struct TensorBoardTests {
    /// The frame of `Event(wall_time=1.5, step=3, summary={value={tag:"a", simple_value:1}})`,
    /// produced by Python's `tensorboard.compat.proto` and its `masked_crc32c`.
    static let pythonFrame: [UInt8] = [
        0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE7, 0xCE, 0xF8, 0x1E,
        0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F, 0x10, 0x03,
        0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0x00, 0x00, 0x80, 0x3F,
        0x59, 0x85, 0x99, 0x81,
    ]

    @Test func encodesAnEventByteForByteLikePython() {
        let event = TensorBoardEvent(wallTime: 1.5, step: 3, scalars: [.init(tag: "a", value: 1)])
        #expect(TFRecord.frame(event.serialized()) == Self.pythonFrame)
    }

    @Test func decodesPythonsFrame() throws {
        let records = try TFRecord.records(in: Self.pythonFrame)
        #expect(records.count == 1)
        let event = try TensorBoardEvent(serialized: records[0])
        #expect(event == TensorBoardEvent(wallTime: 1.5, step: 3, scalars: [.init(tag: "a", value: 1)]))
    }

    @Test func negativeStepsAndFileVersionRoundTrip() throws {
        let event = TensorBoardEvent(wallTime: 2, step: -1, fileVersion: "brain.Event:2")
        #expect(try TensorBoardEvent(serialized: event.serialized()) == event)
    }

    @Test func skipsFieldsItDoesNotKnow() throws {
        // Event{wall_time: 1, step: 2, source_metadata (field 10, bytes "x"), summary{value{tag "t",
        // node_name (field 7) "n", simple_value 0.5}}}.
        var value = ProtobufEncoder()
        value.string(1, "t")
        value.string(7, "n")
        value.float(2, 0.5)
        var summary = ProtobufEncoder()
        summary.lengthDelimited(1, value.bytes)
        var event = ProtobufEncoder()
        event.double(1, 1)
        event.int64(2, 2)
        event.string(10, "x")
        event.lengthDelimited(5, summary.bytes)
        let decoded = try TensorBoardEvent(serialized: event.bytes)
        #expect(decoded == TensorBoardEvent(wallTime: 1, step: 2, scalars: [.init(tag: "t", value: 0.5)]))
    }

    @Test func writtenFileParsesBackWithFramingChecksumsAndFields() throws {
        let directory = try keptOrTemporaryDirectory("writer")
        let clock = ManualClock(1_700_000_000.25)
        let writer = try TensorBoardWriter(directory: directory, hostname: "testhost", clock: { clock.now })
        #expect(writer.fileURL.lastPathComponent == "events.out.tfevents.1700000000.testhost")
        var expected: [(tag: String, step: Int, value: Double, wallTime: Double)] = []
        for step in 0..<5 {
            clock.now += 1
            let loss = 2.0 / Double(step + 1)
            writer.scalar("loss/client-0", loss, step: step)
            writer.scalar("mIoU/client-0", 0.1 * Double(step), step: step, wallTime: 42 + Double(step))
            expected.append(("loss/client-0", step, loss, clock.now))
            expected.append(("mIoU/client-0", step, 0.1 * Double(step), 42 + Double(step)))
        }
        writer.scalar("huge", 1e30, step: 1_000_000_000_000)
        expected.append(("huge", 1_000_000_000_000, 1e30, clock.now))
        try writer.close()

        let bytes = [UInt8](try Data(contentsOf: writer.fileURL))
        let records = try TFRecord.records(in: bytes)
        #expect(records.count == 1 + expected.count)
        #expect(records.map { $0.count + 16 }.reduce(0, +) == bytes.count)

        let events = try TensorBoardReader.events(at: writer.fileURL)
        #expect(events[0] == TensorBoardEvent(wallTime: 1_700_000_000.25, step: 0, fileVersion: "brain.Event:2"))
        for (event, want) in zip(events.dropFirst(), expected) {
            #expect(event.fileVersion == nil)
            #expect(event.step == Int64(want.step))
            #expect(event.wallTime == want.wallTime)
            #expect(event.scalars == [.init(tag: want.tag, value: Float(want.value))])
        }

        let series = try TensorBoardReader.scalars(in: directory)
        #expect(series["loss/client-0"]?.map(\.step) == [0, 1, 2, 3, 4])
        #expect(series["mIoU/client-0"]?.map(\.value) == (0..<5).map { Float(0.1 * Double($0)) })
    }

    @Test func sameInputsGiveIdenticalFiles() throws {
        func write() throws -> [UInt8] {
            let writer = try TensorBoardWriter(directory: try temporaryDirectory("det"), hostname: "h", clock: { 10 })
            writer.scalar("x", 1.25, step: 7)
            try writer.close()
            return [UInt8](try Data(contentsOf: writer.fileURL))
        }
        #expect(try write() == write())
    }

    @Test func secondWriterInTheSameSecondGetsItsOwnFile() throws {
        let directory = try temporaryDirectory("twice")
        let a = try TensorBoardWriter(directory: directory, hostname: "h", clock: { 5 })
        let b = try TensorBoardWriter(directory: directory, hostname: "h", clock: { 5 })
        #expect(a.fileURL != b.fileURL)
        #expect(b.fileURL.lastPathComponent == "events.out.tfevents.5.h.1")
    }

    @Test func detectsCorruptionAndTruncation() throws {
        var corruptData = Self.pythonFrame
        corruptData[30] ^= 0x01
        #expect(throws: TFRecord.FormatError.self) { try TFRecord.records(in: corruptData) }
        do {
            _ = try TFRecord.records(in: corruptData)
        } catch {
            guard case .dataChecksumMismatch(offset: 0, _, _) = error else {
                Issue.record("expected a data checksum mismatch, got \(error)")
                return
            }
        }

        var corruptLength = Self.pythonFrame
        corruptLength[0] = 0x18
        #expect(throws: TFRecord.FormatError.self) { try TFRecord.records(in: corruptLength) }

        let truncated = Array((Self.pythonFrame + Self.pythonFrame).dropLast(2))
        #expect(throws: TFRecord.FormatError.truncated(offset: Self.pythonFrame.count)) {
            try TFRecord.records(in: truncated)
        }
    }
}
