#!/usr/bin/env bash
# Renders a FedBone HTML report in headless Chromium, saves a PNG screenshot, and fails if the
# page is not self-contained or Chromium reports errors.
#
# Usage:
#   tools/screenshot_report.sh <report.html> <out.png> [WIDTH,HEIGHT]     (default 1400,3000)
#
# Setup (Debian): apt-get install -y chromium      (or set CHROMIUM=/path/to/chrome)
#
# Example: render the reports that the Swift tests build, then screenshot them:
#   FEDBONE_REPORT_OUT=/tmp/report-out swift test --filter HTMLReportTests
#   tools/screenshot_report.sh /tmp/report-out/fedbone/report.html /tmp/report.png
#   tools/screenshot_report.sh /tmp/report-out/compare/compare.html /tmp/compare.png 1400,2000
# or from a real run:
#   swift run fedbone report runs/X && tools/screenshot_report.sh runs/X/report.html /tmp/X.png
#
# What it runs:
#   chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 \
#            --screenshot=<out.png> --window-size=WIDTH,HEIGHT file://<absolute report path>
#
# It fails (exit 1) when:
#   - the report references anything but inline data (a src/href/url() that is not data: or #…,
#     a <script>, a <link>);
#   - Chromium exits non-zero or times out (120 s), or writes no PNG;
#   - Chromium's log has a page message (CONSOLE…, "Uncaught …", net::ERR_…): the report uses no
#     JavaScript, so any console message is a problem. Chromium's own environment noise (D-Bus,
#     GPU, sandbox warnings) is ignored; the full log is kept next to the PNG as <out.png>.log.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    sed -n '2,9p' "$0" >&2
    exit 2
fi
report=$1
out=$2
size=${3:-1400,3000}

if [[ ! -f $report ]]; then
    echo "screenshot_report: no such file: $report" >&2
    exit 1
fi
chromium=${CHROMIUM:-}
if [[ -z $chromium ]]; then
    for candidate in chromium chromium-browser google-chrome; do
        if command -v "$candidate" >/dev/null; then chromium=$candidate; break; fi
    done
fi
if [[ -z $chromium ]]; then
    echo "screenshot_report: Chromium not found (apt-get install -y chromium, or set CHROMIUM)" >&2
    exit 1
fi

# Self-containment: every reference must be inline.
external=$(grep -oiE '(src|href)="[^"]*"|url\([^)]*\)' "$report" | grep -viE '="data:|="#|url\(#|url\(data:' || true)
if [[ -n $external ]]; then
    echo "screenshot_report: $report references external resources:" >&2
    echo "$external" | head -5 >&2
    exit 1
fi
if grep -qiE '<script|<link' "$report"; then
    echo "screenshot_report: $report contains <script> or <link>; the report must be static and self-contained" >&2
    exit 1
fi

absolute=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
mkdir -p "$(dirname "$out")"
rm -f "$out"
log=$out.log
status=0
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --enable-logging=stderr --v=0 \
    --screenshot="$out" --window-size="$size" "file://$absolute" >"$log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
    echo "screenshot_report: Chromium failed (exit $status); log: $log" >&2
    tail -20 "$log" >&2
    exit 1
fi
page_errors=$(grep -E 'CONSOLE|Uncaught|net::ERR_|Not allowed to load' "$log" || true)
if [[ -n $page_errors ]]; then
    echo "screenshot_report: Chromium reported page errors:" >&2
    echo "$page_errors" >&2
    exit 1
fi
if [[ ! -s $out ]] || [[ $(head -c 8 "$out" | od -An -tx1 | tr -d ' \n') != 89504e470d0a1a0a ]]; then
    echo "screenshot_report: Chromium wrote no PNG to $out; log: $log" >&2
    exit 1
fi
echo "screenshot_report: $out ($(wc -c <"$out") bytes, window $size)"
