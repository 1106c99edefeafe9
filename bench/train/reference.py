#!/usr/bin/python3
"""PyTorch side of the training benchmark: the same training steps as bench.ts at equal config.

  {"cmd": "run", "kind": "deblur"|"kernel", "arch": ID, "batch": B, "crop": C, "steps": N} -> {"ms": [...]}
"""
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'reference'))
import archs  # noqa: E402
from serve import serve  # noqa: E402

BUILD = {
    'nafnet-small': lambda: archs.NAFNet(16, [1, 1, 2, 4], 1, [1, 1, 1, 1]),
    'nafnet-gopro-width32': lambda: archs.NAFNet(32, [1, 1, 1, 28], 1, [1, 1, 1, 1]),
    'kernel-wizard-small': lambda: archs.KernelWizard(16, 2, 4, 128, 1),
    'kernel-wizard': lambda: archs.KernelWizard(),
}


def psnr_loss(pred, target):
    return (10 / math.log(10)) * torch.log(((pred - target) ** 2).mean(dim=(1, 2, 3)) + 1e-8).mean()


def charbonnier(pred, target):
    return torch.sqrt((pred - target) ** 2 + 1e-6).mean()


def main():
    cache = {}

    def handle(msg):
        key = (msg['kind'], msg['arch'])
        if key not in cache:
            torch.manual_seed(0)
            m = BUILD[msg['arch']]()
            opt = (torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.9), weight_decay=1e-3) if msg['kind'] == 'deblur'
                   else torch.optim.Adam(m.parameters(), lr=1e-4, betas=(0.9, 0.99)))
            cache[key] = (m, opt)
        m, opt = cache[key]
        b, c = msg['batch'], msg['crop']
        ms = []
        for _ in range(msg['steps']):
            x, y = torch.rand(b, 3, c, c), torch.rand(b, 3, c, c)
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            if msg['kind'] == 'deblur':
                loss = psnr_loss(m(x), y)
            else:
                loss = charbonnier(m.adapt(x, m.extract(x, y)), y)
            loss.backward()
            opt.step()
            ms.append((time.perf_counter() - t0) * 1000)
        return {'ms': ms}

    serve(handle)


if __name__ == '__main__':
    main()
