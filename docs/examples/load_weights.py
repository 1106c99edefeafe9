"""Load blur2blur's weights into PyTorch: the safetensors keys are PyTorch's own state_dict keys.

    python3 load_weights.py WEIGHTS.safetensors [INPUT.png OUTPUT.png]
    python3 load_weights.py WEIGHTS.safetensors --probe     (the output on a fixed 64×64 pattern, as JSON)

The NAFNet class here is the one in blur2blur's scripts/reference/archs.py, which mirrors the official
one; with the official repository the same weights load into
basicsr.models.archs.NAFNet_arch.NAFNet(img_channel=3, width=32, middle_blk_num=1,
enc_blk_nums=[1, 1, 2, 4], dec_blk_nums=[1, 1, 1, 1]) for nafnet-small32 (width 16 for nafnet-small).
Without the `safetensors` package, the file is read with the standard library: a little-endian u64
header length, a JSON header, then the raw tensors.
"""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'reference'))
from archs import NAFNet  # noqa: E402

DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16, 'F64': torch.float64, 'I64': torch.int64}
PRESETS = {'nafnet-small': 16, 'nafnet-small24': 24, 'nafnet-small32': 32}


def read_safetensors(path):
    """The state dict and the metadata of a .safetensors file."""
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop('__metadata__', {})
    sd = {}
    for key, t in header.items():
        start, end = t['data_offsets']
        sd[key] = torch.frombuffer(bytearray(data[start:end]), dtype=DTYPES[t['dtype']]).reshape(t['shape'])
    return sd, meta


def main():
    sd, meta = read_safetensors(sys.argv[1])
    width = PRESETS[meta['arch']]
    model = NAFNet(width, [1, 1, 2, 4], 1, [1, 1, 1, 1]).eval()
    model.load_state_dict(sd)  # strict: every key and shape
    if sys.argv[2:] == ['--probe']:
        # A fixed input anyone can rebuild: (i mod 255) / 255 over a [1, 3, 64, 64] tensor in row-major order.
        x = (torch.arange(3 * 64 * 64) % 255).float().div(255).reshape(1, 3, 64, 64)
        with torch.no_grad():
            y = model(x)
        print(json.dumps({'arch': meta['arch'], 'mean': y.mean().item(), 'first': y.flatten()[:8].tolist()}))
        return
    print(f"{meta['arch']}: {sum(p.numel() for p in model.parameters()):,} parameters loaded")
    if len(sys.argv) > 3:
        import numpy as np
        from PIL import Image
        x = torch.from_numpy(np.asarray(Image.open(sys.argv[2]).convert('RGB'), dtype=np.float32) / 255).permute(2, 0, 1)[None]
        with torch.no_grad():
            y = model(x).clamp(0, 1)[0].permute(1, 2, 0).numpy()
        Image.fromarray((y * 255).round().astype(np.uint8)).save(sys.argv[3])
        print(f'wrote {sys.argv[3]}')


if __name__ == '__main__':
    main()
