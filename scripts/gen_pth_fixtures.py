#!/usr/bin/python3
"""Writes the small checkpoint fixtures read by test/io/ into test/fixtures/pth/.

Run with Debian's Python, which has torch:  /usr/bin/python3 scripts/gen_pth_fixtures.py

Besides the fixtures it writes expected.json: for every fixture holding tensors, the
state dict the reader must find (dtype, shape and exact values; float16/bfloat16 values
as the floats they represent, bool as 0/1), plus a few non-tensor values.

Nothing here ever unpickles a file. The malicious fixture is assembled from raw
pickle opcodes and is only written, never loaded.
"""
import collections
import json
import os
import pickle
import sys
import zipfile

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'pth')

DTYPE_NAMES = {
    torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16',
    torch.bfloat16: 'bfloat16', torch.int64: 'int64', torch.int32: 'int32',
    torch.int16: 'int16', torch.int8: 'int8', torch.uint8: 'uint8', torch.bool: 'bool',
}


def describe(t):
    vals = t.detach().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        vals = vals.float()
    if t.dtype == torch.bool:
        vals = vals.to(torch.uint8)
    return {'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape), 'values': vals.tolist()}


def describe_all(d):
    return {k: describe(v) for k, v in d.items()}


def path(name):
    return os.path.join(OUT, name)


def small_model():
    torch.manual_seed(1234)
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.Linear(4, 2))
    bn = model[1]
    with torch.no_grad():
        bn.running_mean.copy_(torch.tensor([0.25, -0.5, 1.0]))
        bn.running_var.copy_(torch.tensor([1.5, 0.75, 2.0]))
        bn.num_batches_tracked.fill_(7)
    return model


def views_dict():
    base = torch.arange(24, dtype=torch.float32) * 0.5 - 3.0
    grid = base.view(4, 6)
    return {
        'transposed': grid.t(),                 # non-contiguous, offset 0
        'rows': base[3:9].view(2, 3),           # contiguous view at offset 3
        'columns': grid[1:, 2:5],               # non-contiguous view at offset 8
        'strided': base[1:20:4],                # step 4
        'expanded': base[5:8].expand(2, 3),     # stride 0
        'full': grid,                           # the whole storage
    }


def dtypes_dict():
    return {
        'bf16': torch.tensor([1.0, -2.5, 3.140625, 1e-3, 65504.0, -0.0], dtype=torch.bfloat16),
        'bool': torch.tensor([[True, False, True], [False, False, True]]),
        'f16': torch.tensor([0.1, -6.1e-5, 65504.0, 5.96e-8], dtype=torch.float16),
        'f64': torch.tensor([0.1, -1e300, 2.0 ** -1074], dtype=torch.float64),
        'i8': torch.tensor([-128, 0, 127], dtype=torch.int8),
        'u8': torch.tensor([0, 200, 255], dtype=torch.uint8),
        'i16': torch.tensor([-32768, 1234, 32767], dtype=torch.int16),
        'i32': torch.tensor([-2 ** 31, 7, 2 ** 31 - 1], dtype=torch.int32),
        'i64': torch.tensor([-2 ** 53, 42, 2 ** 53], dtype=torch.int64),
        'scalar': torch.tensor(2.5),
        'empty': torch.zeros(0, 3),
    }


def add_entry(zout, name, data, compression=zipfile.ZIP_STORED):
    """Adds an entry with a fixed timestamp, so that regenerating gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compression
    zout.writestr(info, data)


def rezip(src, dst, compression, transform=None, extra=None):
    """Copies a zip archive entry by entry, optionally changing bytes and adding entries."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if transform:
                data = transform(info.filename, data)
            add_entry(zout, info.filename, data, compression)
        for name, data in (extra or {}).items():
            add_entry(zout, name, data, compression)


def write_bigendian(expected):
    tensors = {
        'w': torch.tensor([1.5, -2.25, 3.0]),
        'i': torch.tensor([1, -2, 300000], dtype=torch.int64),
        'h': torch.tensor([0.5, -1.0], dtype=torch.float16),
    }
    tmp = path('bigendian.tmp')
    torch.save(tensors, tmp)
    by_bytes = {t.numpy().tobytes(): t.numpy().byteswap().tobytes() for t in tensors.values()}

    def swap(name, data):
        return by_bytes[data] if '/data/' in name else data

    with zipfile.ZipFile(tmp) as z:
        top = z.namelist()[0].split('/')[0]
    rezip(tmp, path('bigendian.pth'), zipfile.ZIP_STORED, swap, {f'{top}/byteorder': b'big'})
    os.remove(tmp)
    expected['bigendian.pth'] = {'tensors': describe_all(tensors)}


def write_malicious():
    # protocol 2: GLOBAL 'os system', BINUNICODE 'echo pwned', TUPLE1, REDUCE, STOP
    arg = b'echo pwned'
    payload = b'\x80\x02cos\nsystem\nX' + len(arg).to_bytes(4, 'little') + arg + b'\x85R.'
    with zipfile.ZipFile(path('malicious_os_system.pth'), 'w') as z:
        add_entry(z, 'malicious_os_system/data.pkl', payload)
        add_entry(z, 'malicious_os_system/version', b'3\n')


def plain_value():
    shared = [1, 2]
    return {
        'none': None, 'true': True, 'false': False,
        'small': 7, 'neg': -5, 'int16': 40000, 'int32': -100000,
        'big53': 2 ** 53 + 1, 'big70': 2 ** 70, 'negbig': -(2 ** 63),
        'float': 1.5, 'negf': -0.1,
        'str': 'h\u00e9llo \u2713', 'empty': '', 'long_str': 'x' * 300,
        'bytes': b'\x00\x01\xff', 'long_bytes': bytes(range(256)), 'bytearray': bytearray(b'ab'),
        'tuple0': (), 'tuple1': (1,), 'tuple2': (1, 'a'), 'tuple3': (1, 2, 3), 'tuple5': (1, 2, 3, 4, 5),
        'list': [1, [2, 3], {'k': 'v'}], 'set': {1, 2, 3}, 'frozenset': frozenset({'a'}),
        'intkeys': {0: 'zero', 1: 'one'},
        'od': collections.OrderedDict([('b', 1), ('a', 2)]),
        'shared1': shared, 'shared2': shared,
        'biglist': [i % 200 for i in range(1001)],  # more than one APPENDS batch of 1000
        'bigdict': {i: None for i in range(1001)},  # more than one SETITEMS batch
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    model = small_model()
    sd = model.state_dict()
    torch.save(sd, path('sd.pth'))
    expected['sd.pth'] = {'tensors': describe_all(sd)}

    torch.save({'params': sd}, path('wrapped_params.pth'))
    expected['wrapped_params.pth'] = {'tensors': describe_all(sd), 'wrapper': 'params'}

    torch.save({'model': sd, 'epoch': 3}, path('wrapped_model_epoch.pth'))
    expected['wrapped_model_epoch.pth'] = {'tensors': describe_all(sd), 'wrapper': 'model'}

    sd16 = collections.OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in sd.items())
    torch.save(sd16, path('sd_fp16.pth'))
    expected['sd_fp16.pth'] = {'tensors': describe_all(sd16)}

    views = views_dict()
    torch.save(views, path('views.pth'))
    expected['views.pth'] = {'tensors': describe_all(views)}

    dtypes = dtypes_dict()
    torch.save(dtypes, path('dtypes.pth'))
    expected['dtypes.pth'] = {'tensors': describe_all(dtypes)}

    torch.save(sd, path('legacy.pth'), _use_new_zipfile_serialization=False)
    expected['legacy.pth'] = {'tensors': describe_all(sd)}

    torch.save(views, path('legacy_views.pth'), _use_new_zipfile_serialization=False)
    expected['legacy_views.pth'] = {'tensors': describe_all(views)}

    prefixed = collections.OrderedDict(('module.' + k, v) for k, v in sd.items())
    torch.save(prefixed, path('module_prefix.pth'))
    expected['module_prefix.pth'] = {'tensors': describe_all(sd)}

    torch.save(sd, path('protocol4.pth'), pickle_protocol=4)
    expected['protocol4.pth'] = {'tensors': describe_all(sd)}

    rezip(path('sd.pth'), path('deflated.pth'), zipfile.ZIP_DEFLATED)
    expected['deflated.pth'] = {'tensors': describe_all(sd)}

    write_bigendian(expected)

    param = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0, 0.5]))
    opt = torch.optim.Adam([param], lr=1e-3)
    (param ** 2).sum().backward()
    opt.step()
    ckpt = {
        'epoch': 3, 'best_psnr': np.float64(31.25), 'iters': np.int64(12000), 'ratio': np.float32(0.5),
        'optimizer': opt.state_dict(), 'net': sd, 'note': 'hello', 'lrs': [1e-4, 5e-5], 'flags': (True, None),
        'dtype': torch.float16,
    }
    torch.save(ckpt, path('checkpoint_numpy.pth'))
    expected['checkpoint_numpy.pth'] = {
        'tensors': describe_all(sd), 'wrapper': 'net',
        'extras': {'epoch': 3, 'best_psnr': 31.25, 'iters': 12000, 'ratio': 0.5, 'note': 'hello',
                   'lrs': [1e-4, 5e-5], 'dtype': 'float16'},
        'exp_avg': describe(opt.state_dict()['state'][0]['exp_avg']),
    }

    write_malicious()
    torch.save(model, path('whole_module.pth'))

    for proto in (2, 3, 4, 5):
        with open(path(f'plain_p{proto}.pkl'), 'wb') as f:
            f.write(pickle.dumps(plain_value(), protocol=proto))

    with open(path('expected.json'), 'w') as f:
        json.dump(expected, f, separators=(',', ':'))
        f.write('\n')
    total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
    print(f'wrote {len(os.listdir(OUT))} files, {total} bytes, to {os.path.normpath(OUT)}', file=sys.stderr)


if __name__ == '__main__':
    main()
