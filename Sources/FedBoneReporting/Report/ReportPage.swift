/// The HTML page around a report's sections: the document head with the inline style sheet.
enum ReportPage {
    /// A complete HTML5 document with `title` (escaped here) and `body` (already HTML).
    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <main>
        \(body)
        <footer>Made by <code>fedbone report</code>. Self-contained: inline CSS and SVG, images as data URIs.</footer>
        </main>
        </body>
        </html>

        """
    }

    static let style = """
        :root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --card: #ffffff; --page: #f3f4f6; --accent: #4e79a7; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--page); color: var(--ink);
          font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, sans-serif; }
        main { max-width: 1320px; margin: 0 auto; padding: 24px 28px 40px; }
        header.top { border-bottom: 3px solid var(--accent); margin-bottom: 18px; padding-bottom: 10px; }
        h1 { font-size: 26px; margin: 0 0 4px; }
        h2 { font-size: 19px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 15px; margin: 18px 0 8px; }
        .facts { color: var(--muted); margin: 0; }
        .facts b { color: var(--ink); font-weight: 600; }
        .note { color: var(--muted); font-weight: 400; }
        p.note { margin: 4px 0 10px; }
        .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0 4px; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 170px; }
        .card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card .value { font-size: 22px; font-weight: 650; }
        .card .sub { color: var(--muted); font-size: 12px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(410px, 1fr)); gap: 14px; }
        figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
        figure svg { display: block; max-width: 100%; height: auto; }
        @media (min-width: 900px) { figure.wide { grid-column: span 2; } }
        figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; word-break: break-all; }
        svg text { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, sans-serif; fill: #374151; }
        svg .chart-title { font-size: 13px; font-weight: 600; fill: #111827; }
        svg .chart-note { font-size: 11px; font-weight: 400; fill: #6b7280; }
        svg .tick { font-size: 10.5px; fill: #4b5563; }
        svg .axis-label { font-size: 11px; fill: #6b7280; }
        svg .legend { font-size: 11px; }
        svg .empty { font-size: 12px; fill: #9ca3af; }
        svg .grid { stroke: #eceef1; stroke-width: 1; }
        svg .axis { stroke: #9ca3af; stroke-width: 1; }
        svg .series { fill: none; stroke-linejoin: round; stroke-linecap: round; }
        svg .series.thin { stroke-width: 1.6; opacity: .85; }
        svg .series.dashed { stroke-width: 1.6; stroke-dasharray: 5 3; }
        svg .series.bold { stroke-width: 3.2; }
        svg .cell { stroke: #ffffff; stroke-width: 1; }
        svg .cell-value { font-size: 11px; fill: #1f2937; }
        svg .cell-value.light { fill: #ffffff; }
        svg .colour-bar { stroke: #9ca3af; stroke-width: .5; }
        table { border-collapse: collapse; background: var(--card); border: 1px solid var(--line); margin: 6px 0 14px; }
        th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
        th { background: #f9fafb; font-weight: 600; font-size: 12.5px; }
        th:first-child, td:first-child, td.text, th.text { text-align: left; }
        td { font-variant-numeric: tabular-nums; }
        tr.average td { font-weight: 650; background: #f9fafb; }
        td.best { font-weight: 700; color: #166534; }
        pre.config { background: #111827; color: #e5e7eb; padding: 14px 16px; border-radius: 8px; overflow-x: auto;
          font: 12.5px/1.5 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
        .predictions { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 14px; }
        .predictions img { display: block; width: 100%; image-rendering: pixelated; border-radius: 4px; }
        .text-predictions pre { white-space: pre-wrap; background: #f3f4f6; padding: 10px 12px; border-radius: 6px;
          font: 12.5px/1.5 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
        footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
        """
}
