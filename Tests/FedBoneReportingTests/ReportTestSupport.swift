import Foundation
@testable import FedBoneReporting

/// `$FEDBONE_REPORT_OUT/<name>` (emptied) when that variable is set, so a test's run directory
/// and report survive for `tools/screenshot_report.sh`; otherwise a temporary directory.
func keptReportDirectory(_ name: String) throws -> URL {
    guard let root = ProcessInfo.processInfo.environment["FEDBONE_REPORT_OUT"], !root.isEmpty else {
        return try temporaryDirectory(name)
    }
    let url = URL(fileURLWithPath: root).appendingPathComponent(name)
    try? FileManager.default.removeItem(at: url)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A minimal PNG encoder (8-bit RGB, no filtering, stored deflate blocks) for test images.
enum TestPNG {
    static func rgb(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> Data {
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                let (r, g, b) = pixel(x, y)
                raw += [r, g, b]
            }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65535, raw.count - offset)
            let last: UInt8 = offset + count == raw.count ? 1 : 0
            zlib += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            zlib += raw[offset..<offset + count]
            offset += count
        } while offset < raw.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        zlib += bigEndian((b << 16) | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return Data(png)
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// One `<polyline>` of a rendered chart, read back from the SVG text.
struct PlottedSeries {
    var name: String
    /// `data-values`, in data units.
    var values: [(x: Double, y: Double)]
    /// `points`, in pixels.
    var pixels: [(x: Double, y: Double)]
}

/// A rendered line chart read back from the HTML: its frame and its polylines.
struct PlottedChart {
    var frame: ChartFrame
    var series: [PlottedSeries]

    /// The chart `<svg … data-chart="id" …>…</svg>` of `html`, or nil.
    init?(html: String, id: String) {
        guard let start = html.range(of: "data-chart=\"\(HTMLText.escape(id))\""),
              let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return nil }
        let svg = String(html[start.lowerBound..<end.upperBound])
        func numbers(_ attribute: String) -> [Double] {
            (Self.attribute(attribute, in: svg) ?? "").split(separator: " ").compactMap { Double($0) }
        }
        let x = numbers("data-x-domain"), y = numbers("data-y-domain"), plot = numbers("data-plot")
        guard x.count == 2, y.count == 2, plot.count == 4 else { return nil }
        frame = ChartFrame(xLower: x[0], xUpper: x[1], yLower: y[0], yUpper: y[1],
                           left: plot[0], top: plot[1], width: plot[2], height: plot[3])
        series = svg.components(separatedBy: "<polyline ").dropFirst().map { element in
            let tag = String(element.prefix { $0 != ">" })
            return PlottedSeries(
                name: Self.unescape(Self.attribute("data-series", in: tag) ?? ""),
                values: Self.pairs(Self.attribute("data-values", in: tag) ?? ""),
                pixels: Self.pairs(Self.attribute("points", in: tag) ?? ""))
        }
    }

    func named(_ name: String) -> PlottedSeries? { series.first { $0.name == name } }

    static func attribute(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: " \(name)=\"") else { return nil }
        guard let end = text[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(text[start.upperBound..<end])
    }

    static func pairs(_ text: String) -> [(x: Double, y: Double)] {
        text.split(separator: " ").compactMap { pair in
            let parts = pair.split(separator: ",")
            guard parts.count == 2, let x = Double(parts[0]), let y = Double(parts[1]) else { return nil }
            return (x, y)
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// The records of a `metrics.jsonl`, decoded field by field from the JSON keys (independently
/// of `RoundRecord`'s `Codable` conformance); numbers may be the strings `"NaN"`, `"Infinity"`.
struct RawRecord: Decodable {
    var round: Int
    var client: String
    var task: String
    var trainLoss: Double
    var primaryMetric: String
    var primaryValue: Double
    var metrics: [String: Double]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: Key.self)
        func number(_ container: KeyedDecodingContainer<Key>, _ key: String) throws -> Double {
            if let string = try? container.decode(String.self, forKey: Key(stringValue: key)) {
                return Double(string) ?? .nan
            }
            return try container.decode(Double.self, forKey: Key(stringValue: key))
        }
        round = try object.decode(Int.self, forKey: Key(stringValue: "round"))
        client = try object.decode(String.self, forKey: Key(stringValue: "client"))
        task = try object.decode(String.self, forKey: Key(stringValue: "task"))
        trainLoss = try number(object, "train_loss")
        primaryMetric = try object.decode(String.self, forKey: Key(stringValue: "primary_metric"))
        primaryValue = try number(object, "primary_value")
        let metricObject = try object.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: "metrics"))
        metrics = [:]
        for key in metricObject.allKeys { metrics[key.stringValue] = try number(metricObject, key.stringValue) }
    }

    static func read(_ url: URL) throws -> [RawRecord] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(RawRecord.self, from: Data($0.utf8))
        }
    }
}
