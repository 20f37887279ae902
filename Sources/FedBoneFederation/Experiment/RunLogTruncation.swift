import Foundation

/// Cuts a run's log back to the rounds up to `round`, before a resumed run continues after its
/// last checkpoint (what was logged after it is dropped): the lines of `metrics.jsonl` and
/// `aggregation.jsonl` (kept lines byte for byte as they were), and the scalar events of the
/// TensorBoard files (step = round), kept records byte for byte too. A TensorBoard file whose
/// framing does not read back (a write cut short) is left as it is.
public func truncateRunLog(in directory: URL, afterRound round: Int) throws {
    struct Round: Decodable { var round: Int }
    let decoder = RunLogCoding.decoder()
    for name in [RunLogFiles.metrics, RunLogFiles.aggregation] {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { continue }
        var kept = Data()
        let lines = try Data(contentsOf: url).split(separator: 0x0A)
        for (index, line) in lines.enumerated() {
            guard let record = try? decoder.decode(Round.self, from: Data(line)) else {
                // A last line cut short by an interrupted write is dropped with the rounds after the checkpoint.
                if index == lines.count - 1 { break }
                throw RunLogError.malformedLine(file: url.path, line: index + 1, underlying: "not a record with a round")
            }
            if record.round <= round { kept += line + [0x0A] }
        }
        try kept.write(to: url, options: .atomic)
    }
    for file in try TensorBoardReader.eventFiles(in: directory) {
        guard let records = try? TFRecord.records(in: [UInt8](Data(contentsOf: file))) else { continue }
        var kept: [UInt8] = []
        for record in records {
            guard let event = try? TensorBoardEvent(serialized: record) else { continue }
            if event.fileVersion != nil || event.step <= round { kept += TFRecord.frame(record) }
        }
        try Data(kept).write(to: file, options: .atomic)
    }
}
