#!/usr/bin/env python3
"""Tests of import_nyud.py and import_pascal_context.py on tiny fake copies of the benchmark
layouts (16×20 images, imported at 8×10), checking their output against the FedBone dataset
format of docs/data.md (what DatasetReader in Sources/FedBoneData/Storage/ reads).

    python3 tools/test_importers.py                   # run the tests (plain asserts)
    python3 tools/test_importers.py --write-fixtures  # regenerate the Swift test fixtures

The Swift tests (Tests/FedBoneDataTests/PythonImportedDatasetTests.swift) open two datasets
these importers wrote from fake layouts, committed under Tests/FedBoneDataTests/Fixtures/
(python-nyud, python-pascal); the tests here check that regenerating them gives the same bytes.
"""

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fedbone_scenes as fs  # noqa: E402
from import_nyud import NYU40_CLASSES  # noqa: E402
from import_pascal_context import PART_CLASSES, VOC_CLASSES  # noqa: E402

H, W = 16, 20
OUT = (8, 10)
FIXTURES = os.path.join(os.path.dirname(HERE), "Tests", "FedBoneDataTests", "Fixtures")
MANIFEST_KEYS = {"format", "version", "name", "height", "width", "count", "tasks", "tensors", "styles",
                 "imageStyles", "shards"}
OPTIONAL_KEYS = {"splits", "source"}
DTYPES = {"U8": np.uint8, "I8": np.int8, "F32": np.float32}


def blocks(values):
    """A 16×20 array made of 2×2 blocks of an 8×10 array (so any nearest sampling recovers it)."""
    return np.kron(np.asarray(values), np.ones((2, 2), dtype=np.asarray(values).dtype))


def write_lines(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def save_png(path, array, mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(array, mode).save(path) if mode else Image.fromarray(array).save(path)


def save_jpg(path, colour):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(np.full((H, W, 3), colour, dtype=np.uint8)).save(path, quality=95)


def save_npy(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, array)


def run(script, *args):
    result = subprocess.run([sys.executable, os.path.join(HERE, script), *args], capture_output=True, text=True)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def expected_tensors(kinds, h, w):
    """docs/data.md: per tensor, dtype, one sample's shape and scale."""
    table = {
        "rgb": ("U8", [3, h, w], 255), "semantic": ("U8", [h, w], 1), "parts": ("U8", [h, w], 1),
        "depth": ("F32", [h, w], 1), "normals": ("I8", [3, h, w], 127), "boundaries": ("U8", [h, w], 1),
        "saliency": ("U8", [h, w], 1), "class": ("U8", [], 1),
    }
    names = ["rgb"] + [fs.TENSOR_NAMES[k] for k in kinds]
    return {n: {"dtype": table[n][0], "shape": table[n][1], "scale": table[n][2]} for n in names}


def read_header(path):
    with open(path, "rb") as f:
        length = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(length))
    assert length % 8 == 0, f"{path}: header length {length} is not a multiple of 8"
    return header


def load_dataset(out):
    """Checks `out` against the format as DatasetReader does (manifest keys and consistency,
    shard tensors, dtypes, shapes, metadata, value rules) and returns the manifest and every
    tensor's real values (stored ÷ scale), concatenated over the shards."""
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    assert MANIFEST_KEYS <= set(manifest) <= MANIFEST_KEYS | OPTIONAL_KEYS, sorted(manifest)
    assert manifest["format"] == "fedbone-multitask" and manifest["version"] == 1
    n, h, w = manifest["count"], manifest["height"], manifest["width"]
    kinds = [t["kind"] for t in manifest["tasks"]]
    assert manifest["tensors"] == expected_tensors(kinds, h, w), manifest["tensors"]
    for task in manifest["tasks"]:
        assert set(task) == ({"kind", "classes"} if task["kind"] in fs.LABEL_TASKS else {"kind"}), task
    assert manifest["styles"] == ["default"] and manifest["imageStyles"] == [0] * n
    first = 0
    for shard in manifest["shards"]:
        assert set(shard) == {"file", "first", "count"} and shard["first"] == first and shard["count"] > 0, shard
        first += shard["count"]
    assert first == n
    assert all(isinstance(v, str) for v in manifest.get("source", {}).values())

    parts = []
    for shard in manifest["shards"]:
        path = os.path.join(out, shard["file"])
        header = read_header(path)
        assert header["__metadata__"] == {"format": "fedbone-multitask", "first": str(shard["first"]),
                                          "count": str(shard["count"])}, header["__metadata__"]
        stored = fs.read_safetensors(path)
        assert set(stored) == set(manifest["tensors"]), sorted(stored)
        for name, encoding in manifest["tensors"].items():
            assert stored[name].dtype == DTYPES[encoding["dtype"]], (name, stored[name].dtype)
            assert list(stored[name].shape) == [shard["count"]] + encoding["shape"], (name, stored[name].shape)
        try:
            from safetensors.numpy import load_file
        except ImportError:
            pass
        else:
            other = load_file(path)
            assert set(other) == set(stored) and all(np.array_equal(other[k], stored[k]) for k in stored)
        parts.append(stored)
    real = {name: np.concatenate([p[name] for p in parts]).astype(np.float32) / enc["scale"]
            for name, enc in manifest["tensors"].items()}
    for task in manifest["tasks"]:
        values = real[fs.TENSOR_NAMES[task["kind"]]]
        if task["kind"] in fs.LABEL_TASKS:
            assert np.all((values < len(task["classes"])) | (values == 255)), task["kind"]
        elif task["kind"] in fs.MASK_TASKS:
            assert set(np.unique(values)) <= {0, 1}, task["kind"]
        elif task["kind"] == "depth":
            assert np.all(np.isfinite(values) & (values >= 0))
    return manifest, real


def make_nyud(root):
    ids = ["0001", "0002", "0003"]
    write_lines(os.path.join(root, "gt_sets", "train.txt"), ids[:2])
    write_lines(os.path.join(root, "gt_sets", "val.txt"), ids[2:])
    seg = np.zeros((8, 10), dtype=np.uint8)
    seg[:, 5:] = 3
    seg[4:, :5] = 40
    depth = np.full((8, 10), 2.5, dtype=np.float32)
    depth[0, :] = 0
    normals = np.zeros((8, 10, 3), dtype=np.float32)
    normals[..., 2] = 2.0  # not unit: the importer normalises
    normals[7, :] = 0       # invalid row
    edge = np.zeros((H, W), dtype=np.float32)
    edge[:, 6] = 1          # thin line on a column nearest sampling would skip
    for n, i in enumerate(ids):
        save_jpg(os.path.join(root, "images", i + ".jpg"), (255, 0, 0) if n == 0 else (0, 0, 255))
        save_png(os.path.join(root, "segmentation", i + ".png"), blocks(seg))
        os.makedirs(os.path.join(root, "edge"), exist_ok=True)
        np.save(os.path.join(root, "edge", i + ".npy"), edge)
        os.makedirs(os.path.join(root, "depth"), exist_ok=True)
        os.makedirs(os.path.join(root, "normals"), exist_ok=True)
        if n < 2:
            np.save(os.path.join(root, "depth", i + ".npy"), blocks(depth))
            np.save(os.path.join(root, "normals", i + ".npy"), blocks_3(normals))
        else:  # PNG fallbacks: uint16 millimetres and 8-bit normals
            save_png(os.path.join(root, "depth", i + ".png"), blocks((depth * 1000).astype(np.uint16)))
            png = np.full((H, W, 3), (128, 128, 255), dtype=np.uint8)
            png[14:] = 0
            save_png(os.path.join(root, "normals", i + ".png"), png)
    return ids


def blocks_3(values):
    return np.stack([blocks(values[..., c]) for c in range(values.shape[2])], axis=2)


def test_nyud(tmp):
    root, out = os.path.join(tmp, "NYUD_MT"), os.path.join(tmp, "nyud")
    make_nyud(root)
    printed = run("import_nyud.py", "--root", root, "--out", out, "--size", "8", "10", "--shard-size", "2")
    assert "wrote 3 images (2 train, 1 test)" in printed, printed
    manifest, t = load_dataset(out)
    assert manifest["name"] == "nyud-v2"
    assert manifest["height"] == 8 and manifest["width"] == 10 and manifest["count"] == 3
    assert manifest["tasks"] == [{"kind": "segmentation", "classes": NYU40_CLASSES}, {"kind": "depth"},
                                 {"kind": "normals"}, {"kind": "boundaries"}]
    assert len(NYU40_CLASSES) == 40
    assert manifest["shards"] == [{"file": "shard-00000.safetensors", "first": 0, "count": 2},
                                  {"file": "shard-00001.safetensors", "first": 2, "count": 1}]
    assert manifest["splits"] == {"train": [0, 1], "test": [2]}
    assert manifest["source"] == {"importer": "tools/import_nyud.py", "layout": "NYUD_MT"}

    assert t["rgb"].shape == (3, 3, 8, 10)
    assert np.allclose(t["rgb"][0, :, 4, 5], [1, 0, 0], atol=0.05)
    assert np.allclose(t["rgb"][1, :, 4, 5], [0, 0, 1], atol=0.05)

    seg = t["semantic"]
    assert seg.shape == (3, 8, 10)
    assert np.all(seg[:, :4, :5] == 255)   # void → ignore
    assert np.all(seg[:, :, 5:] == 2)      # class 3 → 2
    assert np.all(seg[:, 4:, :5] == 39)    # class 40 → 39

    depth = t["depth"]
    assert depth.shape == (3, 8, 10)
    assert np.all(depth[:, 0, :] == 0) and np.allclose(depth[:, 1:, :], 2.5)

    normals = t["normals"]
    assert normals.shape == (3, 3, 8, 10)
    assert np.array_equal(normals[:2, :, :7], np.broadcast_to(np.array([0, 0, 1], np.float32)[None, :, None, None], (2, 3, 7, 10)))
    assert np.all(normals[:, :, 7] == 0)
    norm = np.linalg.norm(normals[2, :, :7], axis=0)
    assert np.allclose(norm, 1, atol=1 / 127) and normals[2, 2, 0, 0] > 0.99

    edges = t["boundaries"]
    assert edges.shape == (3, 8, 10)
    assert np.all(edges[:, :, 3] == 1) and edges.sum() == 3 * 8


def save_mat(path, **variables):
    import scipy.io
    os.makedirs(os.path.dirname(path), exist_ok=True)
    scipy.io.savemat(path, variables)


def part_annotation(head, arm, cat):
    """A PASCAL-Part 'anno' struct: a person with a head and a left upper arm, and a cat."""
    part = np.zeros((1, 2), dtype=[("part_name", "O"), ("mask", "O")])
    part[0, 0] = ("head", head.astype(np.uint8))
    part[0, 1] = ("luarm", arm.astype(np.uint8))
    objects = np.zeros((1, 2), dtype=[("class", "O"), ("class_ind", "O"), ("mask", "O"), ("parts", "O")])
    objects[0, 0] = ("person", 15, (head | arm).astype(np.uint8), part)
    objects[0, 1] = ("cat", 8, cat.astype(np.uint8), np.zeros((0, 0)))
    anno = np.zeros((1, 1), dtype=[("imname", "O"), ("objects", "O")])
    anno[0, 0] = ("2008_000001", objects)
    return anno


def make_pascal(root, with_mat):
    ids = ["2008_000001", "2008_000002", "2008_000003"]
    write_lines(os.path.join(root, "ImageSets", "Context", "train.txt"), ids[:2])
    write_lines(os.path.join(root, "ImageSets", "Context", "val.txt"), ids[2:])
    seg = np.zeros((8, 10), dtype=np.uint8)
    seg[:, 5:] = 15
    seg[0, 0] = 255
    labels = np.ones((H, W), dtype=np.uint16)
    labels[:, 10:] = 2
    sal = np.zeros((H, W), dtype=np.uint8)
    sal[8:, :] = 255
    normals = np.full((H, W, 3), (128, 128, 255), dtype=np.uint8)
    for n, i in enumerate(ids):
        save_jpg(os.path.join(root, "JPEGImages", i + ".jpg"), (0, 255, 0))
        folder = "VOC12" if n == 0 else "pascal-context"
        save_png(os.path.join(root, "semseg", folder, i + ".png"), blocks(seg))
        save_png(os.path.join(root, "sal_distill", i + ".png"), sal)
        save_png(os.path.join(root, "normals_distill", i + ".png"), normals)
        if with_mat and n == 0:
            save_mat(os.path.join(root, "pascal-context", "trainval", i + ".mat"), LabelMap=labels)
        else:
            save_png(os.path.join(root, "pascal-context", "trainval", i + ".png"), labels)
    head = np.zeros((H, W), dtype=bool)
    head[:4, :4] = True
    arm = np.zeros((H, W), dtype=bool)
    arm[4:8, :4] = True
    if with_mat:
        save_mat(os.path.join(root, "human_parts", ids[0] + ".mat"), anno=part_annotation(head, arm, ~(head | arm)))
    else:
        save_png(os.path.join(root, "human_parts", ids[0] + ".png"), (head * 1 + arm * 3).astype(np.uint8))
    save_png(os.path.join(root, "human_parts", ids[1] + ".png"), blocks(np.where(seg == 15, 2, 0).astype(np.uint8)))
    return ids


def test_pascal(tmp, with_mat):
    root, out = os.path.join(tmp, f"PASCAL_MT_{with_mat}"), os.path.join(tmp, f"pascal_{with_mat}")
    make_pascal(root, with_mat)
    run("import_pascal_context.py", "--root", root, "--out", out, "--size", "8", "10", "--normals-valid-labels", "1")
    manifest, t = load_dataset(out)
    assert manifest["name"] == "pascal-context"
    assert manifest["count"] == 3 and manifest["height"] == 8 and manifest["width"] == 10
    assert manifest["tasks"] == [{"kind": "segmentation", "classes": VOC_CLASSES},
                                 {"kind": "parts", "classes": PART_CLASSES},
                                 {"kind": "saliency"}, {"kind": "normals"}, {"kind": "boundaries"}]
    assert len(VOC_CLASSES) == 21 and len(PART_CLASSES) == 7
    assert manifest["splits"] == {"train": [0, 1], "test": [2]}
    assert manifest["shards"] == [{"file": "shard-00000.safetensors", "first": 0, "count": 3}]

    seg = t["semantic"]
    assert seg[0, 0, 0] == 255 and np.all(seg[:, :, 5:] == 15) and np.all(seg[:, 1:, :5] == 0)

    parts = t["parts"]
    assert parts.shape == (3, 8, 10)
    assert np.all(parts[0, :2, :2] == 1)      # head
    assert np.all(parts[0, 2:4, :2] == 3)     # left upper arm
    assert np.all(parts[0, 4:, :] == 0)       # background of a person image
    assert np.all(parts[1, :, 5:] == 2) and np.all(parts[1, :, :5] == 0)
    assert np.all(parts[2] == 255)            # no person annotation: ignored

    sal = t["saliency"]
    assert sal.shape == (3, 8, 10) and np.all(sal[:, 4:] == 1) and np.all(sal[:, :4] == 0)

    normals = t["normals"]
    assert np.allclose(np.linalg.norm(normals[:, :, :, :5], axis=1), 1, atol=1 / 127)
    assert normals[0, 2, 0, 0] == 1
    assert np.all(normals[:, :, :, 5:] == 0)  # LabelMap 2 is not a valid normals label

    edges = t["boundaries"]
    assert edges.shape == (3, 8, 10) and np.all(edges[:, :, 4] == 1) and edges.sum() == 3 * 8


def expect_value_error(text, call):
    try:
        call()
    except ValueError as error:
        assert text in str(error), str(error)
    else:
        raise AssertionError(f"expected a ValueError mentioning '{text}'")


def test_helpers():
    assert list(fs.nearest_indices(16, 8)) == [1, 3, 5, 7, 9, 11, 13, 15]
    assert list(fs.nearest_indices(2, 4)) == [0, 0, 1, 1]
    up = fs.resize_binary(np.array([[1, 0], [0, 0]]), (4, 4))
    assert up.sum() == 4 and np.all(up[:2, :2] == 1)
    assert np.array_equal(fs.label_boundaries(np.array([[1, 1, 2], [1, 1, 2]])), [[0, 1, 0], [0, 1, 0]])
    assert list(fs.round_half_away(np.array([-1.5, -0.5, 0.5, 1.5, 76.2]))) == [-2, -1, 1, 2, 76]


def test_writer(tmp):
    """write_scenes on hand-made samples: encodings of every task kind, and rejected samples."""
    seg = {"kind": "segmentation", "classes": ["a", "b", "c"]}
    tasks = [seg, {"kind": "depth"}, {"kind": "normals"}, {"kind": "saliency"},
             {"kind": "classification", "classes": ["x", "y"]}]
    normals = np.zeros((3, 2, 2))
    normals[0, 0, 0], normals[2, 0, 0] = 0.6, 0.8
    sample = {"rgb": np.full((3, 2, 2), 0.5), "semantic": np.array([[0, 2], [255, 1]]),
              "depth": np.array([[0, 1.25], [2, 3]]), "normals": normals,
              "saliency": np.array([[0, 1], [1, 0]]), "class": 1}
    out = os.path.join(tmp, "writer")
    manifest = fs.write_scenes(out, [sample, sample, sample], "hand-made", (2, 2), tasks, {"test": [2]}, shard_size=2)
    assert manifest["shards"] == [{"file": "shard-00000.safetensors", "first": 0, "count": 2},
                                  {"file": "shard-00001.safetensors", "first": 2, "count": 1}]
    assert "source" not in manifest
    _, t = load_dataset(out)
    stored = fs.read_safetensors(os.path.join(out, "shard-00001.safetensors"))
    assert stored["rgb"].flat[0] == 128                                 # round(0.5 · 255), half away from zero
    assert list(stored["normals"][0, :, 0, 0]) == [76, 0, 102]          # round(127 · n)
    assert stored["class"].tolist() == [1] and stored["depth"].dtype == np.float32
    assert np.array_equal(t["semantic"][2], [[0, 2], [255, 1]]) and np.array_equal(t["depth"][2], [[0, 1.25], [2, 3]])

    def write(bad, task_list=tasks):
        return lambda: fs.write_scenes(os.path.join(tmp, "bad"), [{**sample, **bad}], "bad", (2, 2), task_list)
    expect_value_error("'depth' has shape None", lambda: fs.write_scenes(
        os.path.join(tmp, "bad"), [{"rgb": np.zeros((3, 2, 2))}], "bad", (2, 2), [{"kind": "depth"}]))
    expect_value_error("'semantic' has shape (2, 3)", write({"semantic": np.zeros((2, 3))}))
    expect_value_error("labels must be integers in 0..<3 or 255", write({"semantic": np.array([[0, 3], [0, 0]])}))
    expect_value_error("labels must be integers", write({"semantic": np.array([[0, 0.5], [0, 0]])}))
    expect_value_error("labels must be integers in 0..<2", write({"class": 2}))
    expect_value_error("depth must be ≥ 0", write({"depth": np.array([[0, -1], [0, 0]])}))
    expect_value_error("non-finite", write({"depth": np.array([[0, np.nan], [0, 0]])}))
    expect_value_error("masks must hold only 0 and 1", write({"saliency": np.array([[0, 2], [0, 0]])}))
    expect_value_error("needs 2…255 class names", write({}, [{"kind": "segmentation", "classes": ["only"]}]))
    expect_value_error("unknown task kind", write({}, [{"kind": "edges"}]))
    expect_value_error("each task may appear once", write({}, [{"kind": "depth"}, {"kind": "depth"}]))


def test_missing_file_is_named(tmp):
    root = os.path.join(tmp, "NYUD_broken")
    make_nyud(root)
    os.remove(os.path.join(root, "depth", "0002.npy"))
    result = subprocess.run([sys.executable, os.path.join(HERE, "import_nyud.py"), "--root", root,
                             "--out", os.path.join(tmp, "broken")], capture_output=True, text=True)
    assert result.returncode != 0 and "depth/0002" in result.stderr, result.stderr


# ---------------------------------------------------------------------------------------------
# Fixtures of the Swift tests


FIXTURE_H, FIXTURE_W = 12, 16


def make_nyud_fixture_layout(root):
    """A NYUD_MT layout of 4 images of 12×16 (imported at that size, so nothing is resized)
    whose values the Swift test predicts from (n, y, x), n = image index:
      images/f<n>.png      R = 16x + n, G = 20y, B = 60n (PNG, so exact)
      segmentation         raw = (x + 2y + n) mod 41 (0 = void → 255, k → k − 1)
      depth/f<n>.npy       0 on row 0 (invalid), else 1 + 0.5n + 0.125x metres
      normals/f<n>.npy     (0, 0, 1) for x < 8, (0.6, 0, 0.8) for x ≥ 8, 0 on the last row
      edge/f<n>.npy        1 on column 3 + n and on row 5
    train.txt: f0, f1, f2; val.txt: f3."""
    ids = [f"f{n}" for n in range(4)]
    write_lines(os.path.join(root, "gt_sets", "train.txt"), ids[:3])
    write_lines(os.path.join(root, "gt_sets", "val.txt"), ids[3:])
    y, x = np.mgrid[0:FIXTURE_H, 0:FIXTURE_W]
    for n, i in enumerate(ids):
        rgb = np.stack([16 * x + n, 20 * y, np.full_like(x, 60 * n)], axis=2).astype(np.uint8)
        save_png(os.path.join(root, "images", i + ".png"), rgb)
        save_png(os.path.join(root, "segmentation", i + ".png"), ((x + 2 * y + n) % 41).astype(np.uint8))
        depth = np.where(y == 0, 0, 1 + 0.5 * n + 0.125 * x).astype(np.float32)
        save_npy(os.path.join(root, "depth", i + ".npy"), depth)
        normals = np.where((x < 8)[..., None], [0, 0, 1], [0.6, 0, 0.8]).astype(np.float32)
        normals[FIXTURE_H - 1] = 0
        save_npy(os.path.join(root, "normals", i + ".npy"), normals)
        save_npy(os.path.join(root, "edge", i + ".npy"), ((x == 3 + n) | (y == 5)).astype(np.float32))


def write_fixtures(tmp, destination):
    """Writes the Swift tests' fixture datasets into `destination` (python-nyud, python-pascal)."""
    nyud_root = os.path.join(tmp, "fixture-NYUD_MT")
    make_nyud_fixture_layout(nyud_root)
    run("import_nyud.py", "--root", nyud_root, "--out", os.path.join(destination, "python-nyud"),
        "--size", str(FIXTURE_H), str(FIXTURE_W), "--shard-size", "3")
    pascal_root = os.path.join(tmp, "fixture-PASCAL_MT")
    make_pascal(pascal_root, with_mat=False)
    run("import_pascal_context.py", "--root", pascal_root, "--out", os.path.join(destination, "python-pascal"),
        "--size", "8", "10", "--normals-valid-labels", "1")


def test_fixtures(tmp):
    """The fixture datasets are in the format and the committed copies are what the importers
    write now (regenerate with --write-fixtures after changing an importer)."""
    fresh = os.path.join(tmp, "fixtures")
    write_fixtures(tmp, fresh)
    manifest, t = load_dataset(os.path.join(fresh, "python-nyud"))
    assert manifest["count"] == 4 and (manifest["height"], manifest["width"]) == (FIXTURE_H, FIXTURE_W)
    assert [s["count"] for s in manifest["shards"]] == [3, 1]
    assert manifest["splits"] == {"train": [0, 1, 2], "test": [3]}
    y, x = np.mgrid[0:FIXTURE_H, 0:FIXTURE_W]
    for n in range(4):
        assert np.array_equal(t["rgb"][n] * 255, np.stack([16 * x + n, 20 * y, np.full_like(x, 60 * n)]))
        raw = (x + 2 * y + n) % 41
        assert np.array_equal(t["semantic"][n], np.where(raw == 0, 255, raw - 1))
        assert np.array_equal(t["depth"][n], np.where(y == 0, 0, 1 + 0.5 * n + 0.125 * x))
        assert np.array_equal(t["boundaries"][n], (x == 3 + n) | (y == 5))
    stored = fs.read_safetensors(os.path.join(fresh, "python-nyud", "shard-00000.safetensors"))["normals"]
    assert list(stored[0, :, 0, 0]) == [0, 0, 127] and list(stored[0, :, 0, 8]) == [76, 0, 102]
    assert np.all(stored[:, :, FIXTURE_H - 1] == 0)
    load_dataset(os.path.join(fresh, "python-pascal"))
    for name in ("python-nyud", "python-pascal"):
        committed = os.path.join(FIXTURES, name)
        assert os.path.isdir(committed), f"{committed} missing: run tools/test_importers.py --write-fixtures"
        compare = filecmp.dircmp(os.path.join(fresh, name), committed)
        same = not (compare.left_only or compare.right_only) and \
            all(filecmp.cmp(os.path.join(committed, f), os.path.join(fresh, name, f), shallow=False) for f in compare.common_files)
        assert same, f"{committed} differs from what the importers write now: run tools/test_importers.py --write-fixtures"


def main():
    if sys.argv[1:] == ["--write-fixtures"]:
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("python-nyud", "python-pascal"):
                shutil.rmtree(os.path.join(FIXTURES, name), ignore_errors=True)
            write_fixtures(tmp, FIXTURES)
        print(f"wrote {FIXTURES}/python-nyud and python-pascal")
        return
    if sys.argv[1:]:
        sys.exit(f"usage: {sys.argv[0]} [--write-fixtures]")
    with tempfile.TemporaryDirectory() as tmp:
        test_helpers()
        test_writer(tmp)
        test_nyud(tmp)
        test_pascal(tmp, with_mat=False)
        try:
            import scipy.io  # noqa: F401
        except ImportError:
            print("scipy not installed: skipped the .mat variant")
        else:
            test_pascal(tmp, with_mat=True)
        test_missing_file_is_named(tmp)
        test_fixtures(tmp)
    print("importer tests passed")


if __name__ == "__main__":
    main()
