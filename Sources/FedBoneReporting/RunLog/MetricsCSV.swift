/// `metrics.csv`: one row per `RoundRecord`, RFC 4180 quoting.
///
/// Columns: `run, method, round, client, task, train_loss`, one `lr_<name>` per learning-rate
/// name, `primary_metric, primary_value, higher_is_better, bytes_sent, bytes_received, seconds`,
/// then one column per metric name. Learning-rate and metric columns are the sorted union over
/// all records, so the table is rewritten whole when a new name appears; a record without a
/// name has an empty cell. Numbers use Swift's shortest round-trip form (`0.41`, `1e-05`,
/// `nan`, `inf`), which Python's `float()` reads.
public enum MetricsCSV {
    /// The CSV text (header and one line per record, each ending in `\n`).
    public static func table(_ records: [RoundRecord]) -> String {
        let rateNames = Set(records.flatMap(\.learningRates.keys)).sorted()
        let metricNames = Set(records.flatMap(\.metrics.keys)).sorted()
        let header = ["run", "method", "round", "client", "task", "train_loss"]
            + rateNames.map { "lr_\($0)" }
            + ["primary_metric", "primary_value", "higher_is_better", "bytes_sent", "bytes_received", "seconds"]
            + metricNames
        var lines = [row(header)]
        for r in records {
            let fields = [r.run, r.method, String(r.round), r.client, r.task.rawValue, number(r.trainLoss)]
                + rateNames.map { r.learningRates[$0].map(number) ?? "" }
                + [r.primaryMetric, number(r.primaryValue), String(r.higherIsBetter),
                   String(r.bytesSent), String(r.bytesReceived), number(r.seconds)]
                + metricNames.map { r.metrics[$0].map(number) ?? "" }
            lines.append(row(fields))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// Splits CSV text into rows of fields (quoted fields may hold commas, quotes and newlines).
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = text.makeIterator()
        var lookahead: Character?
        while let c = lookahead ?? iterator.next() {
            lookahead = nil
            if inQuotes {
                if c == "\"" {
                    let next = iterator.next()
                    if next == "\"" { field.append("\"") } else { inQuotes = false; lookahead = next }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n":
                row.append(field); field = ""
                rows.append(row); row = []
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }

    static func number(_ value: Double) -> String { value.description }

    static func row(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",")
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
