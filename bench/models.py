#!/usr/bin/env python3
"""PyTorch (CPU) counterpart of `fedbone-bench model`: training steps of the general model and
the client side, with the same names, shapes, warm-up/repeat policy and JSON schema.

General model: timm's SwinTransformer (`layers` then `norm`, embeddings [B, H/4, W/4, C] →
features), forward and backward from a fixed seed gradient, parameters and embeddings requiring
gradients. Client side: the equivalent torch modules of Sources/FedBoneModels/Client (patch
embedding; adaptation: Linear → 1×1 conv → GELU → deformable conv (the pure torch reference of
tools/make_fixtures.py) → GELU → residual → LayerNorm → MHSA → Linear; dense head: conv3×3 →
BN → ReLU → convT 4×4 s2 → BN → ReLU → 1×1 conv → bilinear, plus the task's output transform;
classification head: mean → LayerNorm → Linear). Gradients are cleared (set to None) before each
step, as the Swift side does.

timm needs the torchvision stand-in: run with PYTHONPATH=tools/torchvision_stub.

With --memory-only each workload runs once and reports the process's peak resident memory
during that run (Linux: /proc/self/clear_refs resets VmHWM) and its growth over the memory
before it; run one workload per process for a clean figure (bench/compare.sh does).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.models.swin_transformer import SwinTransformer
from timm.models.vision_transformer import VisionTransformer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from make_fixtures import deform_conv2d_reference  # noqa: E402

PRESETS = {
    "swin-t": dict(embed_dim=96, depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), window_size=7, mlp_ratio=4.0),
    "swin-nano": dict(embed_dim=16, depths=(1, 1, 2), num_heads=(1, 2, 4), window_size=4, mlp_ratio=2.0),
}
# The transformer general model (FedBone's `TransformerConfiguration`): timm ViT blocks and norm.
VIT_PRESETS = {
    "vit-nano": dict(embed_dim=32, depth=4, num_heads=2, mlp_ratio=2.0, patch=4),
    "vit-tiny": dict(embed_dim=192, depth=12, num_heads=3, mlp_ratio=4.0, patch=16),
    "vit-small": dict(embed_dim=384, depth=12, num_heads=6, mlp_ratio=4.0, patch=16),
}


def feature_dim(preset):
    c = PRESETS[preset]
    return c["embed_dim"] << (len(c["depths"]) - 1)


def shape_text(*shapes):
    return "x".join("[" + ",".join(str(d) for d in s) + "]" for s in shapes)


def bench_input(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) * 2 - 1


class Workload:
    def __init__(self, name, shape, prepare):
        self.name, self.shape, self.prepare = name, shape, prepare


# --- general model ------------------------------------------------------------------------------

class General(nn.Module):
    """timm's Swin after the patch embedding: embeddings [B, h, w, C] → normalised features."""

    def __init__(self, preset, image):
        super().__init__()
        swin = SwinTransformer(img_size=image, patch_size=4, num_classes=0, global_pool="", drop_path_rate=0.0,
                               **PRESETS[preset])
        self.layers, self.norm = swin.layers, swin.norm

    def forward(self, x):
        return self.norm(self.layers(x))


def training_step(model, shape):
    """One forward and backward of `model` on fixed embeddings of `shape`, from a fixed seed gradient."""
    model = model.train()
    embeddings = bench_input(shape, 1)
    with torch.no_grad():
        seed = bench_input(list(model(embeddings).shape), 2)

    def step():
        model.zero_grad(set_to_none=True)
        model(embeddings.detach().requires_grad_()).backward(seed)
    return step


def general_workload(preset, batch, image):
    grid = image // 4
    shape = [batch, grid, grid, PRESETS[preset]["embed_dim"]]

    return Workload(f"general {preset} b{batch} {image}px fwd+bwd", shape_text(shape),
                    lambda: training_step(General(preset, image), shape))


class TransformerGeneral(nn.Module):
    """timm's ViT after the patch embedding: tokens [B, N, C] → normalised tokens."""

    def __init__(self, preset):
        super().__init__()
        c = VIT_PRESETS[preset]
        vit = VisionTransformer(img_size=c["patch"], patch_size=c["patch"], num_classes=0, global_pool="", drop_path_rate=0.0,
                                embed_dim=c["embed_dim"], depth=c["depth"], num_heads=c["num_heads"], mlp_ratio=c["mlp_ratio"])
        self.blocks, self.norm = vit.blocks, vit.norm

    def forward(self, x):
        return self.norm(self.blocks(x))


def transformer_workload(preset, batch, image):
    c = VIT_PRESETS[preset]
    grid = image // c["patch"]
    shape = [batch, grid * grid, c["embed_dim"]]

    return Workload(f"general {preset} b{batch} {image}px fwd+bwd", shape_text([batch, grid, grid, c["embed_dim"]]),
                    lambda: training_step(TransformerGeneral(preset), shape))


# --- client side --------------------------------------------------------------------------------

class PatchEmbedding(nn.Module):
    def __init__(self, dim, patch=4):
        super().__init__()
        self.proj, self.norm = nn.Conv2d(3, dim, patch, stride=patch), nn.LayerNorm(dim)

    def forward(self, images):
        return self.norm(self.proj(images).permute(0, 2, 3, 1))


class DeformableConv2d(nn.Module):
    """Offsets from a k×k conv (zero-initialised), then the reference deformable convolution."""

    def __init__(self, cin, cout, k=3):
        super().__init__()
        self.conv_offset = nn.Conv2d(cin, 2 * k * k, k, padding=k // 2)
        nn.init.zeros_(self.conv_offset.weight)
        nn.init.zeros_(self.conv_offset.bias)
        self.weight = nn.Parameter(torch.empty(cout, cin, k, k).uniform_(-(cin * k * k) ** -0.5, (cin * k * k) ** -0.5))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.padding = k // 2

    def forward(self, x):
        p = (self.padding, self.padding)
        return deform_conv2d_reference(x, self.conv_offset(x), self.weight, self.bias, (1, 1), p, (1, 1))


class Attention(nn.Module):
    """timm's Attention: qkv, softmax(q·kᵀ/√d)·v, proj."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.qkv, self.proj = heads, nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        attention = torch.softmax((q * (c // self.heads) ** -0.5) @ k.transpose(-2, -1), dim=-1)
        return self.proj((attention @ v).transpose(1, 2).reshape(b, n, c))


class Adaptation(nn.Module):
    def __init__(self, feature_dim, width=64, heads=4):
        super().__init__()
        self.reduce = nn.Linear(feature_dim, width)
        self.pointwise = nn.Conv2d(width, width, 1)
        self.deform = DeformableConv2d(width, width)
        self.norm = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.proj = nn.Linear(width, width)

    def forward(self, features):
        b, h, w, _ = features.shape
        reduced = self.reduce(features).permute(0, 3, 1, 2)
        local = F.gelu(self.deform(F.gelu(self.pointwise(reduced)))) + reduced
        tokens = self.norm(local.permute(0, 2, 3, 1).reshape(b, h * w, -1))
        return self.proj(self.attn(tokens)).reshape(b, h, w, -1)


class Head(nn.Module):
    def __init__(self, kind, channels, width, image):
        super().__init__()
        self.kind, self.image = kind, image
        if kind == "classification":
            self.norm, self.fc = nn.LayerNorm(width), nn.Linear(width, channels)
            return
        half = max(width // 2, 1)
        self.conv, self.bn1 = nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width)
        self.deconv = nn.ConvTranspose2d(width, half, 4, stride=2, padding=1, bias=False)
        self.bn2, self.classifier = nn.BatchNorm2d(half), nn.Conv2d(half, channels, 1)

    def forward(self, adapted):
        if self.kind == "classification":
            return self.fc(self.norm(adapted.mean(dim=(1, 2))))
        y = F.relu(self.bn2(self.deconv(F.relu(self.bn1(self.conv(adapted.permute(0, 3, 1, 2)))))))
        logits = F.interpolate(self.classifier(y), size=(self.image, self.image), mode="bilinear", align_corners=False)
        if self.kind == "depth":
            return F.relu(logits) + torch.log(torch.exp(-logits.abs()) + 1)
        if self.kind == "normals":
            return logits / torch.sqrt(logits.square().sum(dim=1, keepdim=True) + 1e-12)
        return logits


class Client(nn.Module):
    def __init__(self, kind, channels, preset, image):
        super().__init__()
        self.patch_embed = PatchEmbedding(PRESETS[preset]["embed_dim"])
        self.adaptation = Adaptation(feature_dim(preset))
        self.head = Head(kind, channels, 64, image)

    def predict(self, features):
        return self.head(self.adaptation(features))


CHANNELS = {"segmentation": 21, "depth": 1, "normals": 3, "classification": 10}


def client_workload(kind, preset, batch, image):
    stages = len(PRESETS[preset]["depths"])
    side = image // 4
    for _ in range(stages - 1):
        side = (side + 1) // 2
    feature_shape = [batch, side, side, feature_dim(preset)]
    image_shape = [batch, 3, image, image]

    def prepare():
        client = Client(kind, CHANNELS[kind], preset, image).train()
        images = bench_input(image_shape, 1)
        features = bench_input(feature_shape, 2)
        embedding_grad = bench_input([batch, image // 4, image // 4, PRESETS[preset]["embed_dim"]], 3)
        with torch.no_grad():
            output_grad = bench_input(list(client.predict(features).shape), 4)

        def step():
            client.zero_grad(set_to_none=True)
            client.patch_embed(images).backward(embedding_grad)
            client.predict(features.detach().requires_grad_()).backward(output_grad)
        return step
    return Workload(f"client {kind} {preset} b{batch} {image}px fwd+bwd", shape_text(image_shape, feature_shape), prepare)


def workloads():
    return [
        general_workload("swin-nano", 8, 64),
        general_workload("swin-t", 8, 64),
        general_workload("swin-t", 2, 224),
        transformer_workload("vit-nano", 8, 64),
        transformer_workload("vit-tiny", 8, 224),
        transformer_workload("vit-small", 2, 224),
        client_workload("segmentation", "swin-nano", 8, 64),
        client_workload("depth", "swin-nano", 8, 64),
        client_workload("normals", "swin-nano", 8, 64),
        client_workload("classification", "swin-nano", 8, 64),
        client_workload("segmentation", "swin-t", 2, 224),
    ]


# --- harness ------------------------------------------------------------------------------------

def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return float(line.split()[1])
    return None


def measure_memory(workload, threads):
    body = workload.prepare()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status_kib("VmRSS")
    start = time.perf_counter_ns()
    body()
    seconds = (time.perf_counter_ns() - start) * 1e-9
    peak = status_kib("VmHWM")
    return {"name": workload.name, "shape": workload.shape, "median_s": seconds, "min_s": seconds, "runs": 1,
            "gflops": None, "gbps": None, "threads": threads,
            "peak_rss_mib": peak / 1024, "step_rss_mib": (peak - before) / 1024}


def measure(workload, warmup, repeats, threads):
    body = workload.prepare()
    for _ in range(warmup):
        body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        body()
        times.append((time.perf_counter_ns() - start) * 1e-9)
    mid = statistics.median(times)
    return {"name": workload.name, "shape": workload.shape, "median_s": mid, "min_s": min(times), "runs": repeats,
            "gflops": None, "gbps": None, "threads": threads}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", help="comma-separated words; run the workloads whose names contain one")
    parser.add_argument("--exact", help="comma-separated exact workload names to run")
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    selected = [w for w in workloads()
                if (args.only is None or any(word in w.name for word in args.only.split(",")))
                and (args.exact is None or w.name in args.exact.split(","))]
    print(f"bench/models.py: torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"warm-up {args.warmup}, repeats {args.repeats}")
    results = []
    for w in selected:
        r = measure_memory(w, args.threads) if args.memory_only else measure(w, args.warmup, args.repeats, args.threads)
        extra = f"  peak {r['peak_rss_mib']:.0f} MiB (step +{r['step_rss_mib']:.0f})" if args.memory_only else ""
        print(f"{r['name']:<48}  {r['shape']:<30}  {r['median_s'] * 1e3:>10.3f}  {r['min_s'] * 1e3:>10.3f}{extra}", flush=True)
        results.append(r)
    text = json.dumps(results, indent=2, sort_keys=True)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
