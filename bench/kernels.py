#!/usr/bin/env python3
"""PyTorch (CPU) counterpart of `fedbone-bench kernels`.

Same workloads, shapes, warm-up/repeat policy (median of --repeats timed runs after --warmup
untimed ones), table layout and JSON schema as the Swift executable, so bench/compare.sh can join
the two by workload name. Throughput: GFLOP/s counts 2 flops per multiply-add of every forward and
backward GEMM/convolution; GB/s counts each tensor read or written once per pass (4 bytes a scalar).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def shape_text(*shapes):
    return "x".join("[" + ",".join(str(d) for d in s) + "]" for s in shapes)


def bench_input(shape, seed):
    """Uniform values in [-1, 1) from a fixed seed."""
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) * 2 - 1


def leaf(t):
    """A fresh leaf sharing `t`'s storage that records a graph (as Swift's requiringGrad())."""
    return t.detach().requires_grad_()


class Workload:
    def __init__(self, name, shape, flops=None, bytes_=None, prepare=None):
        self.name, self.shape, self.flops, self.bytes, self.prepare = name, shape, flops, bytes_, prepare


# --- GEMM ---------------------------------------------------------------------------------------

def sgemm_workload(name, m, k, n):
    def prepare():
        a, b = bench_input([m, k], 1), bench_input([k, n], 2)
        c = torch.empty(m, n)
        return lambda: torch.mm(a, b, out=c)
    return Workload(name, shape_text([m, k], [k, n]), flops=2.0 * m * n * k, prepare=prepare)


def gemm_workloads():
    return [
        sgemm_workload("sgemm s1 qkv", 8 * 3136, 96, 288),
        sgemm_workload("sgemm s1 fc1", 2 * 3136, 96, 384),
        sgemm_workload("sgemm s1 fc2", 2 * 3136, 384, 96),
        sgemm_workload("sgemm s2 qkv", 8 * 784, 192, 576),
        sgemm_workload("sgemm s3 fc1", 8 * 196, 384, 1536),
    ]


# --- linear and batched matmul -----------------------------------------------------------------

def linear_workload(name, rows, in_f, out_f, backward):
    def prepare():
        x = bench_input([rows, in_f], 1)
        w, b = bench_input([out_f, in_f], 2), bench_input([out_f], 3)
        seed = torch.ones(rows, out_f)
        if not backward:
            return lambda: F.linear(x, w, b)
        return lambda: F.linear(leaf(x), leaf(w), leaf(b)).backward(seed)
    macs = float(rows * in_f * out_f)
    return Workload(name, shape_text([rows, in_f], [out_f, in_f]), flops=(6 if backward else 2) * macs, prepare=prepare)


def matmul_workload(name, batch, m, k, n, backward):
    def prepare():
        a, b = bench_input([batch, m, k], 1), bench_input([batch, k, n], 2)
        seed = torch.ones(batch, m, n)
        if not backward:
            return lambda: torch.matmul(a, b)
        return lambda: torch.matmul(leaf(a), leaf(b)).backward(seed)
    macs = float(batch * m * n * k)
    return Workload(name, shape_text([batch, m, k], [batch, k, n]), flops=(6 if backward else 2) * macs, prepare=prepare)


def matmul_workloads():
    rows, windows = 8 * 3136, 8 * 64 * 3
    return [
        linear_workload("linear s1 qkv fwd", rows, 96, 288, False),
        linear_workload("linear s1 qkv fwd+bwd", rows, 96, 288, True),
        linear_workload("linear s1 fc2 fwd+bwd", 2 * 3136, 384, 96, True),
        matmul_workload("matmul win q@kT fwd", windows, 49, 32, 49, False),
        matmul_workload("matmul win q@kT fwd+bwd", windows, 49, 32, 49, True),
        matmul_workload("matmul win attn@v fwd+bwd", windows, 49, 49, 32, True),
    ]


# --- conv, layer norm, GELU, softmax, attention -------------------------------------------------

def conv_workload(name, inp, out_c, kernel, stride, padding, input_grad, backward):
    n, cin, h, w = inp
    oh, ow = (h + 2 * padding - kernel) // stride + 1, (w + 2 * padding - kernel) // stride + 1
    macs = float(n * out_c * oh * ow * cin * kernel * kernel)
    passes = (3 if input_grad else 2) if backward else 1

    def prepare():
        x = bench_input(inp, 1)
        weight, bias = bench_input([out_c, cin, kernel, kernel], 2), bench_input([out_c], 3)
        seed = torch.ones(n, out_c, oh, ow)

        def forward(x, weight, bias):
            return F.conv2d(x, weight, bias, stride=(stride, stride), padding=(padding, padding), dilation=(1, 1), groups=1)
        if not backward:
            return lambda: forward(x, weight, bias)
        return lambda: forward(leaf(x) if input_grad else x, leaf(weight), leaf(bias)).backward(seed)
    return Workload(name + (" fwd+bwd" if backward else " fwd"), shape_text(inp, [out_c, cin, kernel, kernel]),
                    flops=2.0 * passes * macs, prepare=prepare)


def layer_norm_workload(rows, features):
    def prepare():
        x = bench_input([rows, features], 1)
        weight, bias = bench_input([features], 2), bench_input([features], 3)
        seed = torch.ones(rows, features)
        return lambda: F.layer_norm(leaf(x), (features,), leaf(weight), leaf(bias), eps=1e-5).backward(seed)
    return Workload("layernorm s1 fwd+bwd", shape_text([rows, features]), bytes_=5 * 4.0 * rows * features, prepare=prepare)


def gelu_workload(rows, features):
    def prepare():
        x = bench_input([rows, features], 1)
        seed = torch.ones(rows, features)
        return lambda: F.gelu(leaf(x)).backward(seed)
    return Workload("gelu s1 fwd+bwd", shape_text([rows, features]), bytes_=5 * 4.0 * rows * features, prepare=prepare)


def softmax_workload(shape):
    def prepare():
        x = bench_input(shape, 1)
        seed = torch.ones(shape)
        return lambda: torch.softmax(leaf(x), dim=-1).backward(seed)
    count = 1
    for d in shape:
        count *= d
    return Workload("softmax win fwd+bwd", shape_text(shape), bytes_=5 * 4.0 * count, prepare=prepare)


def attention_workload(b, n, c, heads):
    d = c // heads
    rows = float(b * n)
    macs = rows * c * 3 * c + 2.0 * b * heads * n * n * d + rows * c * c

    def prepare():
        x = bench_input([b, n, c], 1)
        qkv_w, qkv_b = bench_input([3 * c, c], 2), bench_input([3 * c], 3)
        proj_w, proj_b = bench_input([c, c], 4), bench_input([c], 5)
        seed = torch.ones(b, n, c)
        scale = d ** -0.5

        def run():
            qkv = F.linear(leaf(x), leaf(qkv_w), leaf(qkv_b)).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
            q, k, v = qkv.unbind(0)
            attention = torch.softmax((q @ k.transpose(-2, -1)) * scale, dim=-1)
            out = (attention @ v).transpose(1, 2).reshape(b, n, c)
            F.linear(out, leaf(proj_w), leaf(proj_b)).backward(seed)
        return run
    return Workload("attention win fwd+bwd", shape_text([b, n, c]), flops=6 * macs, prepare=prepare)


def op_workloads():
    return [
        conv_workload("conv2d patch4 b8 64px", [8, 3, 64, 64], 96, 4, 4, 0, False, False),
        conv_workload("conv2d patch4 b8 64px", [8, 3, 64, 64], 96, 4, 4, 0, False, True),
        conv_workload("conv2d patch4 b2 224px", [2, 3, 224, 224], 96, 4, 4, 0, False, False),
        conv_workload("conv2d patch4 b2 224px", [2, 3, 224, 224], 96, 4, 4, 0, False, True),
        conv_workload("conv2d 3x3 64ch b8 32px", [8, 64, 32, 32], 64, 3, 1, 1, True, False),
        conv_workload("conv2d 3x3 64ch b8 32px", [8, 64, 32, 32], 64, 3, 1, 1, True, True),
        layer_norm_workload(8 * 3136, 96),
        gelu_workload(8 * 3136, 384),
        softmax_workload([8 * 64 * 3, 49, 49]),
        attention_workload(8 * 64, 49, 96, 3),
    ]


# --- harness ------------------------------------------------------------------------------------

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
    return {
        "name": workload.name, "shape": workload.shape, "median_s": mid, "min_s": min(times), "runs": repeats,
        "gflops": workload.flops / mid * 1e-9 if workload.flops is not None else None,
        "gbps": workload.bytes / mid * 1e-9 if workload.bytes is not None else None,
        "threads": threads,
    }


def table_row(name, shape, median, minimum, rate):
    return f"{name:<32}  {shape:<36}  {median:>10}  {minimum:>10}  {rate:>16}"


def format_result(r):
    if r["gflops"] is not None:
        rate = f"{r['gflops']:.2f} GFLOP/s"
    elif r["gbps"] is not None:
        rate = f"{r['gbps']:.2f} GB/s"
    else:
        rate = "-"
    return table_row(r["name"], r["shape"], f"{r['median_s'] * 1e3:.3f}", f"{r['min_s'] * 1e3:.3f}", rate)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="torch intra-op threads (default: all cores)")
    parser.add_argument("--repeats", type=int, default=10, help="timed runs per workload")
    parser.add_argument("--warmup", type=int, default=2, help="untimed warm-up runs per workload")
    parser.add_argument("--json", help="write the JSON results to this file instead of stdout")
    parser.add_argument("--only", help="comma-separated workload names to run (default: all)")
    args = parser.parse_args()
    if args.threads < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--threads and --repeats must be at least 1, --warmup not negative")
    torch.set_num_threads(args.threads)

    workloads = gemm_workloads() + matmul_workloads() + op_workloads()
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {w.name for w in workloads}
        if unknown:
            parser.error(f"unknown workloads: {sorted(unknown)}")
        workloads = [w for w in workloads if w.name in wanted]

    print(f"torch {torch.__version__} kernels: threads {args.threads}, warm-up {args.warmup}, repeats {args.repeats}")
    print(table_row("workload", "shape", "median ms", "min ms", "throughput"))
    results = []
    for w in workloads:
        r = measure(w, args.warmup, args.repeats, args.threads)
        print(format_result(r), flush=True)
        results.append(r)
    text = json.dumps(results, indent=2, sort_keys=True)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    sys.exit(main())
