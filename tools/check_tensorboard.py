#!/usr/bin/env python3
"""Reads TensorBoard event files written by FedBone-Swift with Python's `tensorboard` package,
prints every scalar, and validates them.

Usage (from the repository root; needs `pip install tensorboard`, no TensorFlow):

    rm -rf /tmp/fedbone-tb && mkdir -p /tmp/fedbone-tb
    FEDBONE_TB_OUT=/tmp/fedbone-tb swift test --filter "TensorBoardTests|RunLogTests"
    python3 tools/check_tensorboard.py /tmp/fedbone-tb

The Swift tests `writtenFileParsesBackWithFramingChecksumsAndFields` (TensorBoardTests) and
`mirrorsScalarsIntoTensorBoard` (RunLogTests) keep their files in `$FEDBONE_TB_OUT/writer` and
`$FEDBONE_TB_OUT/run` (the latter a whole run directory with metrics.jsonl and
expected_scalars.json). The script also works on a real run: `python3 tools/check_tensorboard.py runs/X`.

For every directory under the given one that holds `*tfevents*` files:
1. Every record of every file is read with tensorboard's own TFRecord reader
   (`PyRecordReader_New`, which checks both masked CRC-32Cs) and parsed as an
   `tensorboard.compat.proto.event_pb2.Event`; the first event of each file must carry
   `file_version: "brain.Event:2"` and every other event one or more `simple_value`s.
2. `EventAccumulator` (storing everything) loads the directory; its scalars must be exactly
   the simple values of step 1, and each is printed as `tag step value`.
3. If the directory holds `expected_scalars.json` ({tag: [[step, value], ...]}, or the file
   named by --expect), the scalars must equal it exactly (same tags, steps and float32 values).
4. If the directory holds `metrics.jsonl`, every client's `loss/<client>`, `<metric>/<client>`,
   `bytes/<client>`, `bytes/sent/<client>`, `bytes/received/<client>` at step = round must
   equal float32 of the record's value.
Exits non-zero after listing every failure.
"""

import argparse
import json
import math
import os
import struct
import sys

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub import errors
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New


def float32(x):
    """x rounded to float32 (as TensorBoard's simple_value stores it), as a Python float."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def raw_events(path, failures):
    """Every Event of one file, read with tensorboard's CRC-checking TFRecord reader (stops at
    the first bad record, which is added to failures)."""
    reader = PyRecordReader_New(path)
    events = []
    while True:
        try:
            reader.GetNext()
        except errors.OutOfRangeError:
            return events
        except errors.DataLossError as error:
            failures.append(f"{path}: record {len(events)}: {error.message}")
            return events
        events.append(event_pb2.Event.FromString(reader.record()))


def check_directory(directory, expect_path, quiet, failures):
    files = sorted(f for f in os.listdir(directory) if "tfevents" in f)
    raw = {}  # tag -> [(step, value)]
    for name in files:
        events = raw_events(os.path.join(directory, name), failures)
        if not events or events[0].file_version != "brain.Event:2":
            failures.append(f"{name}: first event lacks file_version brain.Event:2")
        for event in events[1:]:
            values = [v for v in event.summary.value if v.HasField("simple_value")]
            if not values:
                failures.append(f"{name}: event at step {event.step} has no simple_value")
            for v in values:
                raw.setdefault(v.tag, []).append((event.step, v.simple_value))
        print(f"{os.path.join(directory, name)}: read {len(events)} events")

    acc = event_accumulator.EventAccumulator(
        directory, size_guidance=event_accumulator.STORE_EVERYTHING_SIZE_GUIDANCE
    )
    acc.Reload()
    scalars = {
        tag: [(s.step, s.value) for s in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]
    }
    count = sum(len(points) for points in scalars.values())
    print(f"{directory}: EventAccumulator read {len(scalars)} tags, {count} scalars")
    if not quiet:
        for tag in sorted(scalars):
            for step, value in scalars[tag]:
                print(f"  {tag} {step} {value!r}")

    if set(scalars) != set(raw):
        failures.append(f"{directory}: accumulator tags {sorted(scalars)} != record tags {sorted(raw)}")
    for tag, points in raw.items():
        got = scalars.get(tag, [])
        if len(got) != len(points) or not all(
            s1 == s2 and same(v1, v2) for (s1, v1), (s2, v2) in zip(got, points)
        ):
            failures.append(f"{directory}: {tag}: accumulator {got} != records {points}")

    expect_path = expect_path or os.path.join(directory, "expected_scalars.json")
    if os.path.exists(expect_path):
        with open(expect_path) as f:
            expected = json.load(f)
        if set(expected) != set(scalars):
            failures.append(f"{expect_path}: tags differ: missing {sorted(set(expected) - set(scalars))}, "
                            f"extra {sorted(set(scalars) - set(expected))}")
        for tag, points in expected.items():
            want = [(int(step), float32(value)) for step, value in points]
            got = scalars.get(tag, [])
            if len(want) != len(got) or not all(
                s1 == s2 and same(v1, v2) for (s1, v1), (s2, v2) in zip(got, want)
            ):
                failures.append(f"{tag}: TensorBoard {got} != expected {want}")
        print(f"{expect_path}: compared {sum(len(p) for p in expected.values())} expected scalars")

    metrics_path = os.path.join(directory, "metrics.jsonl")
    if os.path.exists(metrics_path):
        by_tag = {tag: dict(points) for tag, points in scalars.items()}
        checked = 0
        with open(metrics_path) as f:
            records = [json.loads(line) for line in f if line.strip()]
        for r in records:
            client, step = r["client"], r["round"]
            want = {
                f"loss/{client}": r["train_loss"],
                f"bytes/{client}": r["bytes_sent"] + r["bytes_received"],
                f"bytes/sent/{client}": r["bytes_sent"],
                f"bytes/received/{client}": r["bytes_received"],
            }
            want.update({f"{name}/{client}": value for name, value in r["metrics"].items()})
            for tag, value in want.items():
                got = by_tag.get(tag, {}).get(step)
                if got is None or not same(got, float32(float(value))):
                    failures.append(f"{tag} step {step}: TensorBoard {got} != metrics.jsonl {value}")
                checked += 1
        print(f"{metrics_path}: {len(records)} records, {checked} scalars match TensorBoard")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", help="a log directory (searched recursively for event files)")
    parser.add_argument("--expect", help="expected scalars JSON (default: <dir>/expected_scalars.json)")
    parser.add_argument("--quiet", action="store_true", help="do not print every scalar")
    args = parser.parse_args()

    directories = sorted(
        root for root, _, files in os.walk(args.directory) if any("tfevents" in f for f in files)
    )
    if not directories:
        sys.exit(f"no event files under {args.directory}")
    failures = []
    for directory in directories:
        check_directory(directory, args.expect, args.quiet, failures)
    if failures:
        print(f"FAILED ({len(failures)}):", *failures, sep="\n  ")
        sys.exit(1)
    print("OK: every scalar reads back in Python's tensorboard")


if __name__ == "__main__":
    main()
