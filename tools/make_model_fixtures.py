"""Parity fixtures for the general models (Swin and the ViT-style transformer), made with timm.

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
from timm.models.vision_transformer import VisionTransformer

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


def make_vit(name, tokens, lengths, **kwargs):
    """The transformer general model: timm ViT's `blocks` and `norm` on `[B, tokens, C]`.

    Sample b holds `lengths[b]` tokens and padding after them. A key-padding mask makes the
    padded batch equal, at the real positions, to each sample's prefix run alone, so the
    reference runs every prefix through timm on its own (no mask API needed) and stores zeros
    at the padded positions, where the Swift side must give a zero gradient too."""
    model = VisionTransformer(img_size=16, patch_size=16, num_classes=0, global_pool="", drop_path_rate=0.0, **kwargs)
    model = model.double().eval()
    with torch.no_grad():
        for key, p in model.named_parameters():
            if key.startswith("blocks.") or key.startswith("norm."):
                p.copy_(torch.from_numpy(formula_values(key, tuple(p.shape))).double())
    batch = len(lengths)
    shape = (batch, tokens, kwargs["embed_dim"])
    x = torch.from_numpy(probe_values(int(np.prod(shape)), 0.3).reshape(shape)).double().requires_grad_(True)
    probe = torch.from_numpy(probe_values(int(np.prod(shape)), 1.1).reshape(shape)).double()
    features = torch.zeros(shape, dtype=torch.float64)
    total = 0
    for b, n in enumerate(lengths):
        out = model.norm(model.blocks(x[b:b + 1, :n]))
        features[b, :n] = out[0].detach()
        total = total + (out[0] * probe[b, :n]).sum()
    total.backward()
    tensors = {
        "features": features.float().contiguous(),
        "embeddings_grad": x.grad.float().contiguous(),
    }
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"{name}.safetensors")
    save_file(tensors, path)
    print(f"{path}: features {tuple(features.shape)}, lengths {lengths}, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    torch.manual_seed(0)
    # A tiny model whose grid (10×10) is not a multiple of the window (4): padding, shifted
    # windows with a mask, patch merging of an odd grid (5×5) and a window that shrinks to the
    # resolution in the last stage.
    make("swin_pad", 40, 2, patch_size=4, embed_dim=16, depths=(2, 2, 2), num_heads=(1, 2, 4), window_size=4, mlp_ratio=2.0)
    # swin_tiny_patch4_window7_224's architecture with formula weights, at 224×224, batch 1.
    make("swin_tiny_224", 224, 1, patch_size=4, embed_dim=96, depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), window_size=7)
    timm_checkpoint()
    # A small transformer on a padded batch (lengths 12 and 7 of 12 tokens).
    make_vit("vit_masked", 12, [12, 7], embed_dim=32, depth=2, num_heads=2, mlp_ratio=2.0)
    # vit_tiny_patch16_224's blocks with formula weights on 197 tokens (196 patches + class).
    make_vit("vit_tiny_197", 197, [197], embed_dim=192, depth=12, num_heads=3)
