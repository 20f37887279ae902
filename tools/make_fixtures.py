#!/usr/bin/env python3
"""Writes the PyTorch fixtures that the Swift tests read, into Tests/FedBoneTensorTests/Fixtures/.

    python3 tools/make_fixtures.py            # from the repository root

Needs torch, numpy and safetensors (tools only; the Swift package never runs Python).
Every fixture is seeded and small; rerunning the script reproduces the files byte for byte (the
metadata keys, which the safetensors library writes in hash-map order, are sorted).

python_written.safetensors
    Tensors in F32, F16, BF16 and I64 whose values the Swift test recomputes (see
    `python_written()` below), plus `__metadata__` {"format": "pt", "producer": "make_fixtures.py"}.

<op>.safetensors (one file per op)
    Inputs, parameters and the op's output, and for ops with a backward also `grad_output`
    (a random cotangent) and the gradients of sum(output * grad_output) with respect to each
    input, named `grad_<input>`. The op's hyper-parameters are strings in `__metadata__`
    (integer pairs as "2,2"). References are computed in float64 and stored as F32, so they
    are the exact values rounded once, not PyTorch's float32 rounding.
"""

import json
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save as save_bytes

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "FedBoneTensorTests" / "Fixtures"


def pair(values):
    return ",".join(str(v) for v in values)


def write(path, tensors, metadata):
    """Writes with the safetensors library, then sorts the `__metadata__` keys in the header so
    the bytes do not depend on hash-map order. The header keeps its length and padding."""
    raw = save_bytes(tensors, metadata=metadata)
    length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + length])
    ordered = {"__metadata__": dict(sorted(header.pop("__metadata__").items()))} if "__metadata__" in header else {}
    ordered.update(header)
    text = json.dumps(ordered, separators=(",", ":")).encode()
    text += b" " * (length - len(text))
    assert len(text) == length and length % 8 == 0
    path.write_bytes(raw[:8] + text + raw[8 + length:])
    print(f"{path.name}: {path.stat().st_size} bytes")


def save(name, tensors, metadata):
    """Stores float tensors as F32 and integer ones as I64, contiguous, sorted by name."""
    out = {}
    for key, value in tensors.items():
        value = value.detach()
        out[key] = (value.to(torch.int64) if not value.is_floating_point() else value.to(torch.float32)).contiguous()
    write(OUT / f"{name}.safetensors", out, {k: str(v) for k, v in metadata.items()})


def with_grads(fn, inputs, seed, constants=()):
    """Runs fn(**inputs) in float64; returns the inputs, output, grad_output and grad_<input>s
    (one for every floating-point input not named in `constants`).

    For a scalar output (losses) the gradients are those of the output itself and no
    grad_output is stored."""
    leaves = {k: v.to(torch.float64).requires_grad_(k not in constants) if v.is_floating_point() else v
              for k, v in inputs.items()}
    output = fn(**leaves)
    generator = torch.Generator().manual_seed(seed + 1000)
    scalar = output.dim() == 0
    grad_output = torch.ones((), dtype=torch.float64) if scalar else torch.randn(output.shape, generator=generator, dtype=torch.float64)
    floats = {k: v for k, v in leaves.items() if v.requires_grad}
    grads = torch.autograd.grad(output, list(floats.values()), grad_output)
    result = dict(leaves)
    result["output"] = output
    if not scalar:
        result["grad_output"] = grad_output
    for key, grad in zip(floats, grads):
        result[f"grad_{key}"] = grad
    return result


def randn(generator, *shape):
    return torch.randn(*shape, generator=generator, dtype=torch.float64)


# --- deformable convolution v1: a reference for torchvision.ops.deform_conv2d (mask=None) ---

def bilinear_sample(image, y, x):
    """torchvision's bilinear_interpolate, vectorised.

    image [N, C, H, W]; y, x [N, C, P] sampling positions in pixels. A point with y <= -1,
    y >= H, x <= -1 or x >= W gives 0; otherwise each of its four corners that lies outside
    the image contributes 0. Returns [N, C, P].
    """
    n, c, h, w = image.shape
    inside = (y > -1) & (y < h) & (x > -1) & (x < w)
    y0, x0 = torch.floor(y), torch.floor(x)
    ly, lx = y - y0, x - x0
    hy, hx = 1 - ly, 1 - lx
    flat = image.reshape(n, c, h * w)

    def corner(cy, cx):
        valid = inside & (cy >= 0) & (cy <= h - 1) & (cx >= 0) & (cx <= w - 1)
        index = (cy.clamp(0, h - 1) * w + cx.clamp(0, w - 1)).long()
        return torch.gather(flat, 2, index) * valid.to(image.dtype)

    return hy * hx * corner(y0, x0) + hy * lx * corner(y0, x0 + 1) + ly * hx * corner(y0 + 1, x0) + ly * lx * corner(y0 + 1, x0 + 1)


def deform_conv2d_reference(input, offset, weight, bias, stride, padding, dilation):
    """torchvision.ops.deform_conv2d(input, offset, weight, bias, stride, padding, dilation), no mask.

    input [N, Cin, H, W]; weight [Cout, Cin/groups, kh, kw] (groups = Cin / weight.shape[1]);
    offset [N, 2*offset_groups*kh*kw, Hout, Wout], where channel 2*(g*kh*kw + k) is the y offset
    and 2*(g*kh*kw + k) + 1 the x offset of kernel tap k = i*kw + j for input channels of offset
    group g (channels g*Cin/offset_groups ..< (g+1)*Cin/offset_groups). Tap (i, j) of output
    (oh, ow) samples y = oh*sh - ph + i*dh + dy, x = ow*sw - pw + j*dw + dx.
    """
    n, cin, h, w = input.shape
    cout, cin_per_group, kh, kw = weight.shape
    groups = cin // cin_per_group
    taps = kh * kw
    offset_groups = offset.shape[1] // (2 * taps)
    hout, wout = offset.shape[2], offset.shape[3]
    assert hout == (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    assert wout == (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    ii, jj = torch.meshgrid(torch.arange(kh), torch.arange(kw), indexing="ij")
    base_y = (torch.arange(hout) * stride[0] - padding[0]).view(1, 1, hout, 1) + (ii.reshape(1, taps, 1, 1) * dilation[0])
    base_x = (torch.arange(wout) * stride[1] - padding[1]).view(1, 1, 1, wout) + (jj.reshape(1, taps, 1, 1) * dilation[1])
    columns = []
    per_offset_group = cin // offset_groups
    for g in range(offset_groups):
        o = offset[:, 2 * g * taps:2 * (g + 1) * taps].reshape(n, taps, 2, hout, wout)
        y = (base_y + o[:, :, 0]).reshape(n, 1, -1).expand(n, per_offset_group, -1)
        x = (base_x + o[:, :, 1]).reshape(n, 1, -1).expand(n, per_offset_group, -1)
        channels = input[:, g * per_offset_group:(g + 1) * per_offset_group]
        columns.append(bilinear_sample(channels, y, x))
    columns = torch.cat(columns, dim=1).reshape(n, groups, cin_per_group * taps, hout * wout)
    kernel = weight.reshape(groups, cout // groups, cin_per_group * taps)
    out = torch.einsum("gok,ngkp->ngop", kernel, columns).reshape(n, cout, hout, wout)
    if bias is not None:
        out = out + bias.view(1, cout, 1, 1)
    return out


def deform_conv2d_scalar(input, offset, weight, bias, stride, padding, dilation, n, oc, oh, ow):
    """One output element of deform_conv2d, written as torchvision's C++ kernel loops (a check
    of the vectorised reference)."""
    _, cin, h, w = input.shape
    cout, cin_per_group, kh, kw = weight.shape
    offset_groups = offset.shape[1] // (2 * kh * kw)
    group = oc // (cout // (cin // cin_per_group))

    def bilinear(c, y, x):
        if y <= -1 or h <= y or x <= -1 or w <= x:
            return 0.0
        y_low, x_low = int(np.floor(y)), int(np.floor(x))
        y_high, x_high = y_low + 1, x_low + 1
        ly, lx = y - y_low, x - x_low
        hy, hx = 1 - ly, 1 - lx
        img = input[n, c]
        v1 = float(img[y_low, x_low]) if y_low >= 0 and x_low >= 0 else 0.0
        v2 = float(img[y_low, x_high]) if y_low >= 0 and x_high <= w - 1 else 0.0
        v3 = float(img[y_high, x_low]) if y_high <= h - 1 and x_low >= 0 else 0.0
        v4 = float(img[y_high, x_high]) if y_high <= h - 1 and x_high <= w - 1 else 0.0
        return hy * hx * v1 + hy * lx * v2 + ly * hx * v3 + ly * lx * v4

    total = float(bias[oc]) if bias is not None else 0.0
    for ci in range(cin_per_group):
        c = group * cin_per_group + ci
        g = c // (cin // offset_groups)
        for i in range(kh):
            for j in range(kw):
                k = i * kw + j
                dy = float(offset[n, 2 * (g * kh * kw + k), oh, ow])
                dx = float(offset[n, 2 * (g * kh * kw + k) + 1, oh, ow])
                y = oh * stride[0] - padding[0] + i * dilation[0] + dy
                x = ow * stride[1] - padding[1] + j * dilation[1] + dx
                total += float(weight[oc, ci, i, j]) * bilinear(c, y, x)
    return total


def check_deform_reference():
    g = torch.Generator().manual_seed(99)
    x, w, b = randn(g, 2, 4, 7, 6), randn(g, 6, 2, 3, 3), randn(g, 6)
    for stride, padding, dilation in [((1, 1), (1, 1), (1, 1)), ((2, 1), (2, 1), (2, 1))]:
        hout = (7 + 2 * padding[0] - dilation[0] * 2 - 1) // stride[0] + 1
        wout = (6 + 2 * padding[1] - dilation[1] * 2 - 1) // stride[1] + 1
        zero = torch.zeros(2, 2 * 2 * 9, hout, wout, dtype=torch.float64)
        expected = F.conv2d(x, w, b, stride, padding, dilation, groups=2)
        assert torch.allclose(deform_conv2d_reference(x, zero, w, b, stride, padding, dilation), expected, atol=1e-12)
        offset = randn(g, 2, 2 * 2 * 9, hout, wout) * 2
        out = deform_conv2d_reference(x, offset, w, b, stride, padding, dilation)
        for index in [(0, 0, 0, 0), (1, 5, hout - 1, wout - 1), (0, 3, hout // 2, 1), (1, 2, 0, wout - 1)]:
            scalar = deform_conv2d_scalar(x, offset, w, b, stride, padding, dilation, *index)
            assert abs(float(out[index]) - scalar) < 1e-10, (index, float(out[index]), scalar)


# --- fixtures ---

def python_written():
    """Values the Swift test recomputes: arange-based, exactly representable in each dtype."""
    tensors = {
        "f32": torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.5 - 3,    # i * 0.5 - 3
        "f16": ((torch.arange(12, dtype=torch.float32) - 6) * 0.25).reshape(3, 4).half(),  # (i - 6) / 4
        "f16_special": torch.tensor([float("inf"), float("-inf"), float("nan"), 2.0 ** -24, 65504.0, -0.0], dtype=torch.float16),
        "bf16": ((torch.arange(10, dtype=torch.float32) - 5) * 1.5).reshape(2, 5).bfloat16(),  # (i - 5) * 1.5
        "scalar": torch.tensor(3.25, dtype=torch.float32),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
        "counter": torch.tensor(7, dtype=torch.int64),
    }
    write(OUT / "python_written.safetensors", tensors, {"format": "pt", "producer": "make_fixtures.py"})


def linear_and_matmul():
    g = torch.Generator().manual_seed(1)
    save("linear", with_grads(lambda input, weight, bias: F.linear(input, weight, bias),
                              {"input": randn(g, 2, 3, 5), "weight": randn(g, 4, 5), "bias": randn(g, 4)}, 1), {})
    g = torch.Generator().manual_seed(2)
    save("matmul", with_grads(lambda a, b: torch.matmul(a, b), {"a": randn(g, 2, 1, 4, 5), "b": randn(g, 3, 5, 2)}, 2), {})


def convolutions():
    g = torch.Generator().manual_seed(3)
    cases = [
        ("conv2d_stride2", randn(g, 2, 3, 9, 8), randn(g, 4, 3, 3, 3), randn(g, 4), (2, 2), (1, 1), (1, 1), 1),
        ("conv2d_dilated_grouped", randn(g, 1, 4, 10, 9), randn(g, 6, 2, 3, 3), randn(g, 6), (1, 1), (2, 2), (2, 2), 2),
    ]
    for seed, (name, x, w, b, stride, padding, dilation, groups) in enumerate(cases, start=3):
        fn = lambda input, weight, bias, s=stride, p=padding, d=dilation, gr=groups: F.conv2d(input, weight, bias, s, p, d, gr)
        save(name, with_grads(fn, {"input": x, "weight": w, "bias": b}, seed),
             {"stride": pair(stride), "padding": pair(padding), "dilation": pair(dilation), "groups": groups})

    g = torch.Generator().manual_seed(5)
    stride, padding, output_padding, dilation, groups = (2, 2), (1, 1), (1, 1), (1, 1), 1
    fn = lambda input, weight, bias: F.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)
    save("conv_transpose2d", with_grads(fn, {"input": randn(g, 2, 4, 5, 4), "weight": randn(g, 4, 3, 3, 3), "bias": randn(g, 3)}, 5),
         {"stride": pair(stride), "padding": pair(padding), "output_padding": pair(output_padding),
          "dilation": pair(dilation), "groups": groups})


def deformable():
    check_deform_reference()
    cases = [
        # name, input, weight [Cout, Cin/groups, kh, kw], offset groups, stride, padding, dilation
        ("deform_conv2d", (1, 4, 6, 7), (5, 4, 3, 3), 1, (1, 1), (1, 1), (1, 1)),
        ("deform_conv2d_strided", (2, 4, 9, 8), (3, 4, 3, 3), 2, (2, 2), (2, 2), (2, 2)),
    ]
    for seed, (name, xs, ws, offset_groups, stride, padding, dilation) in enumerate(cases, start=6):
        g = torch.Generator().manual_seed(seed)
        x, w, b = randn(g, *xs), randn(g, *ws), randn(g, ws[0])
        hout = (xs[2] + 2 * padding[0] - dilation[0] * (ws[2] - 1) - 1) // stride[0] + 1
        wout = (xs[3] + 2 * padding[1] - dilation[1] * (ws[3] - 1) - 1) // stride[1] + 1
        offset = randn(g, xs[0], 2 * offset_groups * ws[2] * ws[3], hout, wout) * 1.5  # some taps leave the image
        fn = lambda input, offset, weight, bias, s=stride, p=padding, d=dilation: deform_conv2d_reference(input, offset, weight, bias, s, p, d)
        save(name, with_grads(fn, {"input": x, "offset": offset, "weight": w, "bias": b}, seed),
             {"stride": pair(stride), "padding": pair(padding), "dilation": pair(dilation), "offset_groups": offset_groups})


def normalisation_and_resampling():
    g = torch.Generator().manual_seed(8)
    eps = 1e-5
    save("layer_norm", with_grads(lambda input, weight, bias: F.layer_norm(input, (6,), weight, bias, eps),
                                  {"input": randn(g, 2, 5, 6) * 3 + 1, "weight": randn(g, 6), "bias": randn(g, 6)}, 8),
         {"epsilon": eps})
    for seed, (name, shape, size) in enumerate([("upsample_bilinear_up", (1, 2, 4, 5), (7, 11)),
                                                ("upsample_bilinear_down", (2, 3, 9, 8), (4, 5))], start=9):
        g = torch.Generator().manual_seed(seed)
        fn = lambda input, s=size: F.interpolate(input, size=s, mode="bilinear", align_corners=False)
        save(name, with_grads(fn, {"input": randn(g, *shape)}, seed), {"size": pair(size), "align_corners": "false"})


def attention():
    g = torch.Generator().manual_seed(11)
    b, heads, n, d = 2, 3, 5, 4
    scale = d ** -0.5

    def fn(q, k, v, bias):
        return torch.softmax(q @ k.transpose(-2, -1) * scale + bias, dim=-1) @ v

    save("attention", with_grads(fn, {"q": randn(g, b, heads, n, d), "k": randn(g, b, heads, n, d),
                                      "v": randn(g, b, heads, n, d), "bias": randn(g, heads, n, n)}, 11),
         {"scale": repr(scale)})


def losses():
    g = torch.Generator().manual_seed(12)
    logits = randn(g, 2, 4, 3, 5)
    targets = torch.randint(0, 4, (2, 3, 5), generator=g)
    targets[torch.rand(2, 3, 5, generator=g) < 0.25] = 255
    fn = lambda logits, targets: F.cross_entropy(logits, targets, ignore_index=255)
    save("cross_entropy", with_grads(fn, {"logits": logits, "targets": targets}, 12), {"ignore_index": 255, "reduction": "mean"})

    g = torch.Generator().manual_seed(13)
    logits, targets = randn(g, 3, 4) * 2, torch.rand(3, 4, generator=g, dtype=torch.float64).round()
    targets[0, 0] = 0.3  # a soft label
    pos_weight = torch.tensor(2.5, dtype=torch.float64)  # one weight for every positive, as the boundary loss uses
    fn = lambda logits, targets, pos_weight: F.binary_cross_entropy_with_logits(logits, targets, pos_weight=pos_weight)
    save("bce_with_logits", with_grads(fn, {"logits": logits, "targets": targets, "pos_weight": pos_weight}, 13,
                                         constants=("targets", "pos_weight")), {"reduction": "mean"})


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    python_written()
    linear_and_matmul()
    convolutions()
    deformable()
    normalisation_and_resampling()
    attention()
    losses()
    total = sum(p.stat().st_size for p in OUT.glob("*.safetensors"))
    print(f"total: {total} bytes")


if __name__ == "__main__":
    main()
