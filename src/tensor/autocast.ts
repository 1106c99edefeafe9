// Mixed precision, as torch.autocast: inside `autocast(device, dtype, fn)` convolutions and matrix
// products run in bfloat16 (CPU and GPU) or float16 (GPU) while parameters, and the operators autocast
// keeps in float32 (norms, reductions, losses), stay float32. Regions nest; the state is per thread and
// restored on exit. Backward passes belong outside a region (`withoutAutocast`), as in PyTorch.
import { native } from './native.js';
import type { Device } from './dtype.js';

/** The reduced precision of mixed-precision regions. */
export type AmpDtype = 'bfloat16' | 'float16';

const typeOf = (device: Device): 'cpu' | 'cuda' => (device.startsWith('cuda') ? 'cuda' : 'cpu');

function region<T>(device: Device, enabled: boolean, dtype: AmpDtype | undefined, fn: () => T): T {
  const type = typeOf(device);
  const prev = native.autocastState(type);
  native.setAutocast(type, enabled, dtype ?? prev.dtype);
  native.autocastEnter();
  try {
    const r = fn();
    if (r instanceof Promise) throw new Error('autocast(fn): fn returned a Promise; autocast regions are synchronous');
    return r;
  } finally {
    native.autocastExit();
    native.setAutocast(type, prev.enabled, prev.dtype);
  }
}

/** Runs `fn` with autocast on for `device`'s type in `dtype`. */
export function autocast<T>(device: Device, dtype: AmpDtype, fn: () => T): T {
  return region(device, true, dtype, fn);
}

/** Runs `fn` with autocast off for `device`'s type (a backward pass or float32 work inside a region). */
export function withoutAutocast<T>(device: Device, fn: () => T): T {
  return region(device, false, undefined, fn);
}

/** Whether autocast is on for `device`'s type, and its dtype. */
export function autocastState(device: Device): { enabled: boolean; dtype: string } {
  return native.autocastState(typeOf(device));
}
