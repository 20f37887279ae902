#!/usr/bin/env python3
"""Writes the small files the Swift importer tests read, into Tests/FedBoneImportTests/Fixtures/.

    pip install numpy Pillow
    python3 tools/make_import_fixtures.py      # from the repository root

The Swift tests never run Python: the files below are committed. Every value is fixed or
seeded, and gzip streams carry no timestamp, so rerunning the script rewrites the same bytes
(for one Pillow version; expected.json records what Pillow decodes and resizes).

imagefolder/      classes apple (a 2x2 RGB PNG of chosen colours, an 8x8 JPEG) and banana
                  (a 2x2 greyscale PNG, a 4x2 RGB PNG), plus a text file the importer skips
broken/           truncated.png, truncated.jpg (the first half of valid files), not-an-image.png
pairs/            images a.png (4x4 RGB) and b.jpg (4x4) with segmentation (grey and palette
                  masks, 255 = ignore), depth (16-bit, millimetres), normals, boundaries, saliency
bad/              a 3x3 mask, a mask with label 9, an 8-bit depth PNG, an RGB mask
idx/              MNIST-named IDX files: train (3 images of 4x4, gzipped), t10k (2, plain)
idx-broken/       a gzipped IDX images file cut short, and its labels
resize.png        a 6x4 RGB noise image; expected.json holds Pillow's BILINEAR resizes of it
expected.json     Pillow's decoding of the JPEGs and its resizes, for comparison within ±1
"""

import gzip
import io
import json
import pathlib
import struct

import numpy as np
from PIL import Image

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "FedBoneImportTests" / "Fixtures"


def save(image, path, **options):
    path = OUT / path
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **options)
    return path


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(image, quality=90):
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def write_bytes(path, data):
    path = OUT / path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def idx(array):
    """IDX bytes of an unsigned-byte array."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def main():
    rng = np.random.default_rng(14)
    expected = {}

    # imagefolder
    save(Image.fromarray(np.array([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [255, 255, 255]]], np.uint8)),
         "imagefolder/apple/red-green.png")
    ys, xs = np.mgrid[0:8, 0:8]
    photo = np.stack([xs * 32, ys * 32, np.full((8, 8), 128)], axis=2).astype(np.uint8)
    write_bytes("imagefolder/apple/photo.jpg", jpeg_bytes(Image.fromarray(photo)))
    with Image.open(OUT / "imagefolder/apple/photo.jpg") as im:
        expected["photo.jpg"] = np.asarray(im.convert("RGB")).reshape(-1).tolist()
    save(Image.fromarray(np.array([[0, 64], [128, 255]], np.uint8), mode="L"), "imagefolder/banana/grey.png")
    wide = np.array([[[10, 20, 30], [40, 50, 60], [70, 80, 90], [100, 110, 120]],
                     [[130, 140, 150], [160, 170, 180], [190, 200, 210], [220, 230, 240]]], np.uint8)
    save(Image.fromarray(wide), "imagefolder/banana/wide.png")
    write_bytes("imagefolder/banana/readme.txt", b"not an image; the importer skips it\n")

    # broken files
    noise = Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8))
    data = png_bytes(noise)
    write_bytes("broken/truncated.png", data[: len(data) // 2])
    data = jpeg_bytes(noise)
    write_bytes("broken/truncated.jpg", data[: len(data) // 2])
    write_bytes("broken/not-an-image.png", b"this is text, not a PNG\n")

    # pairs
    image_a = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    save(Image.fromarray(image_a), "pairs/images/a.png")
    image_b = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    write_bytes("pairs/images/b.jpg", jpeg_bytes(Image.fromarray(image_b), quality=95))
    with Image.open(OUT / "pairs/images/b.jpg") as im:
        expected["pairs-b.jpg"] = np.asarray(im.convert("RGB")).reshape(-1).tolist()
    seg_a = np.array([[0, 0, 1, 1], [0, 2, 2, 1], [255, 2, 2, 1], [3, 3, 255, 0]], np.uint8)
    save(Image.fromarray(seg_a, mode="L"), "pairs/segmentation/a.png")
    seg_b = np.array([[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3], [0, 0, 255, 255]], np.uint8)
    palette = Image.fromarray(seg_b, mode="P")
    palette.putpalette([v for k in range(256) for v in ((k * 40) % 256, (k * 80) % 256, (k * 120) % 256)])
    save(palette, "pairs/segmentation/b.png")
    for name, depth in [("a", np.array([[1000, 1500, 2000, 0], [1000, 1500, 2000, 0], [500, 500, 65535, 0], [250, 250, 250, 0]])),
                        ("b", np.full((4, 4), 3000))]:
        save(Image.fromarray(depth.astype(np.uint16)), f"pairs/depth/{name}.png")
    normals = np.zeros((4, 4, 3), np.uint8)
    normals[:2] = [128, 128, 255]   # facing the camera: (0, 0, 1)
    normals[2:, :2] = [255, 128, 128]  # facing right: (1, 0, 0)
    # the last quarter stays black: invalid
    save(Image.fromarray(normals), "pairs/normals/a.png")
    save(Image.fromarray(np.full((4, 4, 3), [128, 255, 128], np.uint8)), "pairs/normals/b.png")  # up: (0, 1, 0)
    edges = np.zeros((4, 4), np.uint8)
    edges[1, :] = 255
    save(Image.fromarray(edges, mode="L"), "pairs/boundaries/a.png")
    save(Image.fromarray(edges.T.copy(), mode="L"), "pairs/boundaries/b.png")
    saliency = np.array([[0, 0, 200, 255], [0, 0, 200, 255], [0, 0, 100, 127], [0, 0, 128, 128]], np.uint8)
    save(Image.fromarray(saliency, mode="L"), "pairs/saliency/a.png")
    save(Image.fromarray(np.full((4, 4), 255, np.uint8), mode="L"), "pairs/saliency/b.png")

    # bad ground truth
    save(Image.fromarray(np.zeros((3, 3), np.uint8), mode="L"), "bad/mask-3x3.png")
    label9 = seg_a.copy()
    label9[2, 3] = 9
    save(Image.fromarray(label9, mode="L"), "bad/mask-label-9.png")
    save(Image.fromarray(np.full((4, 4), 100, np.uint8), mode="L"), "bad/depth-8bit.png")
    save(Image.fromarray(np.zeros((4, 4, 3), np.uint8)), "bad/mask-rgb.png")

    # IDX
    train = rng.integers(0, 256, (3, 4, 4), dtype=np.uint8)
    write_bytes("idx/train-images-idx3-ubyte.gz", gzip.compress(idx(train), mtime=0))
    write_bytes("idx/train-labels-idx1-ubyte.gz", gzip.compress(idx(np.array([2, 0, 1])), mtime=0))
    test = rng.integers(0, 256, (2, 4, 4), dtype=np.uint8)
    write_bytes("idx/t10k-images-idx3-ubyte", idx(test))
    write_bytes("idx/t10k-labels-idx1-ubyte", idx(np.array([1, 2])))
    expected["idx-train"] = train.reshape(-1).tolist()
    expected["idx-test"] = test.reshape(-1).tolist()
    compressed = gzip.compress(idx(train), mtime=0)
    write_bytes("idx-broken/train-images-idx3-ubyte.gz", compressed[: len(compressed) - 20])
    write_bytes("idx-broken/train-labels-idx1-ubyte.gz", gzip.compress(idx(np.array([2, 0, 1])), mtime=0))

    # resizing
    source = Image.fromarray(rng.integers(0, 256, (4, 6, 3), dtype=np.uint8))
    save(source, "resize.png")
    expected["resize-stretch-3"] = np.asarray(source.resize((3, 3), Image.BILINEAR)).reshape(-1).tolist()
    expected["resize-stretch-9"] = np.asarray(source.resize((9, 9), Image.BILINEAR)).reshape(-1).tolist()
    expected["resize-crop-3"] = np.asarray(source.resize((3, 3), Image.BILINEAR, box=(1, 0, 5, 4))).reshape(-1).tolist()

    (OUT / "expected.json").write_text(json.dumps(expected, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
