"""Shared pieces of the dataset importers: resizing dense labels and writing the FedBone
on-disk format, version 1 (`docs/data.md`; read by `DatasetReader` in
`Sources/FedBoneData/Storage/`). Everything about the format is in `write_scenes` and the
constants and helpers just above it.

    <out>/manifest.json
        {"format": "fedbone-multitask", "version": 1, "name": ..., "height": H, "width": W,
         "count": N, "tasks": [{"kind": "segmentation", "classes": [...]}, {"kind": "depth"}, ...],
         "tensors": {"rgb": {"dtype": "U8", "shape": [3, H, W], "scale": 255}, ...},
         "styles": ["default"], "imageStyles": [0, ...],
         "splits": {"train": [...], "test": [...]},
         "shards": [{"file": "shard-00000.safetensors", "first": 0, "count": n}, ...],
         "source": {...}}
    <out>/shard-00000.safetensors, ...   one tensor per entry of "tensors", sample dimension
        first, stored value = real value × scale:
        rgb         [n, 3, H, W] U8  scale 255   colours in [0, 1]
        semantic    [n, H, W]    U8  scale 1     class ids, 255 = ignore   (task segmentation)
        parts       [n, H, W]    U8  scale 1     part ids, 255 = ignore
        depth       [n, H, W]    F32 scale 1     metres, 0 = invalid
        normals     [n, 3, H, W] I8  scale 127   unit vectors, 0 = invalid
        boundaries  [n, H, W]    U8  scale 1     {0, 1}
        saliency    [n, H, W]    U8  scale 1     {0, 1}
        class       [n]          U8  scale 1     image class, 255 = unknown (task classification)

Only numpy and Pillow are needed.
"""

import json
import os
import struct

import numpy as np
from PIL import Image

IGNORE = 255

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

FORMAT = "fedbone-multitask"
VERSION = 1
DEFAULT_STYLE = "default"
# Task kind → the shard tensor holding its ground truth (DatasetManifest.tensorName(for:)).
TENSOR_NAMES = {
    "segmentation": "semantic", "parts": "parts", "depth": "depth", "normals": "normals",
    "boundaries": "boundaries", "saliency": "saliency", "classification": "class",
}
LABEL_TASKS = ("segmentation", "parts", "classification")
MASK_TASKS = ("boundaries", "saliency")
DTYPES = {"U8": np.dtype("u1"), "I8": np.dtype("i1"), "F32": np.dtype("<f4")}


def tensor_encodings(tasks, height, width):
    """The manifest's "tensors": name → {"dtype", "shape" (one sample's), "scale"}, exactly as
    DatasetWriter writes them (stored value = real value × scale)."""
    plane, colour = [height, width], [3, height, width]
    out = {"rgb": {"dtype": "U8", "shape": colour, "scale": 255}}
    for task in tasks:
        kind = task["kind"]
        if kind == "depth":
            encoding = {"dtype": "F32", "shape": plane, "scale": 1}
        elif kind == "normals":
            encoding = {"dtype": "I8", "shape": colour, "scale": 127}
        elif kind == "classification":
            encoding = {"dtype": "U8", "shape": [], "scale": 1}
        else:
            encoding = {"dtype": "U8", "shape": plane, "scale": 1}
        out[TENSOR_NAMES[kind]] = encoding
    return out


def round_half_away(values):
    """Rounds to the nearest integer, halves away from zero (Swift's `rounded()`)."""
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def encode_sample_tensor(kind, values, classes, where):
    """One sample's real values of task `kind` ("rgb" for the image) in the stored dtype,
    checked against the value rules DatasetReader enforces; `where` names it in errors."""
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{where}: holds a non-finite value")
    if kind == "rgb":
        return round_half_away(np.clip(values, 0, 1) * 255).astype("u1")
    if kind in LABEL_TASKS:
        bad = (values != np.round(values)) | (values < 0) | ((values >= len(classes)) & (values != IGNORE))
        if np.any(bad):
            raise ValueError(f"{where}: holds {values[bad].flat[0]}; labels must be integers in 0..<{len(classes)} or {IGNORE}")
        return values.astype("u1")
    if kind in MASK_TASKS:
        if np.any((values != 0) & (values != 1)):
            raise ValueError(f"{where}: masks must hold only 0 and 1")
        return values.astype("u1")
    if kind == "depth":
        if np.any(values < 0):
            raise ValueError(f"{where}: depth must be ≥ 0 (0 = invalid)")
        return values.astype("<f4")
    if kind == "normals":
        return round_half_away(np.clip(values, -1, 1) * 127).astype("i1")
    raise ValueError(f"{where}: unknown task kind '{kind}'")


def write_safetensors(path, tensors, metadata=None):
    """Writes numpy arrays of dtype uint8, int8 or float32 to a safetensors file (8-byte
    little-endian header length, JSON header padded with spaces to a multiple of 8, then the
    raw little-endian data), tensors sorted by name as DatasetWriter does."""
    names = {np.dtype("u1"): "U8", np.dtype("i1"): "I8", np.dtype("<f4"): "F32"}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        array = tensors[name]
        if array.dtype not in names:
            raise ValueError(f"{path}: tensor {name} has dtype {array.dtype}; write uint8, int8 or float32")
        data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": names[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    encoded = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def read_safetensors(path):
    """Reads a safetensors file of U8, I8 and F32 tensors into a dict of numpy arrays."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, expected one of {sorted(DTYPES)}")
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def write_scenes(out_dir, samples, name, size, tasks, splits=None, shard_size=256, source=None, styles=None):
    """Writes `samples` as a FedBone dataset (format version 1, `docs/data.md`) in `out_dir`,
    `shard_size` samples a shard, and returns the manifest written.

    `tasks`: the manifest's task list, e.g. [{"kind": "segmentation", "classes": [...]},
    {"kind": "depth"}]; label tasks (segmentation, parts, classification) need 2…255 class
    names. Each sample is a dict of real values keyed by tensor name: "rgb" [3, H, W] in
    [0, 1] and, per task, "semantic" / "parts" [H, W] class ids (255 = ignore), "depth"
    [H, W] metres (0 = invalid), "normals" [3, H, W] unit vectors (0 = invalid),
    "boundaries" / "saliency" [H, W] in {0, 1}, "class" a scalar class id. Values are checked
    with the rules the reader applies. Without `styles` the data has none: "styles" is
    ["default"] and every sample has style 0; with `styles` (a list of names) each sample needs
    a "style" index into it (what `partition: dirichlet` splits by). `splits` (name → indices)
    and `source` (str → str) are optional.
    """
    h, w = size
    tasks = [dict(t) for t in tasks]
    kinds = [t["kind"] for t in tasks]
    for task in tasks:
        if task["kind"] not in TENSOR_NAMES:
            raise ValueError(f"unknown task kind '{task['kind']}'; expected one of {sorted(TENSOR_NAMES)}")
        if task["kind"] in LABEL_TASKS and not 2 <= len(task.get("classes") or []) <= 255:
            raise ValueError(f"task {task['kind']} needs 2…255 class names")
        if task["kind"] not in LABEL_TASKS:
            task.pop("classes", None)
    if len(set(kinds)) != len(kinds):
        raise ValueError(f"each task may appear once, got {kinds}")
    if shard_size < 1:
        raise ValueError(f"shard size must be positive, got {shard_size}")
    encodings = tensor_encodings(tasks, h, w)
    kind_of = {"rgb": "rgb", **{TENSOR_NAMES[k]: k for k in kinds}}
    classes = {TENSOR_NAMES[t["kind"]]: t.get("classes") for t in tasks}
    os.makedirs(out_dir, exist_ok=True)
    shards, pending, count = [], [], 0
    image_styles = []

    def flush():
        if not pending:
            return
        file = f"shard-{len(shards):05d}.safetensors"
        first = count - len(pending)
        tensors = {t: np.stack([s[t] for s in pending]) for t in encodings}
        write_safetensors(os.path.join(out_dir, file), tensors,
                          {"format": FORMAT, "first": first, "count": len(pending)})
        shards.append({"file": file, "first": first, "count": len(pending)})
        pending.clear()

    for sample in samples:
        encoded = {}
        for tensor, encoding in encodings.items():
            got = None if tensor not in sample else tuple(np.shape(sample[tensor]))
            if got != tuple(encoding["shape"]):
                raise ValueError(f"sample {count}: '{tensor}' has shape {got}, expected {tuple(encoding['shape'])}")
            where = f"sample {count}: '{tensor}'"
            encoded[tensor] = encode_sample_tensor(kind_of[tensor], sample[tensor], classes.get(tensor), where)
        style = sample.get("style", 0) if styles else 0
        if not (isinstance(style, (int, np.integer)) and 0 <= style < len(styles or [DEFAULT_STYLE])):
            raise ValueError(f"sample {count}: style {style!r} is not an index into {styles or [DEFAULT_STYLE]}")
        image_styles.append(int(style))
        pending.append(encoded)
        count += 1
        if len(pending) == shard_size:
            flush()
    flush()

    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "name": name,
        "height": h,
        "width": w,
        "count": count,
        "tasks": tasks,
        "tensors": encodings,
        "styles": list(styles) if styles else [DEFAULT_STYLE],
        "imageStyles": image_styles,
        "shards": shards,
    }
    if splits is not None:
        manifest["splits"] = {k: [int(i) for i in v] for k, v in splits.items()}
        for split, indices in manifest["splits"].items():
            if any(not 0 <= i < count for i in indices):
                raise ValueError(f"split '{split}' has an index outside 0..<{count}")
    if source:
        manifest["source"] = {str(k): str(v) for k, v in source.items()}
    tmp = os.path.join(out_dir, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, os.path.join(out_dir, "manifest.json"))
    return manifest
