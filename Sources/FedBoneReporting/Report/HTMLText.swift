/// Escaping and number formatting for the HTML report.
public enum HTMLText {
    /// `text` safe inside HTML/SVG text and double- or single-quoted attribute values:
    /// `&`, `<`, `>`, `"` and `'` become character references.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A value for a table cell: four significant digits (`0.4123`, `12.35`, `1.235e+05`),
    /// `—` for NaN and `±∞` for infinities.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "—" }
        if value.isInfinite { return value > 0 ? "∞" : "−∞" }
        return String(format: "%.4g", value)
    }

    /// A pixel coordinate with two decimals (`12.5` → `12.50`).
    static func pixel(_ value: Double) -> String {
        String(format: "%.2f", value)
    }

    /// A byte count in decimal units (`1.50 MB`), exact below 1 kB.
    public static func bytes(_ value: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var scaled = value
        var unit = 0
        while abs(scaled) >= 1000, unit < units.count - 1 {
            scaled /= 1000
            unit += 1
        }
        return unit == 0 ? String(format: "%.0f B", scaled) : String(format: "%.2f ", scaled) + units[unit]
    }
}
