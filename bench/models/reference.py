#!/usr/bin/python3
"""PyTorch side of the models benchmark: the reference architectures of scripts/reference/archs.py.

Driven by bench.ts over stdin/stdout, one JSON command per line:
  {"cmd": "run", "arch": ID, "mode": "fwd"|"train", "steps": N} -> {"ms": [...], "params": P}
  {"cmd": "quit"}
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'reference'))
import archs  # noqa: E402
from serve import serve  # noqa: E402

BUILD = {
    'nafnet-gopro-width32': lambda: archs.NAFNet(32, [1, 1, 1, 28], 1, [1, 1, 1, 1]),
    'nafnet-gopro-width64': lambda: archs.NAFNet(64, [1, 1, 1, 28], 1, [1, 1, 1, 1]),
    'nafnet-small': lambda: archs.NAFNet(16, [1, 1, 2, 4], 1, [1, 1, 1, 1]),
    'nafnet-small24': lambda: archs.NAFNet(24, [1, 1, 2, 4], 1, [1, 1, 1, 1]),
    'nafnet-small32': lambda: archs.NAFNet(32, [1, 1, 2, 4], 1, [1, 1, 1, 1]),
    'mimo-unet': lambda: archs.MIMOUNet(8, 32),
    'mimo-unet-plus': lambda: archs.MIMOUNet(20, 32),
    'mimo-unet-small': lambda: archs.MIMOUNet(2, 16),
    'patchgan': lambda: archs.patchgan(64),
    'patchgan-small': lambda: archs.patchgan(32),
    'vgg16': lambda: archs.vgg(16),
    'vgg19': lambda: archs.vgg(19),
    'kernel-wizard': lambda: archs.KernelWizard(),
    'kernel-wizard-small': lambda: archs.KernelWizard(16, 2, 4, 128, 1),
}


def outputs(arch, m, x):
    if arch.startswith('kernel-wizard'):
        return [m.adapt(x, m.extract(x, x))]
    if arch.startswith('vgg'):
        return [m.features(x)]
    y = m.model(x) if arch.startswith('patchgan') else m(x)
    return y if isinstance(y, list) else [y]


def step(arch, m, mode, batch):
    x = torch.rand(batch, 3, 256, 256)
    if mode == 'fwd':
        with torch.no_grad():
            outputs(arch, m, x)
        return
    if arch.startswith('vgg'):
        x.requires_grad_(True)  # a frozen feature extractor: the gradient goes to the image
    loss = sum(o.square().mean() for o in outputs(arch, m, x))
    m.zero_grad(set_to_none=True)
    loss.backward()


def main():
    models = {}

    def handle(msg):
        arch, mode = msg['arch'], msg['mode']
        if arch not in models:
            models[arch] = BUILD[arch]()
            if arch.startswith('vgg'):
                for p in models[arch].parameters():
                    p.requires_grad_(False)
        m = models[arch]
        m.train(mode == 'train')
        ms = []
        for _ in range(msg['steps']):
            t0 = time.perf_counter()
            step(arch, m, mode, msg['batch'])
            ms.append((time.perf_counter() - t0) * 1000)
        return {'ms': ms, 'params': sum(p.numel() for p in m.parameters())}

    serve(handle)


if __name__ == '__main__':
    main()
