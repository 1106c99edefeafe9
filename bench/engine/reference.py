#!/usr/bin/python3
"""PyTorch side of the engine benchmark (Debian's python3-torch: the same libtorch as the addon).

Driven by bench.ts over stdin/stdout, one JSON command per line:
  {"cmd": "run", "case": "conv"|"nafblock"|"tiny", "steps": N}  -> {"ms": [per-step ms...], "rss_mb": R}
  {"cmd": "quit"}
The models mirror bench/engine/models.ts operation for operation (NAFBlock: scripts/reference/archs.py).
"""
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'reference'))
from archs import NAFBlock  # noqa: E402
from serve import serve  # noqa: E402


def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


class ConvPair(nn.Module):
    def __init__(self, c=32):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.conv2(F.relu(self.conv1(x)))


class Tiny:
    """Per-operation overhead: 1000 small elementwise ops on a 16-element tensor, no autograd."""

    def __init__(self):
        self.x = torch.randn(16)

    def __call__(self, *_):
        with torch.no_grad():
            y = self.x
            for _ in range(500):
                y = y.mul(1.0001).add(0.0001)
        return y


def make(case):
    if case == 'tiny':
        return (Tiny(),)
    torch.manual_seed(0)
    model = ConvPair() if case == 'conv' else nn.Sequential(NAFBlock(32), NAFBlock(32))
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.randn(4, 32, 128, 128)
    y = torch.randn(4, 32, 128, 128)
    return model, opt, x, y


def step(model, opt=None, x=None, y=None):
    if opt is None:
        return model()
    loss = (model(x) - y).abs().mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def main():
    cache = {}

    def handle(msg):
        case = msg['case']
        if case not in cache:
            cache[case] = make(case)
            step(*cache[case])  # warm-up
        ms = []
        for _ in range(msg['steps']):
            t0 = time.perf_counter()
            step(*cache[case])
            ms.append((time.perf_counter() - t0) * 1000)
        return {'ms': ms, 'rss_mb': rss_mb(), 'threads': torch.get_num_threads()}

    serve(handle)


if __name__ == '__main__':
    main()
