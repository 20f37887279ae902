"""Reference numbers for Tests/FedBoneLayersTests/Optimizer*Tests.swift and LearningRateScheduleTests.swift.

Runs torch.optim (single-tensor CPU path), torch.nn.utils.clip_grad_norm_ and torch.optim.lr_scheduler
on the tiny least-squares problem the Swift tests build, and prints the values the tests hard-code.
Run: python3 tools/optimizer_reference.py
"""
import math

import torch

W0 = [[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]]
B0 = [0.05, -0.1]
UNUSED0 = [1.0, -2.0]
X = [[1.0, 2.0, -1.0], [0.5, -1.5, 2.0], [-2.0, 0.3, 0.7], [1.2, 1.1, -0.4]]
Y = [[0.3, -1.0], [1.5, 0.2], [-0.7, 0.9], [0.0, 0.4]]
STEPS = 5


def fmt(values):
    return "[" + ", ".join("%.9g" % v for v in values) + "]"


def problem():
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    unused = torch.tensor(UNUSED0, requires_grad=True)
    return w, b, unused


def loss_of(w, b):
    x, y = torch.tensor(X), torch.tensor(Y)
    return ((x @ w.T + b - y) ** 2).mean()


def trajectory(name, make):
    w, b, unused = problem()
    opt = make([w, b, unused])
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_of(w, b)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    print(f"// {name}")
    print(f"losses: {fmt(losses)},")
    print(f"weight: {fmt(w.detach().flatten().tolist())},")
    print(f"bias: {fmt(b.detach().tolist())}")
    assert unused.tolist() == UNUSED0


trajectory("sgd plain", lambda p: torch.optim.SGD(p, lr=0.1))
trajectory("sgd momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01))
trajectory("sgd nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05))
trajectory("adam", lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-8))
trajectory("adam weight decay", lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1))
trajectory("adamw", lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1))

# Gradient clipping.
w, b, _ = problem()
loss_of(w, b).backward()
norm = torch.nn.utils.clip_grad_norm_([w, b], max_norm=0.5)
print("// clip_grad_norm_ max_norm=0.5")
print(f"norm: {norm.item():.9g}")
print(f"weightGrad: {fmt(w.grad.flatten().tolist())},")
print(f"biasGrad: {fmt(b.grad.tolist())}")


# Learning-rate schedules: drive each torch scheduler and record the lr at the listed indices.
def schedule(name, make, indices, last):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.01)
    sched = make(opt)
    lrs = []
    for t in range(last + 1):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    print(f"// {name} at {indices}")
    print(fmt([lrs[i] for i in indices]))


schedule("StepLR(step_size=50, gamma=0.1)", lambda o: torch.optim.lr_scheduler.StepLR(o, 50, 0.1),
         [0, 1, 49, 50, 99, 100, 149, 150], 150)
schedule("CosineAnnealingLR(T_max=100, eta_min=1e-4)",
         lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=100, eta_min=1e-4),
         [0, 1, 25, 50, 75, 99, 100], 100)
schedule("LinearLR(0.1, total_iters=10) then CosineAnnealingLR(T_max=90, eta_min=1e-4) at 10",
         lambda o: torch.optim.lr_scheduler.SequentialLR(o, [
             torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=10),
             torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=90, eta_min=1e-4)], milestones=[10]),
         [0, 1, 5, 9, 10, 11, 55, 99, 100], 100)
print("// closed form check of the warm-up cosine at 55:",
      "%.9g" % (1e-4 + (0.01 - 1e-4) * (1 + math.cos(math.pi * 45 / 90)) / 2))
