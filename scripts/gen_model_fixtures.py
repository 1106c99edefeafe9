#!/usr/bin/python3
"""Parity fixtures for src/models: test/fixtures/models/.

Runs with Debian's python3-torch (the libtorch the addon links): /usr/bin/python3 scripts/gen_model_fixtures.py
- seeded.json: for every architecture at its paper and small presets, the state_dict keys and shapes,
  the parameter count, and the output for an input, with weights filled from a seed by a procedure
  the TypeScript test repeats (same libtorch generator, so the same numbers): nothing large committed.
- tiny_*.pth + tiny.json: small configurations saved with torch.save in the official checkpoint
  wrappers, with their input and output, to test loading real .pth files end to end.
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'reference'))
import archs  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'models')
MAX_VALUES = 2048


def seed_weights(model, seed):
    """Fills every floating tensor of the state dict, in order, from one seeded generator."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for k, v in model.state_dict().items():
            if not v.is_floating_point():
                continue
            r = torch.randn(v.shape, generator=g)
            if k.endswith('running_var'):
                v.copy_(r.abs() + 0.5)
            elif v.dim() >= 2:
                v.copy_(r * (0.5 / math.sqrt(v[0].numel())))
            else:
                v.copy_(r * 0.1)


def seeded_input(shape, seed):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


def values(t):
    """All values, or MAX_VALUES evenly strided samples (with the stride) plus sum and sum of squares."""
    flat = t.detach().flatten().double()
    out = {'shape': list(t.shape), 'sum': flat.sum().item(), 'sumsq': (flat * flat).sum().item()}
    if flat.numel() <= MAX_VALUES:
        out.update(stride=1, data=flat.tolist())
    else:
        stride = flat.numel() // MAX_VALUES
        out.update(stride=stride, data=flat[::stride][:MAX_VALUES].tolist())
    return out


def keys(model):
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


def count(model):
    return sum(p.numel() for p in model.parameters())


def run(name, model, inputs, forward, seed, out_seeded, with_outputs=True):
    model.eval()
    seed_weights(model, seed)
    entry = {'params': count(model), 'keys': keys(model), 'seed': seed, 'inputs': inputs}
    if with_outputs:
        xs = [seeded_input(s, sd) for s, sd in inputs]
        with torch.no_grad():
            ys = forward(model, *xs)
        entry['outputs'] = [values(y) for y in (ys if isinstance(ys, (list, tuple)) else [ys])]
    out_seeded[name] = entry
    print(f'{name}: {entry["params"]:,} parameters')


def kw_pair(m, s, b):
    k = m.extract(s, b)
    return [k, m.adapt(s, k)]


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(2)
    seeded = {}
    nafnet_forward = lambda m, x: m(x)
    run('nafnet/gopro-width32', archs.NAFNet(32, [1, 1, 1, 28], 1, [1, 1, 1, 1]), [[[1, 3, 29, 35], 11]], nafnet_forward, 1, seeded)
    run('nafnet/gopro-width64', archs.NAFNet(64, [1, 1, 1, 28], 1, [1, 1, 1, 1]), [[[1, 3, 17, 18], 24]], nafnet_forward, 2, seeded)
    run('nafnet/small', archs.NAFNet(16, [1, 1, 2, 4], 1, [1, 1, 1, 1]), [[[2, 3, 33, 30], 12]], nafnet_forward, 3, seeded)
    run('nafnet/small24', archs.NAFNet(24, [1, 1, 2, 4], 1, [1, 1, 1, 1]), [[[1, 3, 31, 34], 25]], nafnet_forward, 14, seeded)
    run('nafnet/small32', archs.NAFNet(32, [1, 1, 2, 4], 1, [1, 1, 1, 1]), [[[1, 3, 30, 33], 26]], nafnet_forward, 15, seeded)
    mimo_forward = lambda m, x: m(x)
    run('mimo/mimo-unet', archs.MIMOUNet(8, 32), [[[1, 3, 32, 36], 13]], mimo_forward, 4, seeded)
    run('mimo/mimo-unet-plus', archs.MIMOUNet(20, 32), [[[1, 3, 16, 20], 14]], mimo_forward, 5, seeded)
    run('mimo/small', archs.MIMOUNet(2, 16), [[[2, 3, 24, 28], 15]], mimo_forward, 6, seeded)
    run('patchgan/paper', archs.patchgan(64), [[[2, 3, 64, 64], 16]], lambda m, x: m.model(x), 7, seeded)
    run('patchgan/small', archs.patchgan(32), [[[1, 3, 48, 40], 17]], lambda m, x: m.model(x), 8, seeded)
    vgg_layers = {16: [3, 8, 15, 17, 21, 24], 19: [3, 8, 17, 20, 26, 28]}  # relu1_2 relu2_2 relu3_3/4 conv4_1/relu4_1 …

    def vgg_forward(depth):
        def f(m, x):
            outs, y = [], x
            for i, layer in enumerate(m.features):
                y = layer(y)
                if i in vgg_layers[depth]:
                    outs.append(y)
                if i >= max(vgg_layers[depth]):
                    break
            return outs
        return f
    run('vgg/16', archs.vgg(16), [[[1, 3, 32, 32], 18]], vgg_forward(16), 9, seeded)
    run('vgg/19', archs.vgg(19), [[[1, 3, 32, 32], 19]], vgg_forward(19), 10, seeded)
    run('kernel-wizard/paper', archs.KernelWizard(), [[[1, 3, 256, 256], 20], [[1, 3, 256, 256], 21]], kw_pair, 11, seeded)
    run('kernel-wizard/paper-vae', archs.KernelWizard(vae=True), [[[1, 3, 256, 256], 27], [[1, 3, 256, 256], 28]], kw_pair, 12, seeded)
    run('kernel-wizard/small', archs.KernelWizard(16, 2, 4, 128, 1), [[[1, 3, 256, 384], 22], [[1, 3, 256, 384], 23]], kw_pair, 13, seeded)
    with open(os.path.join(OUT, 'seeded.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'vgg_layers': vgg_layers, 'cases': seeded}, f, separators=(',', ':'))

    # Real checkpoint files in the official wrappers, tiny configurations.
    tiny = {}
    torch.manual_seed(0)
    cases = [
        ('nafnet', archs.NAFNet(8, [1, 1], 1, [1, 1]), lambda sd: {'params': sd}, [[1, 3, 21, 19]], nafnet_forward),
        ('mimo', archs.MIMOUNet(1, 8), lambda sd: {'model': sd}, [[1, 3, 16, 12]], mimo_forward),
        ('patchgan', archs.patchgan(8), lambda sd: sd, [[1, 3, 40, 40]], lambda m, x: m.model(x)),
        ('kernel-wizard', archs.KernelWizard(4, 1, 1, 32, 1), lambda sd: sd, [[1, 3, 256, 256], [1, 3, 256, 256]], kw_pair),
    ]
    for i, (name, model, wrap, shapes, forward) in enumerate(cases):
        model.eval()
        with torch.no_grad():  # default init, then jitter so that zero-initialised β, γ matter
            for v in model.state_dict().values():
                if v.is_floating_point():
                    v.add_(torch.randn(v.shape) * 0.05)
        xs = [seeded_input(s, 100 + 10 * i + j) for j, s in enumerate(shapes)]
        with torch.no_grad():
            ys = forward(model, *xs)
        torch.save(wrap(model.state_dict()), os.path.join(OUT, f'tiny_{name}.pth'))
        tiny[name] = {'inputs': [[s, 100 + 10 * i + j] for j, s in enumerate(shapes)], 'outputs': [values(y) for y in (ys if isinstance(ys, (list, tuple)) else [ys])],
                      'params': count(model)}
    with open(os.path.join(OUT, 'tiny.json'), 'w') as f:
        json.dump(tiny, f, separators=(',', ':'))
    for fn in sorted(os.listdir(OUT)):
        print(f'{fn}: {os.path.getsize(os.path.join(OUT, fn)) // 1024} KB')


if __name__ == '__main__':
    main()
