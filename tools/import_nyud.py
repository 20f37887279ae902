#!/usr/bin/env python3
"""Converts NYUD-v2 in the layout of the multi-task dense-prediction benchmarks (NYUD_MT of
Multi-Task-Learning-PyTorch / ASTMT) into the FedBone dataset format.

Layout read (ids from gt_sets/train.txt and gt_sets/val.txt):
    images/<id>.jpg          RGB
    segmentation/<id>.png    0 = void, 1..40 = the 40 NYU classes
    depth/<id>.npy           [h, w] metres (or depth/<id>.png, uint16 millimetres)
    normals/<id>.npy         [h, w, 3] in [-1, 1] (or normals/<id>.png, 8-bit, n = 2·v/255 − 1)
    edge/<id>.npy            [h, w] boundary map (or edge/<id>.png, non-zero = boundary)

Written (format in docs/data.md, dataset name "nyud-v2", one style "default"): tasks
segmentation (tensor "semantic"; void → 255, class k → k − 1, as the benchmarks do), depth,
normals, boundaries; train.txt → split "train", val.txt → split "test" (train images first).

    python3 tools/import_nyud.py --root NYUD_MT --out data/nyud --size 64 64
"""

import argparse
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fedbone_scenes as fs  # noqa: E402

NYU40_CLASSES = [
    "wall", "floor", "cabinet", "bed", "chair", "sofa", "table", "door", "window", "bookshelf",
    "picture", "counter", "blinds", "desk", "shelves", "curtain", "dresser", "pillow", "mirror",
    "floor mat", "clothes", "ceiling", "books", "refrigerator", "television", "paper", "towel",
    "shower curtain", "box", "whiteboard", "person", "night stand", "toilet", "sink", "lamp",
    "bathtub", "bag", "otherstructure", "otherfurniture", "otherprop",
]
TASKS = [{"kind": "segmentation", "classes": NYU40_CLASSES}, {"kind": "depth"}, {"kind": "normals"}, {"kind": "boundaries"}]


def find(root, folder, image_id, extensions):
    """The first existing <root>/<folder>/<id><ext>, or an error naming what was looked for."""
    for ext in extensions:
        path = os.path.join(root, folder, image_id + ext)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"{os.path.join(root, folder, image_id)}{{{','.join(extensions)}}} not found")


def load_segmentation(path):
    labels = np.asarray(Image.open(path)).astype(np.int64)
    if labels.ndim != 2:
        raise ValueError(f"{path}: expected a single-channel label image, got shape {labels.shape}")
    return np.where(labels == 0, fs.IGNORE, labels - 1)


def load_depth(path):
    if path.endswith(".npy"):
        depth = np.load(path).astype(np.float32)
    else:
        depth = np.asarray(Image.open(path)).astype(np.float32) / 1000.0
    depth = np.squeeze(depth)
    return np.where(np.isfinite(depth) & (depth > 0), depth, 0.0).astype(np.float32)


def load_normals(path):
    if path.endswith(".npy"):
        normals = np.load(path).astype(np.float32)
        if normals.ndim == 3 and normals.shape[0] == 3 and normals.shape[2] != 3:
            normals = normals.transpose(1, 2, 0)
    else:
        raw = np.asarray(Image.open(path).convert("RGB")).astype(np.float32)
        normals = np.where(raw.sum(axis=2, keepdims=True) > 0, 2.0 * raw / 255.0 - 1.0, 0.0)
    return fs.unit_normals(normals)


def load_edges(path):
    edges = np.load(path) if path.endswith(".npy") else np.asarray(Image.open(path))
    return np.squeeze(edges) > 0


def load_sample(root, image_id, size):
    image = fs.resize_image(find(root, "images", image_id, [".jpg", ".png"]), size)
    segmentation = fs.resize_nearest(load_segmentation(find(root, "segmentation", image_id, [".png"])), size)
    depth = fs.resize_nearest(load_depth(find(root, "depth", image_id, [".npy", ".png"])), size)
    normals = fs.resize_nearest(load_normals(find(root, "normals", image_id, [".npy", ".png"])), size)
    edges = fs.resize_binary(load_edges(find(root, "edge", image_id, [".npy", ".png"])), size)
    return {
        "rgb": image,
        "semantic": segmentation,
        "depth": depth,
        "normals": normals.transpose(2, 0, 1),
        "boundaries": edges,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", required=True, help="the NYUD_MT folder")
    parser.add_argument("--out", required=True, help="output dataset folder")
    parser.add_argument("--size", type=int, nargs=2, default=[64, 64], metavar=("H", "W"))
    parser.add_argument("--shard-size", type=int, default=256)
    parser.add_argument("--limit", type=int, default=None, help="at most this many images per split")
    args = parser.parse_args(argv)

    ids = {}
    for split, name in [("train", "train"), ("test", "val")]:
        ids[split] = fs.read_split(os.path.join(args.root, "gt_sets", name + ".txt"))[: args.limit]
    order = ids["train"] + ids["test"]
    splits = {"train": range(len(ids["train"])), "test": range(len(ids["train"]), len(order))}
    size = tuple(args.size)
    manifest = fs.write_scenes(
        args.out, (load_sample(args.root, i, size) for i in order), "nyud-v2", size, TASKS, splits,
        args.shard_size, source={"importer": "tools/import_nyud.py", "layout": "NYUD_MT"},
    )
    print(f"wrote {manifest['count']} images ({len(ids['train'])} train, {len(ids['test'])} test) to {args.out}")


if __name__ == "__main__":
    main()
