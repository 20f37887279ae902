#!/usr/bin/env python3
"""Writes scikit-learn's bundled handwritten digits (`sklearn.datasets.load_digits`: 1,797
real 8×8 greyscale scans, 10 classes, no download) as a FedBone classification dataset, the
way a small real photo set reaches FedBone: each scan upscaled to `--inner` pixels (Pillow's
bilinear filter), zero-padded to `--size` (like 28×28 MNIST padded to 32×32), grey copied to
RGB.

Each image's style is its class (styles "digit-0" … "digit-9"), so that `partition:
dirichlet` deals label-skewed (non-IID) clients; `partition: iid` ignores styles. The order
of the samples is scikit-learn's; `--count` keeps the first ones (the test fixture
`Tests/FedBoneFederationTests/Fixtures/digits16` is `--size 16 --inner 16 --count 300`).

    python3 tools/make_digits_dataset.py --out data/digits
    swift run -c release fedbone compare --config experiments/digits.yaml

Needs numpy, Pillow and scikit-learn (`pip install numpy pillow scikit-learn`).
"""

import argparse
import os
import shutil
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fedbone_scenes as fs  # noqa: E402


def digit_images(inner, size):
    """(images [N, 3, size, size] in [0, 1], labels [N]) of the upscaled, padded scans."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    pad_before = (size - inner) // 2
    images = np.zeros((len(digits.images), 3, size, size), dtype=np.float64)
    for i, scan in enumerate(digits.images):
        grey = Image.fromarray(np.round(scan / 16 * 255).astype(np.uint8), mode="L")
        up = np.asarray(grey.resize((inner, inner), Image.BILINEAR), dtype=np.float64) / 255
        images[i, :, pad_before:pad_before + inner, pad_before:pad_before + inner] = up
    return images, digits.target.astype(np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="dataset folder to write (replaced if it holds a dataset)")
    parser.add_argument("--size", type=int, default=32, help="side of the images written (default 32)")
    parser.add_argument("--inner", type=int, default=28, help="side the 8×8 scans are upscaled to before padding (default 28)")
    parser.add_argument("--count", type=int, help="write only the first COUNT scans (default: all 1,797)")
    args = parser.parse_args()
    if not 8 <= args.inner <= args.size:
        parser.error(f"--inner must lie in 8…--size ({args.size}), got {args.inner}")
    if os.path.exists(args.out):
        if not os.path.exists(os.path.join(args.out, "manifest.json")):
            parser.error(f"{args.out} exists and is not a dataset folder")
        shutil.rmtree(args.out)
    images, labels = digit_images(args.inner, args.size)
    if args.count is not None:
        if not 1 <= args.count <= len(labels):
            parser.error(f"--count must lie in 1…{len(labels)}, got {args.count}")
        images, labels = images[:args.count], labels[:args.count]
    classes = [f"digit-{k}" for k in range(10)]
    samples = ({"rgb": image, "class": label, "style": int(label)} for image, label in zip(images, labels))
    manifest = fs.write_scenes(args.out, samples, "sklearn-digits", (args.size, args.size),
                               [{"kind": "classification", "classes": classes}], styles=classes,
                               source={"tool": "tools/make_digits_dataset.py", "origin": "sklearn.datasets.load_digits",
                                       "inner": args.inner})
    counts = np.bincount(labels, minlength=10)
    print(f"wrote {manifest['count']} images of {args.size}×{args.size} to {args.out}; per class: "
          + ", ".join(f"{c} {n}" for c, n in zip(classes, counts)))


if __name__ == "__main__":
    main()
