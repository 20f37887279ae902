"""FedBone against each client's own logistic regression, client by client and seed by seed.

After `fedbone compare --config experiments/digits.yaml --seeds N` (any classification
experiment works), run from the repository root:

    python3 tools/real_data_check.py --config experiments/digits.yaml --seeds 3 \\
        --compare runs/digits-compare [--set data.partition=dirichlet] [--method fedbone]

For every seed it writes that seed's split with `fedbone data split` (the split the compare
used), scores each client's logistic regression on it (tools/linear_baseline.py, scikit-learn),
reads the method's final test accuracy per client from `seed-<s>/<method>/summary.md`, and prints
a markdown table and the summary: means, on how many client-seeds the method is at least the
linear model, and the mean and sd of the paired differences.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def linear(split):
    out = subprocess.run([sys.executable, os.path.join(HERE, "linear_baseline.py"), "--split", split],
                         capture_output=True, text=True, check=True).stdout
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| ") and not line.startswith("| client")]
    return {r[1].strip(): float(r[4]) for r in rows if len(r) > 5 and r[4].strip().replace(".", "").isdigit()}


def method_accuracy(summary):
    """Per client: the final test metric of the summary's per-client table."""
    out, in_table = {}, False
    for line in open(summary, encoding="utf-8"):
        if line.startswith("## Per client"):
            in_table = True
        elif line.startswith("## "):
            in_table = False
        elif in_table and line.startswith("| ") and not line.startswith("| client") and not line.startswith("|---"):
            cells = [c.strip() for c in line.split("|")]
            out[cells[1]] = float(cells[5])
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True)
    p.add_argument("--compare", required=True, help="the compare folder holding seed-<s>/")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--method", default="fedbone")
    p.add_argument("--set", action="append", default=[], help="the same --set overrides the compare had")
    p.add_argument("--fedbone", default=".build/release/fedbone", help="the fedbone executable")
    args = p.parse_args()
    ours, theirs, wins = [], [], 0
    print(f"| seed | client | {args.method} | logistic regression | difference |")
    print("| ---: | --- | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            split = os.path.join(scratch, f"split-{seed}.json")
            sets = sum((["--set", s] for s in args.set + [f"seed={seed}"]), [])
            subprocess.run([args.fedbone, "data", "split", "--config", args.config, *sets, "--out", split], check=True,
                           stdout=subprocess.DEVNULL)
            baseline = linear(split)
            got = method_accuracy(os.path.join(args.compare, f"seed-{seed}", args.method, "summary.md"))
            for client in sorted(baseline):
                a, b = got[client], baseline[client]
                ours.append(a)
                theirs.append(b)
                wins += a >= b - 1e-9
                print(f"| {seed} | {client} | {a:.4f} | {b:.4f} | {a - b:+.4f} |")
    d = [a - b for a, b in zip(ours, theirs)]
    sd = statistics.stdev(d) if len(d) > 1 else 0.0
    print(f"\n{args.method}: mean {statistics.mean(ours):.4f}; logistic regression: mean {statistics.mean(theirs):.4f}; "
          f"{args.method} ≥ the linear model on {wins} of {len(d)} client-seeds; paired difference {statistics.mean(d):+.4f} ± {sd:.4f} (sd)")


if __name__ == "__main__":
    main()
