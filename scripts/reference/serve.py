"""The reference side of the project's benchmarks: one JSON command per stdin line, one JSON reply per
stdout line, until {"cmd": "quit"}. argv[1] sets torch's thread count (default 2)."""
import json
import sys

import torch


def serve(handle):
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    for line in sys.stdin:
        msg = json.loads(line)
        if msg['cmd'] == 'quit':
            break
        print(json.dumps(handle(msg)), flush=True)
