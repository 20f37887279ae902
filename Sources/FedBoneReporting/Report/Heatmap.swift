import Foundation

/// An SVG heatmap of a square matrix in −1…1 (client × client cosine similarities) with the
/// diverging colour scale of `ChartColors.diverging` and a colour bar.
///
/// Each cell is `<rect class="cell" data-row="i" data-col="j" data-value="v" …>` with the
/// matrix value in Swift's shortest round-trip form.
public struct Heatmap: Sendable {
    public var title: String
    /// Row and column labels (the matrix is `labels.count` square).
    public var labels: [String]
    /// `values[i][j]`; missing entries draw as NaN.
    public var values: [[Double]]

    public init(title: String, labels: [String], values: [[Double]]) {
        self.title = title
        self.labels = labels
        self.values = values
    }

    static let maxLabelCharacters = 18
    static let barStops: [Double] = [1, 2.0 / 3, 1.0 / 3, 0, -1.0 / 3, -2.0 / 3, -1]

    /// The heatmap as an `<svg>` element; `id` names it in `data-chart` and in its gradient's id
    /// (unique in the page).
    public func svg(id: String) -> String {
        let e = HTMLText.escape
        let p = HTMLText.pixel
        let n = labels.count
        let cell = n <= 4 ? 56.0 : n <= 8 ? 44.0 : max(16, 360 / Double(n))
        let shown = labels.map { LineChart.shortened($0, limit: Self.maxLabelCharacters) }
        let labelWidth = 6.6 * Double(shown.map(\.count).max() ?? 1) + 10
        let left = max(60, labelWidth)
        let top = 34.0
        let side = cell * Double(n)
        let columnLabelHeight = labelWidth * 0.72 + 12
        let barHeight = max(side, 140)
        let barX = left + side + 26
        let width = barX + 14 + 44
        let height = top + max(side + columnLabelHeight, barHeight + 16) + 8
        var s = """
            <svg class="heatmap" xmlns="http://www.w3.org/2000/svg" width="\(p(width))" height="\(p(height))" \
            viewBox="0 0 \(p(width)) \(p(height))" role="img" data-chart="\(e(id))">
            <title>\(e(title))</title>
            <text class="chart-title" x="8" y="18">\(e(title))</text>
            <defs><linearGradient id="\(e(id))-bar" x1="0" y1="0" x2="0" y2="1">
            """
        for (index, value) in Self.barStops.enumerated() {
            let offset = Double(index) / Double(Self.barStops.count - 1)
            s += "<stop offset=\"\(p(offset))\" stop-color=\"\(ChartColors.diverging(value))\"/>"
        }
        s += "</linearGradient></defs>\n"
        for i in 0..<n {
            let y = top + Double(i) * cell
            s += "<text class=\"tick\" x=\"\(p(left - 6))\" y=\"\(p(y + cell / 2))\" text-anchor=\"end\" dominant-baseline=\"middle\">\(e(shown[i]))<title>\(e(labels[i]))</title></text>\n"
            for j in 0..<n {
                let value = i < values.count && j < values[i].count ? values[i][j] : .nan
                let x = left + Double(j) * cell
                s += "<rect class=\"cell\" data-row=\"\(i)\" data-col=\"\(j)\" data-value=\"\(value)\" x=\"\(p(x))\" y=\"\(p(y))\" "
                    + "width=\"\(p(cell))\" height=\"\(p(cell))\" fill=\"\(ChartColors.diverging(value))\">"
                    + "<title>\(e(labels[i])) · \(e(labels[j])): \(e(HTMLText.number(value)))</title></rect>"
                if cell >= 30 {
                    let light = ChartColors.needsLightText(value) ? " light" : ""
                    s += "<text class=\"cell-value\(light)\" x=\"\(p(x + cell / 2))\" y=\"\(p(y + cell / 2))\" text-anchor=\"middle\" dominant-baseline=\"middle\">\(value.isNaN ? "—" : String(format: "%.2f", value).replacingOccurrences(of: "-", with: "−"))</text>"
                }
                s += "\n"
            }
        }
        for j in 0..<n {
            let x = left + Double(j) * cell + cell / 2
            let y = top + side + 10
            s += "<text class=\"tick\" x=\"\(p(x))\" y=\"\(p(y))\" text-anchor=\"end\" dominant-baseline=\"middle\" transform=\"rotate(-45 \(p(x)) \(p(y)))\">\(e(shown[j]))<title>\(e(labels[j]))</title></text>\n"
        }
        s += "<rect class=\"colour-bar\" x=\"\(p(barX))\" y=\"\(p(top))\" width=\"14\" height=\"\(p(barHeight))\" fill=\"url(#\(e(id))-bar)\"/>\n"
        for tick in [1.0, 0.5, 0, -0.5, -1] {
            let y = top + (1 - tick) / 2 * barHeight
            s += "<line class=\"axis\" x1=\"\(p(barX + 14))\" y1=\"\(p(y))\" x2=\"\(p(barX + 18))\" y2=\"\(p(y))\"/>"
            s += "<text class=\"tick\" x=\"\(p(barX + 21))\" y=\"\(p(y))\" dominant-baseline=\"middle\">\(HTMLText.number(tick).replacingOccurrences(of: "-", with: "−"))</text>\n"
        }
        return s + "</svg>"
    }
}
