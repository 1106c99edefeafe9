#!/usr/bin/python3
"""Writes golden values for the tensor-API tests: test/fixtures/ops.json.

Runs with Debian's python3-torch (the same libtorch 1.13 the addon links): /usr/bin/python3 scripts/gen_fixtures.py
Inputs are generated here from fixed seeds and stored with the outputs, so the tests need no Python.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'ops.json')


def t(x):
    x = x.detach()
    if x.is_complex():
        x = torch.view_as_real(x)
    return {'shape': list(x.shape), 'dtype': str(x.dtype).replace('torch.', ''), 'data': x.flatten().tolist()}


def seeded(shape, seed, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=dtype)


cases = {}


def case(name, inputs, output):
    cases[name] = {'inputs': {k: t(v) for k, v in inputs.items()}, 'output': t(output) if isinstance(output, torch.Tensor) else [t(o) for o in output]}


x = seeded([2, 3, 4, 5], 0)
y = seeded([2, 3, 4, 5], 1)
v = seeded([3, 5], 2)

case('add', {'x': x, 'y': y}, x + 2.5 * y)
case('sub_broadcast', {'x': x, 'v': v.reshape(1, 3, 1, 5)}, x - v.reshape(1, 3, 1, 5))
case('mul_div', {'x': x, 'y': y}, x * y / (y.abs() + 1))
case('pow_sqrt_exp_log', {'x': x}, (x.abs() + 0.1).pow(1.7).sqrt() + torch.exp(x * 0.3) - torch.log1p(x.abs()))
case('clamp_where', {'x': x, 'y': y}, torch.where(x > y, x.clamp(-0.5, 0.7), y))
case('compare', {'x': x, 'y': y}, torch.stack([(x > y).double(), (x <= 0.1).double(), (x == x).double()]))
case('sum_dims_keepdim', {'x': x}, x.sum(dim=(1, 3), keepdim=True))
case('mean_dim', {'x': x}, x.mean(dim=2))
case('max_dim', {'x': x}, torch.max(x, dim=1))
case('min_all_amax', {'x': x}, torch.stack([x.min(), x.amax(dim=(0, 1, 2, 3))]))
case('var_std', {'x': x}, torch.stack([x.var(dim=(2, 3), unbiased=True), x.std(dim=(2, 3), unbiased=False)]))
case('matmul_bmm', {'a': seeded([4, 3, 5], 3), 'b': seeded([4, 5, 2], 4)}, torch.bmm(seeded([4, 3, 5], 3), seeded([4, 5, 2], 4)))

img = seeded([2, 4, 9, 11], 5)
w = seeded([6, 4, 3, 3], 6)
b = seeded([6], 7)
case('conv2d', {'x': img, 'w': w, 'b': b}, F.conv2d(img, w, b, stride=2, padding=1, dilation=1))
case('conv2d_dilated', {'x': img, 'w': w}, F.conv2d(img, w, None, stride=1, padding=2, dilation=2))
wd = seeded([8, 1, 3, 3], 8)
case('conv2d_depthwise_mult', {'x': img, 'w': wd}, F.conv2d(img, wd, None, padding=1, groups=4))
wg = seeded([6, 2, 3, 3], 9)
case('conv2d_groups2', {'x': img, 'w': wg}, F.conv2d(img, wg, None, padding=1, groups=2))
wt = seeded([4, 3, 4, 4], 10)
bt = seeded([3], 11)
case('conv_transpose2d', {'x': img, 'w': wt, 'b': bt}, F.conv_transpose2d(img, wt, bt, stride=2, padding=1, output_padding=1))
case('avg_pool2d', {'x': img}, F.avg_pool2d(img, 2))
case('max_pool2d', {'x': img}, F.max_pool2d(img, 3, stride=2, padding=1))
case('adaptive_avg_pool2d', {'x': img}, F.adaptive_avg_pool2d(img, (3, 4)))
case('interp_nearest', {'x': img}, F.interpolate(img, size=(13, 7), mode='nearest'))
case('interp_bilinear', {'x': img}, F.interpolate(img, scale_factor=0.5, mode='bilinear', align_corners=False))
case('interp_bilinear_ac', {'x': img}, F.interpolate(img, size=(17, 5), mode='bilinear', align_corners=True))
case('interp_bicubic', {'x': img}, F.interpolate(img, scale_factor=2, mode='bicubic', align_corners=False))
case('pixel_shuffle', {'x': seeded([2, 8, 3, 5], 12)}, F.pixel_shuffle(seeded([2, 8, 3, 5], 12), 2))
case('pixel_unshuffle', {'x': seeded([2, 2, 6, 4], 13)}, F.pixel_unshuffle(seeded([2, 2, 6, 4], 13), 2))
case('pad_reflect', {'x': img}, F.pad(img, [1, 2, 3, 0], mode='reflect'))
case('pad_replicate', {'x': img}, F.pad(img, [2, 0, 1, 3], mode='replicate'))
case('pad_constant', {'x': img}, F.pad(img, [1, 1, 2, 2], value=0.5))
case('cat_stack_split', {'x': x, 'y': y}, [torch.cat([x, y], 1), torch.stack([x, y], 2)] + list(torch.split(x, [2, 2, 1], 3)) + list(torch.chunk(y, 2, 2)))
lw = seeded([5], 14)
lb = seeded([5], 15)
case('layer_norm', {'x': x, 'w': lw, 'b': lb}, F.layer_norm(x, [5], lw, lb, 1e-6))
gw = seeded([4], 16)
gb = seeded([4], 17)
case('group_norm', {'x': img, 'w': gw, 'b': gb}, F.group_norm(img, 2, gw, gb))
case('instance_norm', {'x': img, 'w': gw, 'b': gb}, F.instance_norm(img, weight=gw, bias=gb))
rm, rv = seeded([4], 18), seeded([4], 19).abs() + 0.5
case('batch_norm_eval', {'x': img, 'w': gw, 'b': gb, 'rm': rm, 'rv': rv}, F.batch_norm(img, rm, rv, gw, gb, training=False))
rm2, rv2 = rm.clone(), rv.clone()
bn_train = F.batch_norm(img, rm2, rv2, gw, gb, training=True, momentum=0.1)
case('batch_norm_train', {'x': img, 'w': gw, 'b': gb, 'rm': rm, 'rv': rv}, [bn_train, rm2, rv2])
case('activations', {'x': x}, torch.stack([F.relu(x), F.leaky_relu(x, 0.2), F.gelu(x), torch.sigmoid(x), torch.tanh(x), F.softplus(x), F.softmax(x, dim=3), F.silu(x)]))
theta = torch.tensor([[[0.9, -0.2, 0.1], [0.15, 1.1, -0.05]], [[1.0, 0.0, 0.3], [0.0, 0.8, 0.0]]])
grid = F.affine_grid(theta, [2, 4, 7, 6], align_corners=False)
case('affine_grid', {'theta': theta}, grid)
case('grid_sample_bilinear', {'x': img, 'grid': grid}, F.grid_sample(img, grid, mode='bilinear', padding_mode='zeros', align_corners=False))
case('grid_sample_border_ac', {'x': img, 'grid': grid}, F.grid_sample(img, grid, mode='bilinear', padding_mode='border', align_corners=True))
case('grid_sample_bicubic_refl', {'x': img, 'grid': grid}, F.grid_sample(img, grid, mode='bicubic', padding_mode='reflection', align_corners=False))
case('fft2', {'x': img}, torch.fft.fft2(img))
case('rfft2_abs', {'x': img}, torch.fft.rfft2(img).abs())
case('irfft2_roundtrip', {'x': img}, torch.fft.irfft2(torch.fft.rfft2(img, norm='ortho'), s=(9, 11), norm='ortho'))
case('index_slice', {'x': x}, [x[:, 1:3, ::2, -2:], x[1, :, 2], x.index_select(3, torch.tensor([4, 0, 2])), x.flip([1, 3]), x.permute(3, 0, 2, 1).contiguous()])

# Seeded random streams: the same libtorch generator gives the same numbers.
g = torch.Generator().manual_seed(1234)
rnd = [torch.rand([3, 4], generator=g, dtype=torch.float32), torch.randn([5], generator=g, dtype=torch.float32),
       torch.randint(0, 10, [6], generator=g).double(), torch.randperm(7, generator=g).double(),
       torch.bernoulli(torch.full([8], 0.5, dtype=torch.float32), generator=g)]
cases['random_seed1234'] = {'inputs': {}, 'output': [t(r) for r in rnd]}

# Gradient penalty (WGAN-GP) on a small discriminator: value and parameter gradients.
torch.manual_seed(0)
D = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 4, 2, 1), torch.nn.LeakyReLU(0.2), torch.nn.Conv2d(4, 1, 4, 1, 1)).double()
real = seeded([2, 3, 8, 8], 20)
fake = seeded([2, 3, 8, 8], 21)
eps = torch.rand([2, 1, 1, 1], generator=torch.Generator().manual_seed(22))
xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
out = D(xhat)
gr, = torch.autograd.grad(out.sum(), xhat, create_graph=True)
gp = ((gr.reshape(2, -1).norm(2, dim=1) - 1) ** 2).mean()
gp.backward()
assert D[2].bias.grad is None  # the last bias does not change dD/dx
cases['gradient_penalty'] = {
    'inputs': {'real': t(real), 'fake': t(fake), 'eps': t(eps), 'w0': t(D[0].weight), 'b0': t(D[0].bias), 'w2': t(D[2].weight), 'b2': t(D[2].bias)},
    'output': [t(gp), t(D[0].weight.grad), t(D[0].bias.grad), t(D[2].weight.grad), t(xhat.grad)],
}

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)} ({os.path.getsize(OUT) // 1024} KB)')

# ---- nn.json: default initialisation and optimiser parity --------------------------------------
NN_OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'nn.json')
torch.set_default_dtype(torch.float32)
torch.manual_seed(5)
conv = torch.nn.Conv2d(3, 8, 3)
lin = torch.nn.Linear(8, 4)
convt = torch.nn.ConvTranspose2d(4, 2, 4, 2, 1)
dw = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
init = {'conv.weight': t(conv.weight), 'conv.bias': t(conv.bias), 'lin.weight': t(lin.weight), 'lin.bias': t(lin.bias),
        'convt.weight': t(convt.weight), 'convt.bias': t(convt.bias), 'dw.weight': t(dw.weight)}

optim = {}
for name, cls, kw in [('adam', torch.optim.Adam, {'lr': 0.01, 'betas': (0.8, 0.99), 'eps': 1e-6, 'weight_decay': 0.1}),
                      ('adamw', torch.optim.AdamW, {'lr': 0.01, 'weight_decay': 0.1})]:
    w0 = seeded([4, 3], 30, torch.float64)
    b0 = seeded([3], 31, torch.float64)
    xin = seeded([6, 4], 32, torch.float64)
    target = seeded([6, 3], 33, torch.float64)
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = cls([w, b], **kw)
    for _ in range(7):
        opt.zero_grad()
        loss = ((xin @ w + b - target) ** 2).mean()
        loss.backward()
        opt.step()
    st = opt.state_dict()['state']
    optim[name] = {'w0': t(w0), 'b0': t(b0), 'x': t(xin), 'target': t(target), 'w': t(w), 'b': t(b),
                   'exp_avg_w': t(st[0]['exp_avg']), 'exp_avg_sq_b': t(st[1]['exp_avg_sq'])}

with open(NN_OUT, 'w') as f:
    json.dump({'torch': torch.__version__, 'init': init, 'optim': optim}, f, separators=(',', ':'))
print(f'wrote {os.path.normpath(NN_OUT)} ({os.path.getsize(NN_OUT) // 1024} KB)')
