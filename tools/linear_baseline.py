#!/usr/bin/env python3
"""Per-client linear baselines for the classification clients of an experiment, on exactly
the split FedBone uses: each client's multinomial logistic regression, trained on that client's
training images alone (the pixels FedBone's models see, colours in [0, 1], standardised per
pixel on the client's training split), and its trivial predictor (the training split's majority
class), both scored on the client's test split.

    swift run -c release fedbone data split --config experiments/digits.yaml --out split.json
    python3 tools/linear_baseline.py --split split.json

The split file is `fedbone data split`'s JSON; every classification client's `dataset` must be
a dataset folder in the FedBone format (docs/data.md). Prints a markdown table; `--json FILE`
also writes the numbers. Needs numpy and scikit-learn.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fedbone_scenes as fs  # noqa: E402


def read_dataset(folder):
    """(images [N, 3·H·W] in [0, 1], classes [N]) of a classification dataset folder."""
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    scale = {name: float(t["scale"]) for name, t in manifest["tensors"].items()}
    images, classes = [], []
    for shard in manifest["shards"]:
        tensors = fs.read_safetensors(os.path.join(folder, shard["file"]))
        images.append(tensors["rgb"].reshape(shard["count"], -1).astype(np.float64) / scale["rgb"])
        classes.append(tensors["class"].astype(np.int64))
    return np.concatenate(images), np.concatenate(classes)


def client_baselines(x, y, train, test, c):
    """(logistic-regression accuracy, trivial accuracy) of one client's split."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x[train])
    model = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x[train]), y[train])
    linear = float(np.mean(model.predict(scaler.transform(x[test])) == y[test]))
    majority = np.bincount(y[train]).argmax()
    trivial = float(np.mean(y[test] == majority))
    return linear, trivial


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", required=True, help="`fedbone data split` JSON")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength of the logistic regression (default 1)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args()
    with open(args.split) as f:
        clients = [c for c in json.load(f)["clients"] if c["task"] == "classification"]
    if not clients:
        parser.error(f"{args.split} has no classification client")
    loaded, rows = {}, []
    for client in clients:
        folder = client["dataset"]
        if folder not in loaded:
            if not os.path.exists(os.path.join(folder, "manifest.json")):
                parser.error(f"client {client['name']}: {folder} is not a dataset folder")
            loaded[folder] = read_dataset(folder)
        x, y = loaded[folder]
        linear, trivial = client_baselines(x, y, np.array(client["train"]), np.array(client["test"]), args.c)
        rows.append({"client": client["name"], "train": len(client["train"]), "test": len(client["test"]),
                     "logistic_regression": linear, "trivial": trivial})
    print("| client | train | test | logistic regression | trivial |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['client']} | {r['train']} | {r['test']} | {r['logistic_regression']:.4f} | {r['trivial']:.4f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
