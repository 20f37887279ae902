import Foundation

/// Axis ticks at "nice" numbers (1, 2, 2.5 or 5 times a power of ten), after Heckbert's
/// "Nice numbers for graph labels" (Graphics Gems, 1990).
public struct NiceTicks: Equatable, Sendable {
    /// The axis domain: the data range widened outwards to whole steps.
    public var lower: Double
    public var upper: Double
    /// The distance between ticks.
    public var step: Double

    /// Ticks for data in `minimum...maximum` with about `count` intervals.
    ///
    /// A zero-width range is widened to ±1 around zero, else ±10 % of the value. With
    /// `integers`, the step is at least 1 (for round numbers and counts).
    public init(minimum: Double, maximum: Double, count: Int = 5, integers: Bool = false) {
        var lo = Swift.min(minimum, maximum)
        var hi = Swift.max(minimum, maximum)
        if !lo.isFinite || !hi.isFinite { (lo, hi) = (0, 1) }
        if hi - lo <= Swift.max(abs(hi), abs(lo), 1e-300) * 1e-12 {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        var step = Self.nice((hi - lo) / Double(Swift.max(count, 1)), round: true)
        if integers { step = Swift.max(1, step.rounded(.up)) }
        self.step = step
        lower = (lo / step).rounded(.down) * step
        upper = (hi / step).rounded(.up) * step
    }

    /// The tick values from `lower` to `upper`, `step` apart.
    public var values: [Double] {
        let n = Int(((upper - lower) / step).rounded())
        return (0...n).map { lower + Double($0) * step }
    }

    /// A tick label with as many decimals as the step needs (`0.25`, `10`, `1e+06`).
    public func label(_ value: Double) -> String {
        let magnitude = Swift.max(abs(lower), abs(upper))
        if magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-4) {
            return String(format: "%.2g", value)
        }
        var decimals = 0
        while decimals < 6, abs(step * pow(10, Double(decimals)) - (step * pow(10, Double(decimals))).rounded()) > 1e-6 {
            decimals += 1
        }
        var text = String(format: "%.\(decimals)f", value)
        if Double(text) == 0 { text = text.replacingOccurrences(of: "-", with: "") }
        return text.replacingOccurrences(of: "-", with: "−")
    }

    /// The nice number near `x`: the nearest (`round`) of 1, 2, 2.5, 5 times a power of ten,
    /// or the next larger of 1, 2, 5 times a power of ten.
    static func nice(_ x: Double, round: Bool) -> Double {
        let exponent = floor(log10(x))
        let fraction = x / pow(10, exponent)
        let niceFraction: Double
        if round {
            niceFraction = fraction < 1.5 ? 1 : fraction < 2.25 ? 2 : fraction < 3.5 ? 2.5 : fraction < 7.5 ? 5 : 10
        } else {
            niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return niceFraction * pow(10, exponent)
    }
}
