#!/usr/bin/env python3
"""Joins the JSON results of bench/compare.sh into one table: per workload the Swift and
PyTorch medians, the ratio Swift / PyTorch, GFLOP/s of both (PyTorch's from the Swift side's
flop count, so both count the same work), the Swift share of the sgemm peak of the same run, and
for model workloads the peak resident memory of one step (and its growth over the process's
memory before the step) on both sides.

Usage: bench/report.py DIR   (the --out folder of bench/compare.sh)
"""
import glob
import json
import os
import sys


def load(path):
    return json.load(open(path)) if os.path.exists(path) else []


def main():
    out = sys.argv[1]
    peak = max((r["gflops"] for r in load(os.path.join(out, "peak.json")) if r["gflops"]), default=None)
    memory = {}
    for side in ("swift", "torch"):
        for path in glob.glob(os.path.join(out, f"{side}_mem_*.json")):
            for r in load(path):
                memory[(side, r["name"])] = r
    if peak:
        print(f"sgemm peak (best Swift sgemm workload this run): {peak:.1f} GFLOP/s")
    header = (f"{'workload':<48}  {'swift ms':>9}  {'torch ms':>9}  {'ratio':>6}  {'swift GF/s':>10}  "
              f"{'torch GF/s':>10}  {'% peak':>6}  {'swift MiB':>14}  {'torch MiB':>14}")
    for group in ("kernels", "model"):
        swift = load(os.path.join(out, f"swift_{group}.json"))
        if not swift:
            continue
        torch = {r["name"]: r for r in load(os.path.join(out, f"torch_{group}.json"))}
        print(f"-- {group}")
        print(header)
        for s in swift:
            t = torch.get(s["name"])
            flops = s["gflops"] * 1e9 * s["median_s"] if s["gflops"] else None
            t_ms = f"{t['median_s'] * 1e3:.2f}" if t else "-"
            ratio = f"{s['median_s'] / t['median_s']:.2f}" if t else "-"
            if flops:
                s_rate, t_rate = f"{s['gflops']:.1f}", (f"{flops / t['median_s'] * 1e-9:.1f}" if t else "-")
                share = f"{100 * s['gflops'] / peak:.0f}%" if peak else "-"
            elif s.get("gbps"):
                s_rate, t_rate, share = f"{s['gbps']:.1f} GB/s", (f"{t['gbps']:.1f} GB/s" if t and t.get("gbps") else "-"), "-"
            else:
                s_rate, t_rate, share = "-", "-", "-"

            def mib(side):
                r = memory.get((side, s["name"]))
                return f"{r['peak_rss_mib']:.0f} (+{r['step_rss_mib']:.0f})" if r and r.get("peak_rss_mib") else "-"
            print(f"{s['name']:<48}  {s['median_s'] * 1e3:>9.2f}  {t_ms:>9}  {ratio:>6}  {s_rate:>10}  "
                  f"{t_rate:>10}  {share:>6}  {mib('swift'):>14}  {mib('torch'):>14}")


if __name__ == "__main__":
    main()
