#!/usr/bin/python3
"""PyTorch side of the training benchmark: the same training steps as bench.ts at equal config.

  {"cmd": "run", "kind": "deblur"|"kernel"|"translator", "arch": ID, "batch": B, "crop": C, "steps": N,
   "gan": "vanilla"|"hinge", "content": "lowpass"|"vgg19-random"} -> {"ms": [...]}

argv[2] is the device (cpu, cuda, cuda:N; default cpu); on a GPU each step is timed to its end
(torch.cuda.synchronize), as bench.ts waits for its own.
"""
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'reference'))
import archs  # noqa: E402
from serve import serve  # noqa: E402

BUILD = {
    'nafnet-small': lambda: archs.NAFNet(16, [1, 1, 2, 4], 1, [1, 1, 1, 1]),
    'nafnet-small32': lambda: archs.NAFNet(32, [1, 1, 2, 4], 1, [1, 1, 1, 1]),
    'nafnet-gopro-width32': lambda: archs.NAFNet(32, [1, 1, 1, 28], 1, [1, 1, 1, 1]),
    'kernel-wizard-small': lambda: archs.KernelWizard(16, 2, 4, 128, 1),
    'kernel-wizard': lambda: archs.KernelWizard(),
}

VGG19_LAYERS = [1, 6, 11, 20, 29]  # relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 in features
VGG_WEIGHTS = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1]


DEVICE = torch.device(sys.argv[2] if len(sys.argv) > 2 else 'cpu')


def sync():
    if DEVICE.type == 'cuda':
        torch.cuda.synchronize(DEVICE)


def gaussian_blur(x, sigma):
    r = max(1, math.ceil(3 * sigma))
    k = torch.exp(-((torch.arange(2 * r + 1, dtype=torch.float32, device=x.device) - r) ** 2) / (2 * sigma * sigma))
    k = (k / k.sum()).view(1, 1, 1, -1).expand(x.shape[1], 1, 1, 2 * r + 1).contiguous()
    p = F.pad(x, [r, r, r, r], mode='reflect')
    return F.conv2d(F.conv2d(p, k, groups=x.shape[1]), k.view(x.shape[1], 1, -1, 1), groups=x.shape[1])


def vgg_feats(vgg, x):
    out, y = [], x  # random-weight VGG: no ImageNet normalisation (as the TypeScript side)
    for i, layer in enumerate(vgg.features[:VGG19_LAYERS[-1] + 1]):
        y = layer(y)
        if i in VGG19_LAYERS:
            out.append(y)
    return out


def content_loss(kind, vgg, inputs, outputs):
    total = 0
    for i, (x, o) in enumerate(zip(inputs, outputs)):
        if kind == 'lowpass':
            sigma = max(0.5, 2 / 2 ** (len(inputs) - 1 - i))
            with torch.no_grad():
                t = gaussian_blur(x, sigma)
            total = total + (gaussian_blur(o, sigma) - t).abs().mean()
        else:
            with torch.no_grad():
                t = vgg_feats(vgg, x)
            for w, a, b in zip(VGG_WEIGHTS, vgg_feats(vgg, o), t):
                total = total + (a - b).abs().mean() * w
    return total


def d_loss(kind, real, fake):
    m = lambda xs, f: sum(f(s).mean() for s in xs) / len(xs)
    if kind == 'hinge':
        return m(real, lambda s: F.relu(1 - s)) + m(fake, lambda s: F.relu(1 + s))
    return m(real, lambda s: F.softplus(-s)) + m(fake, F.softplus)


def g_loss(kind, fake):
    m = lambda xs, f: sum(f(s).mean() for s in xs) / len(xs)
    return -m(fake, lambda s: s) if kind == 'hinge' else m(fake, lambda s: F.softplus(-s))


def translator_step(t, y, k, gan, content):
    g, d, g_opt, d_opt, vgg = t
    half = lambda x: F.interpolate(x, scale_factor=0.5)
    bil = lambda x: F.interpolate(x, scale_factor=0.5, mode='bilinear')
    ys = [half(half(y)), half(y), y]
    outs = g(y)
    ks = [bil(bil(k)), bil(k), k]
    for p in d.parameters():
        p.requires_grad_(True)
    fake = [o.detach() for o in outs]
    rs, fs = [d(x) for x in ks], [d(x) for x in fake]
    with torch.no_grad():  # patch accuracy, as the trainer logs it
        acc = (sum((s > 0).float().sum().item() for s in rs) + sum((s <= 0).float().sum().item() for s in fs))
    adv = d_loss(gan, rs, fs)
    eps = torch.rand(y.shape[0], 1, 1, 1, device=y.device)
    mix = (eps * k.detach() + (1 - eps) * fake[2]).requires_grad_(True)
    out = d(mix)
    grad, = torch.autograd.grad(out, mix, torch.ones_like(out), create_graph=True)
    gp = ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
    dl = adv + 1e-4 * gp
    dl.item()
    d_opt.zero_grad(set_to_none=True)
    dl.backward()
    d_opt.step()
    for p in d.parameters():
        p.requires_grad_(False)
    ga = g_loss(gan, [d(o) for o in outs])
    rec = content_loss(content, vgg, ys, outs)
    loss = ga + 0.8 * rec
    for v in (adv, gp, ga, rec):
        v.item()
    loss.item()
    g_opt.zero_grad(set_to_none=True)
    loss.backward()
    g_opt.step()
    return acc


def psnr_loss(pred, target):
    return (10 / math.log(10)) * torch.log(((pred - target) ** 2).mean(dim=(1, 2, 3)) + 1e-8).mean()


def charbonnier(pred, target):
    return torch.sqrt((pred - target) ** 2 + 1e-6).mean()


def main():
    cache = {}

    def handle(msg):
        key = (msg['kind'], msg['arch'])
        if key not in cache and msg['kind'] == 'translator':
            torch.manual_seed(0)
            small = msg['arch'] == 'translator-small'
            g = (archs.MIMOUNet(2, 16) if small else archs.MIMOUNet()).to(DEVICE)
            d = archs.patchgan(32 if small else 64).to(DEVICE)
            vgg = archs.vgg(19).to(DEVICE) if msg['content'] != 'lowpass' else None
            if vgg is not None:
                for p in vgg.parameters():
                    p.requires_grad_(False)
            cache[key] = (g, d, torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999)),
                          torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999)), vgg)
        if msg['kind'] == 'translator':
            b, c = msg['batch'], msg['crop']
            ms = []
            for _ in range(msg['steps']):
                y, k = torch.rand(b, 3, c, c, device=DEVICE), torch.rand(b, 3, c, c, device=DEVICE)
                sync()
                t0 = time.perf_counter()
                translator_step(cache[key], y, k, msg['gan'], msg['content'])
                sync()
                ms.append((time.perf_counter() - t0) * 1000)
            return {'ms': ms}
        if key not in cache:
            torch.manual_seed(0)
            m = BUILD[msg['arch']]().to(DEVICE)
            opt = (torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.9), weight_decay=1e-3) if msg['kind'] == 'deblur'
                   else torch.optim.Adam(m.parameters(), lr=1e-4, betas=(0.9, 0.99)))
            cache[key] = (m, opt)
        m, opt = cache[key]
        b, c = msg['batch'], msg['crop']
        ms = []
        for _ in range(msg['steps']):
            x, y = torch.rand(b, 3, c, c, device=DEVICE), torch.rand(b, 3, c, c, device=DEVICE)
            sync()
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            if msg['kind'] == 'deblur':
                loss = psnr_loss(m(x), y)
            else:
                loss = charbonnier(m.adapt(x, m.extract(x, y)), y)
            loss.backward()
            opt.step()
            sync()
            ms.append((time.perf_counter() - t0) * 1000)
        return {'ms': ms}

    serve(handle)


if __name__ == '__main__':
    main()
