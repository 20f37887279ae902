#!/usr/bin/env python3
"""Tests of import_nyud.py and import_pascal_context.py on tiny fake copies of the benchmark
layouts (16×20 images, imported at 8×10). Plain asserts: python3 tools/test_importers.py"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fedbone_scenes as fs  # noqa: E402

H, W = 16, 20
OUT = (8, 10)


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


def run(script, *args):
    result = subprocess.run([sys.executable, os.path.join(HERE, script), *args], capture_output=True, text=True)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def load_dataset(out):
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    shards = [fs.read_safetensors(os.path.join(out, s["file"])) for s in manifest["shards"]]
    for shard, info in zip(shards, manifest["shards"]):
        assert all(t.shape[0] == info["count"] for t in shard.values())
        try:
            from safetensors.numpy import load_file
        except ImportError:
            continue
        other = load_file(os.path.join(out, info["file"]))
        assert set(other) == set(shard) and all(np.array_equal(other[k], shard[k]) for k in shard)
    tensors = {k: np.concatenate([s[k] for s in shards]) for k in shards[0]}
    return manifest, tensors


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
    assert manifest["format"] == "fedbone-scenes" and manifest["version"] == 1
    assert manifest["size"] == [8, 10] and manifest["count"] == 3
    assert manifest["tasks"] == ["segmentation", "depth", "normals", "boundaries"]
    assert len(manifest["classes"]["segmentation"]) == 40
    assert [s["count"] for s in manifest["shards"]] == [2, 1]
    assert manifest["shards"][0]["file"] == "shard-00000.safetensors"
    assert manifest["splits"] == {"train": [0, 1], "test": [2]}

    assert t["image"].shape == (3, 3, 8, 10) and t["image"].dtype == np.float32
    assert 0 <= t["image"].min() and t["image"].max() <= 1
    assert np.allclose(t["image"][0, :, 4, 5], [1, 0, 0], atol=0.05)
    assert np.allclose(t["image"][1, :, 4, 5], [0, 0, 1], atol=0.05)

    seg = t["segmentation"]
    assert seg.shape == (3, 8, 10)
    assert np.all(seg[:, :4, :5] == 255)   # void → ignore
    assert np.all(seg[:, :, 5:] == 2)      # class 3 → 2
    assert np.all(seg[:, 4:, :5] == 39)    # class 40 → 39

    depth = t["depth"]
    assert depth.shape == (3, 1, 8, 10)
    assert np.all(depth[:, 0, 0, :] == 0) and np.allclose(depth[:, 0, 1:, :], 2.5)

    normals = t["normals"]
    assert normals.shape == (3, 3, 8, 10)
    assert np.allclose(normals[:2, :, :7], np.array([0, 0, 1], dtype=np.float32)[None, :, None, None])
    assert np.all(normals[:, :, 7] == 0)
    norm = np.linalg.norm(normals[2, :, :7], axis=0)
    assert np.allclose(norm, 1, atol=1e-5) and normals[2, 2, 0, 0] > 0.99

    edges = t["boundaries"]
    assert edges.shape == (3, 1, 8, 10)
    assert np.all(edges[:, 0, :, 3] == 1) and edges.sum() == 3 * 8


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
    assert manifest["count"] == 3 and manifest["size"] == [8, 10]
    assert manifest["tasks"] == ["segmentation", "parts", "saliency", "normals", "boundaries"]
    assert len(manifest["classes"]["segmentation"]) == 21 and len(manifest["classes"]["parts"]) == 7
    assert manifest["splits"] == {"train": [0, 1], "test": [2]}
    assert [s["count"] for s in manifest["shards"]] == [3]

    seg = t["segmentation"]
    assert seg[0, 0, 0] == 255 and np.all(seg[:, :, 5:] == 15) and np.all(seg[:, 1:, :5] == 0)

    parts = t["parts"]
    assert parts.shape == (3, 8, 10)
    assert np.all(parts[0, :2, :2] == 1)      # head
    assert np.all(parts[0, 2:4, :2] == 3)     # left upper arm
    assert np.all(parts[0, 4:, :] == 0)       # background of a person image
    assert np.all(parts[1, :, 5:] == 2) and np.all(parts[1, :, :5] == 0)
    assert np.all(parts[2] == 255)            # no person annotation: ignored

    sal = t["saliency"]
    assert sal.shape == (3, 1, 8, 10) and np.all(sal[:, 0, 4:] == 1) and np.all(sal[:, 0, :4] == 0)

    normals = t["normals"]
    assert np.allclose(np.linalg.norm(normals[:, :, :, :5], axis=1), 1, atol=1e-5)
    assert normals[0, 2, 0, 0] > 0.99
    assert np.all(normals[:, :, :, 5:] == 0)  # LabelMap 2 is not a valid normals label

    edges = t["boundaries"]
    assert np.all(edges[:, 0, :, 4] == 1) and edges.sum() == 3 * 8


def test_helpers():
    assert list(fs.nearest_indices(16, 8)) == [1, 3, 5, 7, 9, 11, 13, 15]
    assert list(fs.nearest_indices(2, 4)) == [0, 0, 1, 1]
    up = fs.resize_binary(np.array([[1, 0], [0, 0]]), (4, 4))
    assert up.sum() == 4 and np.all(up[:2, :2] == 1)
    assert np.array_equal(fs.label_boundaries(np.array([[1, 1, 2], [1, 1, 2]])), [[0, 1, 0], [0, 1, 0]])
    try:
        fs.write_scenes(tempfile.mkdtemp(), [{"image": np.zeros((3, 2, 2))}], (2, 2), ["depth"], {}, {})
    except ValueError as error:
        assert "depth" in str(error)
    else:
        raise AssertionError("a sample without its task tensor must be rejected")


def test_missing_file_is_named(tmp):
    root = os.path.join(tmp, "NYUD_broken")
    make_nyud(root)
    os.remove(os.path.join(root, "depth", "0002.npy"))
    result = subprocess.run([sys.executable, os.path.join(HERE, "import_nyud.py"), "--root", root,
                             "--out", os.path.join(tmp, "broken")], capture_output=True, text=True)
    assert result.returncode != 0 and "depth/0002" in result.stderr, result.stderr


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_helpers()
        test_nyud(tmp)
        test_pascal(tmp, with_mat=False)
        try:
            import scipy.io  # noqa: F401
            test_pascal(tmp, with_mat=True)
        except ImportError:
            print("scipy not installed: skipped the .mat variant")
        test_missing_file_is_named(tmp)
    print("importer tests passed")


if __name__ == "__main__":
    main()
