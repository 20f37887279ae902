#!/usr/bin/env python3
"""Converts PASCAL-Context in the layout of the multi-task dense-prediction benchmarks
(PASCAL_MT of Multi-Task-Learning-PyTorch / ASTMT) into the FedBone dataset format.

Layout read (ids from ImageSets/Context/train.txt and val.txt):
    JPEGImages/<id>.jpg                 RGB
    semseg/VOC12/<id>.png or semseg/pascal-context/<id>.png
                                        21 VOC classes (0 = background), 255 = ignore
    human_parts/<id>.mat                PASCAL-Part annotation (read with scipy, if installed)
      or human_parts/<id>.png           part ids 0..6 (0 = background), 255 = ignore
    sal_distill/<id>.png                saliency, > 127 = salient
    normals_distill/<id>.png            8-bit normals, n = 2·v/255 − 1
    pascal-context/trainval/<id>.mat    the 459-class 'LabelMap' (scipy), or <id>.png

Written (format in docs/data.md, dataset name "pascal-context", one style "default"): tasks
segmentation (tensor "semantic"), parts, saliency, normals, boundaries; train → "train",
val → "test" (train images first). Human parts use the benchmarks' six-part grouping (head, torso, upper arms,
lower arms and hands, upper legs, lower legs and feet); an image without a person is all 255
(ignored). Boundaries are where the LabelMap changes between neighbouring pixels, computed
after resizing it (nearest) so they stay one pixel wide. Normals are valid everywhere unless
--normals-valid-labels lists the LabelMap ids on which they are defined (the benchmarks keep
the classes shared with NYUD).

    python3 tools/import_pascal_context.py --root PASCAL_MT --out data/pascal --size 64 64
"""

import argparse
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fedbone_scenes as fs  # noqa: E402
from import_nyud import find  # noqa: E402

VOC_CLASSES = [
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
    "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
    "train", "tvmonitor",
]
PART_CLASSES = ["background", "head", "torso", "upper arm", "lower arm", "upper leg", "lower leg"]
# PASCAL-Part person part names → the six-part grouping of the benchmarks.
PART_GROUPS = {
    "hair": 1, "head": 1, "lear": 1, "lebrow": 1, "leye": 1, "mouth": 1, "nose": 1, "rear": 1,
    "rebrow": 1, "reye": 1, "neck": 2, "torso": 2, "luarm": 3, "ruarm": 3, "lhand": 4, "llarm": 4,
    "rhand": 4, "rlarm": 4, "luleg": 5, "ruleg": 5, "lfoot": 6, "llleg": 6, "rfoot": 6, "rlleg": 6,
}
PERSON_CLASS = 15
TASKS = [
    {"kind": "segmentation", "classes": VOC_CLASSES}, {"kind": "parts", "classes": PART_CLASSES},
    {"kind": "saliency"}, {"kind": "normals"}, {"kind": "boundaries"},
]


def load_mat(path):
    try:
        import scipy.io
    except ImportError as error:
        raise RuntimeError(f"{path}: reading .mat files needs scipy; convert it to .png instead") from error
    return scipy.io.loadmat(path)


def load_label_map(root, image_id):
    path = find(root, os.path.join("pascal-context", "trainval"), image_id, [".mat", ".png"])
    labels = load_mat(path)["LabelMap"] if path.endswith(".mat") else np.asarray(Image.open(path))
    return np.asarray(labels).astype(np.int64)


def parts_from_mat(path, shape):
    """Part ids from a PASCAL-Part annotation: anno.objects(i) has class_ind, mask and
    parts(j) with part_name and mask; only person objects with parts count."""
    objects = load_mat(path)["anno"][0][0][1][0]
    target = None
    for obj in objects:
        if int(np.asarray(obj[1]).ravel()[0]) != PERSON_CLASS or np.asarray(obj[3]).size == 0:
            continue
        if target is None:
            target = np.zeros(np.asarray(obj[2]).shape, dtype=np.int64)
        for part in np.asarray(obj[3]).ravel():
            name = str(np.asarray(part[0]).ravel()[0])
            if name not in PART_GROUPS:
                raise ValueError(f"{path}: unknown person part '{name}'")
            target[np.asarray(part[1]).astype(bool)] = PART_GROUPS[name]
    return target if target is not None else np.full(shape, fs.IGNORE, dtype=np.int64)


def load_parts(root, image_id, shape):
    for ext in (".png", ".mat"):
        path = os.path.join(root, "human_parts", image_id + ext)
        if not os.path.isfile(path):
            continue
        if ext == ".mat":
            return parts_from_mat(path, shape)
        parts = np.asarray(Image.open(path)).astype(np.int64)
        return parts if np.any((parts > 0) & (parts != fs.IGNORE)) else np.full(parts.shape, fs.IGNORE)
    return np.full(shape, fs.IGNORE, dtype=np.int64)


def load_sample(root, image_id, size, normals_valid_labels):
    image_path = find(root, "JPEGImages", image_id, [".jpg", ".png"])
    with Image.open(image_path) as im:
        original = (im.height, im.width)
    image = fs.resize_image(image_path, size)

    seg_path = None
    for folder in (os.path.join("semseg", "VOC12"), os.path.join("semseg", "pascal-context")):
        candidate = os.path.join(root, folder, image_id + ".png")
        if os.path.isfile(candidate):
            seg_path = candidate
            break
    if seg_path is None:
        raise FileNotFoundError(f"{root}/semseg/{{VOC12,pascal-context}}/{image_id}.png not found")
    segmentation = fs.resize_nearest(np.asarray(Image.open(seg_path)).astype(np.int64), size)
    parts = fs.resize_nearest(load_parts(root, image_id, original), size)

    sal = np.asarray(Image.open(find(root, "sal_distill", image_id, [".png"])).convert("L"))
    saliency = fs.resize_nearest((sal > 127).astype(np.uint8), size)

    label_map = load_label_map(root, image_id)
    raw = np.asarray(Image.open(find(root, "normals_distill", image_id, [".png"])).convert("RGB")).astype(np.float32)
    normals = 2.0 * raw / 255.0 - 1.0
    if normals_valid_labels is not None:
        if label_map.shape != normals.shape[:2]:
            raise ValueError(f"{image_id}: LabelMap {label_map.shape} and normals {normals.shape[:2]} differ")
        normals = np.where(np.isin(label_map, normals_valid_labels)[..., None], normals, 0.0)
    normals = fs.resize_nearest(fs.unit_normals(normals), size)
    boundaries = fs.label_boundaries(fs.resize_nearest(label_map, size))

    return {
        "rgb": image,
        "semantic": segmentation,
        "parts": parts,
        "saliency": saliency,
        "normals": normals.transpose(2, 0, 1),
        "boundaries": boundaries,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", required=True, help="the PASCAL_MT folder")
    parser.add_argument("--out", required=True, help="output dataset folder")
    parser.add_argument("--size", type=int, nargs=2, default=[64, 64], metavar=("H", "W"))
    parser.add_argument("--shard-size", type=int, default=256)
    parser.add_argument("--limit", type=int, default=None, help="at most this many images per split")
    parser.add_argument("--normals-valid-labels", default=None,
                        help="comma-separated LabelMap ids where normals are defined (default: everywhere)")
    args = parser.parse_args(argv)

    valid = None
    if args.normals_valid_labels:
        valid = [int(v) for v in args.normals_valid_labels.split(",") if v.strip()]
    ids = {}
    for split, name in [("train", "train"), ("test", "val")]:
        ids[split] = fs.read_split(os.path.join(args.root, "ImageSets", "Context", name + ".txt"))[: args.limit]
    order = ids["train"] + ids["test"]
    splits = {"train": range(len(ids["train"])), "test": range(len(ids["train"]), len(order))}
    size = tuple(args.size)
    manifest = fs.write_scenes(
        args.out, (load_sample(args.root, i, size, valid) for i in order), "pascal-context", size, TASKS, splits,
        args.shard_size, source={"importer": "tools/import_pascal_context.py", "layout": "PASCAL_MT"},
    )
    print(f"wrote {manifest['count']} images ({len(ids['train'])} train, {len(ids['test'])} test) to {args.out}")


if __name__ == "__main__":
    main()
