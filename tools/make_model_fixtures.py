"""Parity fixtures for the Swin general model, made with timm.

Run from the repository root:

    PYTHONPATH=tools/torchvision_stub python3 tools/make_model_fixtures.py

Weights are not stored: every parameter is filled from a closed formula that the Swift tests
evaluate too (`formula_values` below, `FormulaWeights` in the tests), so even Swin-T's
28 M parameters need no fixture file. What is stored, per model, in
`Tests/FedBoneModelsTests/Fixtures/<name>.safetensors`: the final features and the gradient
of `sum(features * probe)` w.r.t. the embeddings, where `probe` is also a formula. The embeddings themselves are `sin(0.05 i + 0.3)` over their flat index.
"""
import math
import os

import numpy as np
import torch
from safetensors.torch import save_file
from timm.models.swin_transformer import SwinTransformer

OUT = os.path.join("Tests", "FedBoneModelsTests", "Fixtures")


def key_offset(name):
    return 0.013 * (sum(ord(c) for c in name) % 997)


def formula_values(name, shape):
    """The value every parameter gets: a chirp over its flat index (well conditioned, unlike a
    pure sinusoid whose repeating rows make float32 round-off grow), scaled by its role."""
    n = int(np.prod(shape)) if shape else 1
    i = np.arange(n, dtype=np.float64)
    wave = np.sin(0.731 * i + 0.0173 * i * i + key_offset(name))
    if "norm" in name.split(".")[-2] and name.endswith("weight"):
        values = 1.0 + 0.1 * wave
    elif len(shape) >= 2 and not name.endswith("relative_position_bias_table"):
        fan_in = int(np.prod(shape[1:]))
        values = wave / math.sqrt(fan_in)
    else:
        values = 0.02 * wave
    return values.astype(np.float32).reshape(shape)


def probe_values(n, phase):
    i = np.arange(n, dtype=np.float64)
    return np.sin(0.05 * i + phase).astype(np.float32)


def make(name, img_size, batch, **kwargs):
    model = SwinTransformer(img_size=img_size, num_classes=0, global_pool="", drop_path_rate=0.0, **kwargs)
    model = model.double().eval()  # float64 reference: the Swift side's float32 error is all that remains
    with torch.no_grad():
        for key, p in model.named_parameters():
            p.copy_(torch.from_numpy(formula_values(key, tuple(p.shape))).double())
    grid = img_size // kwargs.get("patch_size", 4)
    shape = (batch, grid, grid, kwargs["embed_dim"])
    x = torch.from_numpy(probe_values(int(np.prod(shape)), 0.3).reshape(shape)).double().requires_grad_(True)
    features = model.norm(model.layers(x))
    probe = torch.from_numpy(probe_values(features.numel(), 1.1).reshape(features.shape)).double()
    (features * probe).sum().backward()
    tensors = {
        "features": features.detach().float().contiguous(),
        "embeddings_grad": x.grad.float().contiguous(),
    }
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"{name}.safetensors")
    save_file(tensors, path)
    print(f"{path}: features {tuple(features.shape)}, {os.path.getsize(path)} bytes")


def timm_checkpoint():
    """A whole timm state dict (patch_embed, layers, norm, head) of a tiny Swin, as a user would
    export one: the Swift loader must split it between client and server by key."""
    model = SwinTransformer(img_size=16, patch_size=4, embed_dim=8, depths=(1, 1), num_heads=(1, 2),
                            window_size=4, mlp_ratio=2.0, num_classes=3)
    with torch.no_grad():
        for key, p in model.named_parameters():
            p.copy_(torch.from_numpy(formula_values(key, tuple(p.shape))))
    path = os.path.join(OUT, "timm_tiny_checkpoint.safetensors")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path)
    print(f"{path}: {len(model.state_dict())} tensors, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    torch.manual_seed(0)
    # A tiny model whose grid (10×10) is not a multiple of the window (4): padding, shifted
    # windows with a mask, patch merging of an odd grid (5×5) and a window that shrinks to the
    # resolution in the last stage.
    make("swin_pad", 40, 2, patch_size=4, embed_dim=16, depths=(2, 2, 2), num_heads=(1, 2, 4), window_size=4, mlp_ratio=2.0)
    # swin_tiny_patch4_window7_224's architecture with formula weights, at 224×224, batch 1.
    make("swin_tiny_224", 224, 1, patch_size=4, embed_dim=96, depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), window_size=7)
    timm_checkpoint()
