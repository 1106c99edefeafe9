// Weights on disk ↔ tensors. The project's own format is safetensors; PyTorch .pth checkpoints are
// read as data (never executed). Both yield a state dict ready for Module.loadStateDict.
import { fromArray, noGrad, scope, type Device, type Tensor } from '../tensor/index.js';
import { isFloating } from '../tensor/dtype.js';
import { readStateDict } from './pth.js';
import { readSafetensorsMetadata, writeSafetensors } from './safetensors.js';
import type { RawTensor } from './raw-tensor.js';

/** A tensor holding a copy of the raw bytes. */
export function tensorFromRaw(r: RawTensor, device: Device = 'cpu'): Tensor {
  return fromArray(r.data, r.shape, { dtype: r.dtype, device });
}

/** Contiguous little-endian bytes of a tensor (complex tensors are not storable). */
export function rawFromTensor(t: Tensor): RawTensor {
  const d = t.dtype;
  if (d === 'complex64' || d === 'complex128') throw new Error('complex tensors cannot be saved as weights');
  const arr = noGrad(() => t.toArray());
  return { dtype: d, shape: [...t.shape], data: new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength) };
}

/**
 * Reads a state dict from .safetensors or a PyTorch checkpoint (.pth/.pt/.ckpt, zip or legacy; wrappers
 * such as {'params': …} or {'model': …} are unwrapped). The tensors are new and owned by the caller.
 */
export function loadWeights(file: string, device: Device = 'cpu'): Map<string, Tensor> {
  const raw = readStateDict(file);
  const sd = new Map([...raw].map(([k, r]) => [k, tensorFromRaw(r, device)]));
  const bad = firstNonFinite(sd);
  if (bad !== undefined) {
    for (const t of sd.values()) t.dispose();
    throw new Error(`${file}: tensor '${bad}' holds NaN or infinite values: refusing weights that would give black or garbage images`);
  }
  return sd;
}

/** Whether every value of a tensor is finite (integer tensors always are). */
export function allFinite(t: Tensor): boolean {
  return !isFloating(t.dtype) || noGrad(() => scope(() => !!t.isfinite().all().item()));
}

/** The name of the first tensor of a state dict that holds NaN or ±Inf, if any. */
export function firstNonFinite(sd: ReadonlyMap<string, Tensor>): string | undefined {
  for (const [k, t] of sd) if (!allFinite(t)) return k;
  return undefined;
}

/** A safetensors file's metadata (string map), from its header only. */
export function readWeightsMetadata(file: string): Record<string, string> {
  return readSafetensorsMetadata(file);
}

/** Writes a state dict as safetensors, atomically (a temp file renamed over the target). */
export function saveWeights(file: string, sd: ReadonlyMap<string, Tensor>, metadata?: Record<string, string>): void {
  const bad = firstNonFinite(sd);
  if (bad !== undefined) throw new Error(`${file}: not written: tensor '${bad}' holds NaN or infinite values`);
  const raw = new Map([...sd].map(([k, t]) => [k, rawFromTensor(t)]));
  writeSafetensors(file, raw, metadata);
}
