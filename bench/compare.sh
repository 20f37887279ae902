#!/usr/bin/env bash
# Runs `fedbone-bench kernels` (release build) and bench/kernels.py (PyTorch CPU) one after the
# other with the same threads, warm-up and repeats, then prints per workload the Swift and PyTorch
# medians, their ratio and throughputs. PyTorch runs only the workloads the Swift build has.
#
# Usage: bench/compare.sh [--threads N] [--repeats R] [--warmup W] [--out DIR]
#   defaults: 2 threads, 10 repeats, 2 warm-ups, JSON results in a fresh temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2 repeats=10 warmup=2 out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) threads="$2"; shift 2 ;;
        --repeats) repeats="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        *) echo "usage: $0 [--threads N] [--repeats R] [--warmup W] [--out DIR]" >&2; exit 2 ;;
    esac
done
[ -n "$out" ] || out="$(mktemp -d)"
mkdir -p "$out"

swift build -c release --product fedbone-bench
bin="$(swift build -c release --show-bin-path)/fedbone-bench"

echo "== Swift (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
"$bin" kernels --threads "$threads" --repeats "$repeats" --warmup "$warmup" --json "$out/swift.json"
names="$(python3 -c 'import json, sys; print(",".join(r["name"] for r in json.load(open(sys.argv[1]))))' "$out/swift.json")"

echo "== PyTorch"
python3 bench/kernels.py --threads "$threads" --repeats "$repeats" --warmup "$warmup" --only "$names" \
    --json "$out/torch.json"

echo "== Swift / PyTorch (threads $threads; JSON in $out)"
python3 - "$out/swift.json" "$out/torch.json" <<'PY'
import json, sys

swift = json.load(open(sys.argv[1]))
torch = {r["name"]: r for r in json.load(open(sys.argv[2]))}

def rate(r):
    if r is None:
        return "-"
    if r["gflops"] is not None:
        return f"{r['gflops']:.1f} GFLOP/s"
    return f"{r['gbps']:.1f} GB/s" if r["gbps"] is not None else "-"

print(f"{'workload':<32}  {'shape':<30}  {'swift ms':>9}  {'torch ms':>9}  {'swift/torch':>11}  {'swift':>14}  {'torch':>14}")
for s in swift:
    t = torch.get(s["name"])
    t_ms = f"{t['median_s'] * 1e3:.3f}" if t else "-"
    ratio = f"{s['median_s'] / t['median_s']:.2f}" if t else "-"
    print(f"{s['name']:<32}  {s['shape']:<30}  {s['median_s'] * 1e3:>9.3f}  {t_ms:>9}  {ratio:>11}  {rate(s):>14}  {rate(t):>14}")
PY
