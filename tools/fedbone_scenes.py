"""Shared pieces of the dataset importers: resizing dense labels and writing the FedBone
on-disk format (a folder with manifest.json and safetensors shards).

The format contract (kept in one function, `write_scenes`, so that it is easy to adapt):

    <out>/manifest.json
        {"format": "fedbone-scenes", "version": 1, "size": [H, W], "count": N,
         "tasks": [...], "classes": {"segmentation": [...], "parts": [...]},
         "shards": [{"file": "shard-00000.safetensors", "count": n}, ...],
         "splits": {"train": [indices], "test": [indices]}}
    <out>/shard-00000.safetensors, ...
        image       [n, 3, H, W] float32 in [0, 1]
        segmentation, parts  [n, H, W] float32 class ids, 255 = ignore
        depth       [n, 1, H, W] float32 metres, 0 = invalid
        normals     [n, 3, H, W] float32 unit vectors, 0 = invalid
        boundaries  [n, 1, H, W] float32 in {0, 1}
        saliency    [n, 1, H, W] float32 in {0, 1}

Only numpy and Pillow are needed.
"""

import json
import os
import struct

import numpy as np
from PIL import Image

FORMAT = "fedbone-scenes"
VERSION = 1
IGNORE = 255

# Per task: the shape of one sample's tensor given (H, W).
TASK_SHAPES = {
    "segmentation": lambda h, w: (h, w),
    "parts": lambda h, w: (h, w),
    "depth": lambda h, w: (1, h, w),
    "normals": lambda h, w: (3, h, w),
    "boundaries": lambda h, w: (1, h, w),
    "saliency": lambda h, w: (1, h, w),
}


# ---------------------------------------------------------------------------------------------
# Resizing


def resize_image(path, size):
    """An RGB image file resized (bilinear, Pillow's antialiasing filter) to size = (H, W):
    float32 [3, H, W] in [0, 1]."""
    h, w = size
    with Image.open(path) as im:
        rgb = im.convert("RGB").resize((w, h), Image.BILINEAR)
    return np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0


def nearest_indices(source, target):
    """Source index sampled by each of `target` output pixels (pixel-centre nearest neighbour)."""
    return np.minimum(((np.arange(target) + 0.5) * source / target).astype(np.int64), source - 1)


def resize_nearest(array, size):
    """Nearest-neighbour resize of an [h, w] or [h, w, c] array to size = (H, W). Used for
    labels, depth and normals, so that no value is blended with an invalid or ignored one."""
    rows = nearest_indices(array.shape[0], size[0])
    cols = nearest_indices(array.shape[1], size[1])
    return array[rows][:, cols]


def resize_binary(mask, size):
    """A thin binary map resized so that thin structures survive downsampling: an output pixel
    is 1 when its nearest source pixel is 1 or when any source pixel that falls inside it is 1."""
    mask = np.asarray(mask) > 0
    h, w = mask.shape
    out = resize_nearest(mask, size).copy()
    ys, xs = np.nonzero(mask)
    out[(ys * size[0]) // h, (xs * size[1]) // w] = True
    return out.astype(np.float32)


def label_boundaries(labels):
    """Boundary map of a label image: 1 where a pixel's label differs from its right or lower
    neighbour (one-pixel-wide, like the thinned Laplacian the benchmarks use)."""
    labels = np.asarray(labels)
    edges = np.zeros(labels.shape, dtype=bool)
    edges[:, :-1] |= labels[:, :-1] != labels[:, 1:]
    edges[:-1, :] |= labels[:-1, :] != labels[1:, :]
    return edges.astype(np.float32)


def unit_normals(normals):
    """[h, w, 3] normals normalised to unit length; zero (invalid) and non-finite vectors → 0."""
    normals = np.nan_to_num(np.asarray(normals, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    norm = np.linalg.norm(normals, axis=2, keepdims=True)
    return np.where(norm > 1e-6, normals / np.maximum(norm, 1e-6), 0.0).astype(np.float32)


def read_split(path):
    """Image ids, one a line (blank lines skipped)."""
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


# ---------------------------------------------------------------------------------------------
# Writing


def write_safetensors(path, tensors, metadata=None):
    """Writes float32 arrays to a safetensors file (8-byte little-endian header length, JSON
    header, then the raw little-endian data in header order)."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def read_safetensors(path):
    """Reads a safetensors file of float32 tensors into a dict of numpy arrays."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(info["shape"])
    return out


def write_scenes(out_dir, samples, size, tasks, classes, splits, shard_size=256, source=None):
    """Writes `samples` (an iterable of dicts: "image" [3, H, W] and one array per task, shaped
    as TASK_SHAPES says) as a FedBone dataset in `out_dir`, `shard_size` samples a shard.

    `classes` maps label tasks to their class names; `splits` maps split names ("train",
    "test") to sample indices. Returns the manifest written.
    """
    h, w = size
    os.makedirs(out_dir, exist_ok=True)
    shards, pending, count = [], [], 0

    def flush():
        if not pending:
            return
        name = f"shard-{len(shards):05d}.safetensors"
        tensors = {"image": np.stack([s["image"] for s in pending])}
        for task in tasks:
            tensors[task] = np.stack([s[task] for s in pending])
        write_safetensors(os.path.join(out_dir, name), tensors, {"format": FORMAT, "version": VERSION})
        shards.append({"file": name, "count": len(pending)})
        pending.clear()

    for sample in samples:
        expected = {"image": (3, h, w), **{t: TASK_SHAPES[t](h, w) for t in tasks}}
        for key, shape in expected.items():
            if key not in sample or tuple(sample[key].shape) != shape:
                got = None if key not in sample else tuple(sample[key].shape)
                raise ValueError(f"sample {count}: '{key}' has shape {got}, expected {shape}")
        pending.append({k: np.asarray(v, dtype=np.float32) for k, v in sample.items()})
        count += 1
        if len(pending) == shard_size:
            flush()
    flush()

    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "size": [h, w],
        "count": count,
        "tasks": list(tasks),
        "classes": {k: list(v) for k, v in classes.items()},
        "shards": shards,
        "splits": {k: [int(i) for i in v] for k, v in splits.items()},
    }
    if source:
        manifest["source"] = source
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return manifest
