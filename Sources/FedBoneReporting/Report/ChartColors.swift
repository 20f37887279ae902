import Foundation

/// The report's colours: a categorical palette for clients and runs, and the diverging
/// blue–white–red scale for cosine similarities.
public enum ChartColors {
    /// Tableau 10, for one line per client or per run (cycled after ten).
    public static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    /// The colour of the bold task-average line.
    public static let average = "#111827"

    /// The colour of a missing (NaN) heatmap cell.
    public static let missing = "#d1d5db"

    /// `palette[index]`, cycling.
    public static func categorical(_ index: Int) -> String {
        palette[((index % palette.count) + palette.count) % palette.count]
    }

    /// The anchors of the diverging scale (ColorBrewer RdBu, 7 classes): value → RGB.
    static let divergingAnchors: [(value: Double, rgb: (Double, Double, Double))] = [
        (-1, (0x21, 0x66, 0xac)), (-2.0 / 3, (0x67, 0xa9, 0xcf)), (-1.0 / 3, (0xd1, 0xe5, 0xf0)),
        (0, (0xf7, 0xf7, 0xf7)),
        (1.0 / 3, (0xfd, 0xdb, 0xc7)), (2.0 / 3, (0xef, 0x8a, 0x62)), (1, (0xb2, 0x18, 0x2b)),
    ]

    /// The diverging colour of `value` in −1…1 (clamped): blue at −1, near-white at 0, red
    /// at +1, linear in RGB between the RdBu anchors; `missing` for NaN.
    public static func diverging(_ value: Double) -> String {
        guard !value.isNaN else { return missing }
        let v = min(1, max(-1, value))
        let anchors = divergingAnchors
        var upper = 1
        while upper < anchors.count - 1, anchors[upper].value < v { upper += 1 }
        let a = anchors[upper - 1]
        let b = anchors[upper]
        let t = (v - a.value) / (b.value - a.value)
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * t).rounded()) }
        return hex(mix(a.rgb.0, b.rgb.0), mix(a.rgb.1, b.rgb.1), mix(a.rgb.2, b.rgb.2))
    }

    /// Whether text on `diverging(value)` should be white (the darker ends of the scale).
    static func needsLightText(_ value: Double) -> Bool {
        !value.isNaN && abs(value) > 0.6
    }

    static func hex(_ r: Int, _ g: Int, _ b: Int) -> String {
        String(format: "#%02x%02x%02x", r, g, b)
    }
}
