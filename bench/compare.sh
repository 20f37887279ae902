#!/usr/bin/env bash
# Runs the Swift benchmarks (`fedbone-bench`, release build) and their PyTorch counterparts
# (bench/kernels.py, bench/models.py) one after the other with the same threads, warm-up and
# repeats, then prints per workload the Swift and PyTorch medians, their ratio, the achieved
# GFLOP/s of both and the Swift share of the sgemm peak measured in the same run (the best of the
# `sgemm` kernel workloads). For model workloads, each side also runs every workload once more
# in a fresh process to measure the peak resident memory of one training step; then
# `fedbone-bench round` times whole rounds of the default experiment (Swift only: time per
# split step and the share of the round spent in GP aggregation).
#
# Usage: bench/compare.sh [--group kernels|model|all] [--only WORDS] [--threads N] [--repeats R]
#                         [--warmup W] [--no-memory] [--out DIR]
#   defaults: all groups, 2 threads, 10 repeats, 2 warm-ups, memory on, JSON in a fresh temporary
#   folder. --only keeps the workloads whose names contain one of the comma-separated words.
set -euo pipefail
cd "$(dirname "$0")/.."

group=all threads=2 repeats=10 warmup=2 out="" only="" memory=1
while [ $# -gt 0 ]; do
    case "$1" in
        --group) group="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --repeats) repeats="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --no-memory) memory=0; shift ;;
        --out) out="$2"; shift 2 ;;
        *) echo "usage: $0 [--group kernels|model|all] [--only WORDS] [--threads N] [--repeats R] [--warmup W] [--no-memory] [--out DIR]" >&2; exit 2 ;;
    esac
done
case "$group" in kernels|model|all) ;; *) echo "--group must be kernels, model or all" >&2; exit 2 ;; esac
[ -n "$out" ] || out="$(mktemp -d)"
mkdir -p "$out"
export PYTHONPATH="tools/torchvision_stub${PYTHONPATH:+:$PYTHONPATH}"

swift build -c release --product fedbone-bench
bin="$(swift build -c release --show-bin-path)/fedbone-bench"
common=(--threads "$threads" --repeats "$repeats" --warmup "$warmup")
names() { python3 -c 'import json, sys; print(",".join(r["name"] for r in json.load(open(sys.argv[1]))))' "$1"; }

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores;" \
     "OpenBLAS core $(python3 bench/openblas_core.py 2>/dev/null || echo '?') (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"

echo "== sgemm peak (Swift sgemm: the engine's kernel or OpenBLAS, as the header says)"
"$bin" kernels "${common[@]}" --only sgemm --json "$out/peak.json"

if [ "$group" != model ]; then
    echo "== kernels: Swift"
    "$bin" kernels "${common[@]}" ${only:+--only "$only"} --json "$out/swift_kernels.json"
    echo "== kernels: PyTorch"
    python3 bench/kernels.py "${common[@]}" --only "$(names "$out/swift_kernels.json")" --json "$out/torch_kernels.json"
fi

if [ "$group" != kernels ]; then
    echo "== model: Swift"
    "$bin" model "${common[@]}" ${only:+--only "$only"} --json "$out/swift_model.json"
    selected="$(names "$out/swift_model.json")"
    echo "== model: PyTorch"
    python3 bench/models.py "${common[@]}" --exact "$selected" --json "$out/torch_model.json"
    if [ "$memory" = 1 ]; then
        echo "== model: peak memory of one step, one process per workload"
        i=0
        IFS=, read -ra list <<< "$selected"
        for name in "${list[@]}"; do
            "$bin" model --threads "$threads" --memory-only --only "$name" --json "$out/swift_mem_$i.json" > /dev/null
            python3 bench/models.py --threads "$threads" --memory-only --exact "$name" --json "$out/torch_mem_$i.json" > /dev/null
            i=$((i + 1))
        done
    fi
    echo "== a whole FedBone round of the default experiment (Swift only)"
    "$bin" round --threads "$threads" --json "$out/swift_round.json"
fi

echo "== Swift / PyTorch (threads $threads; JSON in $out)"
python3 bench/report.py "$out"
