import Foundation

/// One point of a chart series, in data units.
public struct ChartPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// One line of a `LineChart`.
public struct ChartSeries: Equatable, Sendable {
    /// How the line is drawn.
    public enum Style: String, Sendable {
        /// 1.5 px: one client, one run.
        case thin
        /// 3 px: the task average.
        case bold
        /// 1.5 px, dashed: a secondary statistic (e.g. the minimum cosine).
        case dashed
    }

    public var name: String
    /// The points in x order; non-finite points are dropped when drawn.
    public var points: [ChartPoint]
    /// A CSS colour (`#4e79a7`).
    public var color: String
    public var style: Style

    public init(name: String, points: [ChartPoint], color: String, style: Style = .thin) {
        self.name = name
        self.points = points
        self.color = color
        self.style = style
    }
}

/// The mapping from data units to SVG pixels of one chart.
///
/// `pixelX(x) = left + (x − xLower) / (xUpper − xLower) · width` and
/// `pixelY(y) = top + height − (y − yLower) / (yUpper − yLower) · height`. The chart's `<svg>`
/// carries it as `data-x-domain="xLower xUpper"`, `data-y-domain="yLower yUpper"` and
/// `data-plot="left top width height"`, so a reader can map `points` back to data.
public struct ChartFrame: Equatable, Sendable {
    public var xLower: Double
    public var xUpper: Double
    public var yLower: Double
    public var yUpper: Double
    public var left: Double
    public var top: Double
    public var width: Double
    public var height: Double

    public init(xLower: Double, xUpper: Double, yLower: Double, yUpper: Double,
                left: Double, top: Double, width: Double, height: Double) {
        self.xLower = xLower
        self.xUpper = xUpper
        self.yLower = yLower
        self.yUpper = yUpper
        self.left = left
        self.top = top
        self.width = width
        self.height = height
    }

    public func pixelX(_ x: Double) -> Double { left + (x - xLower) / (xUpper - xLower) * width }
    public func pixelY(_ y: Double) -> Double { top + height - (y - yLower) / (yUpper - yLower) * height }
    /// The inverse of `pixelX`.
    public func dataX(_ px: Double) -> Double { xLower + (px - left) / width * (xUpper - xLower) }
    /// The inverse of `pixelY`.
    public func dataY(_ py: Double) -> Double { yLower + (top + height - py) / height * (yUpper - yLower) }
}

/// A small SVG line chart: title, y grid, axes with nice ticks, one polyline per series (with
/// point markers when a series is short) and a legend below.
///
/// Each series becomes `<polyline class="series …" data-series="NAME" data-values="x,y x,y …"
/// points="px,py px,py …">`: `data-values` holds the finite data points (Swift's shortest
/// round-trip form) and `points` the same points mapped through the chart's `ChartFrame`.
public struct LineChart: Sendable {
    public var title: String
    /// A short note after the title (e.g. `↑ higher is better`).
    public var note: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    /// Whole-number x ticks (rounds).
    public var integerX: Bool
    /// Whole-number y ticks (counts).
    public var integerY: Bool
    /// Values the y domain must contain besides the data (e.g. 0 for counts).
    public var yIncludes: [Double]
    /// The SVG width in pixels (the plot area is this less the margins).
    public var width: Double
    /// The plot area's height in pixels.
    public var plotHeight: Double

    public init(
        title: String, note: String = "", xLabel: String = "round", yLabel: String = "",
        series: [ChartSeries], integerX: Bool = true, integerY: Bool = false,
        yIncludes: [Double] = [], width: Double = 400, plotHeight: Double = 170
    ) {
        self.title = title
        self.note = note
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.integerX = integerX
        self.integerY = integerY
        self.yIncludes = yIncludes
        self.width = width
        self.plotHeight = plotHeight
    }

    static let margin = (left: 56.0, right: 16.0, top: 34.0, axis: 40.0)
    static let legendRow = 17.0
    static let maxLegendCharacters = 26
    static let markerLimit = 40

    /// The finite points of each series.
    var drawnSeries: [ChartSeries] {
        series.map { s in
            var copy = s
            copy.points = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            return copy
        }
    }

    /// The frame the chart draws with: the nice-tick domains of all finite points.
    public var frame: ChartFrame { frame(ticks.x, ticks.y) }

    /// The x and y ticks of all finite points (and `yIncludes`).
    var ticks: (x: NiceTicks, y: NiceTicks) {
        let points = drawnSeries.flatMap(\.points)
        let xs = points.map(\.x)
        let ys = points.map(\.y) + yIncludes
        return (NiceTicks(minimum: xs.min() ?? 0, maximum: xs.max() ?? 1, integers: integerX),
                NiceTicks(minimum: ys.min() ?? 0, maximum: ys.max() ?? 1, count: 4, integers: integerY))
    }

    private func frame(_ xTicks: NiceTicks, _ yTicks: NiceTicks) -> ChartFrame {
        ChartFrame(
            xLower: xTicks.lower, xUpper: xTicks.upper, yLower: yTicks.lower, yUpper: yTicks.upper,
            left: Self.margin.left, top: Self.margin.top,
            width: width - Self.margin.left - Self.margin.right, height: plotHeight)
    }

    /// The chart as an `<svg>` element; `id` names it in `data-chart` (and in the ids of its
    /// parts, so it must be unique in the page).
    public func svg(id: String) -> String {
        let lines = drawnSeries
        let points = lines.flatMap(\.points)
        let (xTicks, yTicks) = ticks
        let frame = frame(xTicks, yTicks)
        let legend = legendLayout(lines)
        let height = frame.top + frame.height + Self.margin.axis + legend.height + 6
        let e = HTMLText.escape
        let p = HTMLText.pixel
        var s = """
            <svg class="chart" xmlns="http://www.w3.org/2000/svg" width="\(p(width))" height="\(p(height))" \
            viewBox="0 0 \(p(width)) \(p(height))" role="img" data-chart="\(e(id))" \
            data-x-domain="\(frame.xLower) \(frame.xUpper)" data-y-domain="\(frame.yLower) \(frame.yUpper)" \
            data-plot="\(frame.left) \(frame.top) \(frame.width) \(frame.height)">
            <title>\(e(title))</title>
            <text class="chart-title" x="\(p(frame.left))" y="18">\(e(title))\
            \(note.isEmpty ? "" : "<tspan class=\"chart-note\" dx=\"8\">\(e(note))</tspan>")</text>

            """
        let bottom = frame.top + frame.height
        let right = frame.left + frame.width
        for tick in yTicks.values {
            let y = p(frame.pixelY(tick))
            s += "<line class=\"grid\" x1=\"\(p(frame.left))\" y1=\"\(y)\" x2=\"\(p(right))\" y2=\"\(y)\"/>"
            s += "<text class=\"tick\" x=\"\(p(frame.left - 6))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(e(yTicks.label(tick)))</text>\n"
        }
        for tick in xTicks.values {
            let x = p(frame.pixelX(tick))
            s += "<line class=\"axis\" x1=\"\(x)\" y1=\"\(p(bottom))\" x2=\"\(x)\" y2=\"\(p(bottom + 4))\"/>"
            s += "<text class=\"tick\" x=\"\(x)\" y=\"\(p(bottom + 16))\" text-anchor=\"middle\">\(e(xTicks.label(tick)))</text>\n"
        }
        s += "<line class=\"axis\" x1=\"\(p(frame.left))\" y1=\"\(p(bottom))\" x2=\"\(p(right))\" y2=\"\(p(bottom))\"/>\n"
        s += "<line class=\"axis\" x1=\"\(p(frame.left))\" y1=\"\(p(frame.top))\" x2=\"\(p(frame.left))\" y2=\"\(p(bottom))\"/>\n"
        s += "<text class=\"axis-label\" x=\"\(p(frame.left + frame.width / 2))\" y=\"\(p(bottom + 32))\" text-anchor=\"middle\">\(e(xLabel))</text>\n"
        if !yLabel.isEmpty {
            let cy = p(frame.top + frame.height / 2)
            s += "<text class=\"axis-label\" x=\"14\" y=\"\(cy)\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(cy))\">\(e(yLabel))</text>\n"
        }
        if points.isEmpty {
            s += "<text class=\"empty\" x=\"\(p(frame.left + frame.width / 2))\" y=\"\(p(frame.top + frame.height / 2))\" text-anchor=\"middle\">no data</text>\n"
        }
        // Thin lines first, so the bold average stays on top.
        let order = lines.indices.sorted { (lines[$0].style == .bold ? 1 : 0, $0) < (lines[$1].style == .bold ? 1 : 0, $1) }
        for index in order {
            s += polyline(lines[index], frame: frame)
        }
        for (entry, place) in zip(lines, legend.places) {
            let y = bottom + Self.margin.axis + place.row * Self.legendRow + 8
            let x = place.x
            s += "<g class=\"legend-entry\"><line class=\"series \(entry.style.rawValue)\" x1=\"\(p(x))\" y1=\"\(p(y))\" x2=\"\(p(x + 16))\" y2=\"\(p(y))\" stroke=\"\(e(entry.color))\"/>"
            s += "<text class=\"legend\" x=\"\(p(x + 21))\" y=\"\(p(y))\" dominant-baseline=\"middle\">\(e(Self.shortened(entry.name)))<title>\(e(entry.name))</title></text></g>\n"
        }
        return s + "</svg>"
    }

    private func polyline(_ series: ChartSeries, frame: ChartFrame) -> String {
        let e = HTMLText.escape
        let p = HTMLText.pixel
        let values = series.points.map { "\($0.x),\($0.y)" }.joined(separator: " ")
        let pixels = series.points.map { "\(p(frame.pixelX($0.x))),\(p(frame.pixelY($0.y)))" }.joined(separator: " ")
        var s = "<polyline class=\"series \(series.style.rawValue)\" data-series=\"\(e(series.name))\" "
            + "data-values=\"\(values)\" points=\"\(pixels)\" stroke=\"\(e(series.color))\"><title>\(e(series.name))</title></polyline>\n"
        if series.points.count <= Self.markerLimit {
            let radius = series.style == .bold ? 3.2 : 2.4
            s += "<g class=\"markers\" fill=\"\(e(series.color))\">"
            for point in series.points {
                s += "<circle cx=\"\(p(frame.pixelX(point.x)))\" cy=\"\(p(frame.pixelY(point.y)))\" r=\"\(radius)\">"
                    + "<title>\(e(series.name)) · \(e(xLabel)) \(e(Self.plain(point.x))): \(e(HTMLText.number(point.y)))</title></circle>"
            }
            s += "</g>\n"
        }
        return s
    }

    /// Where each legend entry goes: rows of entries that fit the width.
    private func legendLayout(_ lines: [ChartSeries]) -> (places: [(x: Double, row: Double)], height: Double) {
        guard !lines.isEmpty else { return ([], 0) }
        var places: [(x: Double, row: Double)] = []
        var x = Self.margin.left
        var row = 0.0
        for line in lines {
            let entryWidth = 21 + 6.4 * Double(Self.shortened(line.name).count) + 14
            if x + entryWidth > width - 4, x > Self.margin.left {
                x = Self.margin.left
                row += 1
            }
            places.append((x, row))
            x += entryWidth
        }
        return (places, (row + 1) * Self.legendRow)
    }

    /// `name` cut to `limit` characters by an ellipsis in the middle, keeping the end (where
    /// client names usually differ: `client-seg…name-0`).
    static func shortened(_ name: String, limit: Int = maxLegendCharacters) -> String {
        guard name.count > limit else { return name }
        let tail = (limit - 1) / 2
        return String(name.prefix(limit - 1 - tail)) + "…" + String(name.suffix(tail))
    }

    static func plain(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : HTMLText.number(x)
    }
}
