#!/usr/bin/env python3
"""Checks that a safetensors file written by FedBone-Swift reads in Python with the expected values.

The file comes from the Swift test `swiftWrittenFileMatchesPythonExpectations`
(Tests/FedBoneTensorTests/PythonInteropTests.swift), which copies it to the folder named by
FEDBONE_SAFETENSORS_OUT. From the repository root:

    mkdir -p /tmp/fedbone-st
    FEDBONE_SAFETENSORS_OUT=/tmp/fedbone-st swift test --filter PythonInteropTests
    python3 tools/check_swift_safetensors.py /tmp/fedbone-st/swift_written.safetensors

Checks: `safetensors.numpy.load_file` reads every tensor as float32 with the expected shape and
exact values (NaN, ±inf, -0.0 and the smallest subnormal included); the metadata round-trips;
the header is padded to a multiple of 8 bytes, lists tensors in sorted order, and equals (as
JSON) the header that Python's own writer produces for the same tensors, with byte-identical data.
Exits non-zero with a message on the first failure.
"""

import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save


def expected():
    return {
        "arange": (np.arange(24, dtype=np.float32) * 0.25 - 1).reshape(2, 3, 4),
        "blocks.0.attn.qkv.weight": ((np.arange(12, dtype=np.float32) - 6) / 8).reshape(6, 2),
        "scalar": np.array(3.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "special": np.array([np.nan, np.inf, -np.inf, -0.0, np.float32(1.4e-45)], dtype=np.float32),
    }


def header(raw):
    length = int.from_bytes(raw[:8], "little")
    return length, raw[8:8 + length].decode("utf-8"), raw[8 + length:]


def main(path):
    want = expected()
    metadata = {"format": "pt", "producer": "FedBone-Swift"}
    got = load_file(path)
    assert sorted(got) == sorted(want), f"tensor names {sorted(got)} != {sorted(want)}"
    for name, value in want.items():
        array = got[name]
        assert array.dtype == np.float32, f"{name}: dtype {array.dtype}"
        assert array.shape == value.shape, f"{name}: shape {array.shape} != {value.shape}"
        assert np.array_equal(array.view(np.uint32), value.view(np.uint32)), f"{name}: {array} != {value}"
    with safe_open(path, "np") as handle:
        assert handle.metadata() == metadata, f"metadata {handle.metadata()} != {metadata}"

    with open(path, "rb") as f:
        raw = f.read()
    length, text, data = header(raw)
    assert length % 8 == 0, f"header length {length} is not a multiple of 8"
    parsed = json.loads(text)
    names = [k for k in parsed if k != "__metadata__"]
    assert names == sorted(names), f"tensors not sorted in the header: {names}"
    _, python_text, python_data = header(save(want, metadata=metadata))
    assert parsed == json.loads(python_text), f"header differs from Python's:\n{text}\n{python_text}"
    assert data == python_data, "data bytes differ from Python's"
    print(f"{path}: OK ({len(got)} tensors, {len(raw)} bytes, header {length} bytes)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
