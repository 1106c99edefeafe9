// Validation data shared by the trainers: a scene-level hold-out and a fixed stack of centre crops.
import { cat, noGrad, scope, stack, type Device, type Tensor } from '../tensor/index.js';
import { readImage } from '../data/image.js';
import type { PairedSample } from '../data/datasets/match.js';
import { Rng } from '../data/rng.js';

/** Splits pairs by scene: 10 % of the scenes (at least one), chosen by seed, are held out for validation. */
export function holdOut(pairs: PairedSample[], seed: number): { train: PairedSample[]; val: PairedSample[] } {
  const scenes = [...new Set(pairs.map((p) => p.scene))].sort();
  const order = new Rng(seed ^ 0x7a1).shuffle([...scenes]);
  const valScenes = new Set(order.slice(0, Math.max(1, Math.round(scenes.length * 0.1))));
  if (valScenes.size === scenes.length) throw new Error('need at least two scenes to hold one out for validation (or give --val)');
  return { train: pairs.filter((p) => !valScenes.has(p.scene)), val: pairs.filter((p) => valScenes.has(p.scene)) };
}

/** Blurry and sharp stacks [N, 3, H, W] that `using` releases together. */
export interface PairStack extends Disposable {
  blurry: Tensor;
  sharp: Tensor;
}

/** Two stacks as one PairStack (it owns them). */
export function pairStack(v: { blurry: Tensor; sharp: Tensor }): PairStack {
  return {
    blurry: v.blurry,
    sharp: v.sharp,
    [Symbol.dispose]() {
      v.blurry.dispose();
      v.sharp.dispose();
    },
  };
}

/** A stack on `device` (moved there, the original released) as a PairStack. */
export function stackOn(v: { blurry: Tensor; sharp: Tensor }, device: Device): PairStack {
  if (device === 'cpu' || v.blurry.device === device) return pairStack(v);
  const moved = { blurry: v.blurry.to(device).keep(), sharp: v.sharp.to(device).keep() };
  v.blurry.dispose();
  v.sharp.dispose();
  return pairStack(moved);
}

export async function loadValidation(pairs: PairedSample[], n: number, crop: number, multiple: number): Promise<PairStack> {
  // Evenly spaced over the (scene-sorted) list, so that the fixed set spans many scenes.
  const m = Math.min(n, pairs.length);
  const chosen = Array.from({ length: m }, (_, i) => pairs[Math.floor((i * pairs.length) / m)]!);
  if (chosen.length === 0) throw new Error('no validation pairs');
  const b: Tensor[] = [],
    s: Tensor[] = [];
  for (const p of chosen) {
    for (const [file, into] of [
      [p.blurry, b],
      [p.sharp, s],
    ] as const) {
      const img = (await readImage(file)).tensor;
      const [, h, w] = img.shape as [number, number, number];
      const size = Math.floor(Math.min(crop, h, w) / multiple) * multiple;
      const y = (h - size) >> 1,
        x = (w - size) >> 1;
      into.push(
        noGrad(() =>
          scope(() =>
            img
              .slice(1, y, y + size)
              .slice(2, x, x + size)
              .contiguous(),
          ),
        ),
      );
      img.dispose();
    }
  }
  const sizes = new Set(b.map((t) => t.shape.join(',')));
  if (sizes.size > 1)
    throw new Error(`validation images are smaller than the validation crop and differ in size (${[...sizes].join(' / ')})`);
  const out = noGrad(() => ({ blurry: stack(b).keep(), sharp: stack(s).keep() }));
  for (const t of [...b, ...s]) t.dispose();
  return pairStack(out);
}

/**
 * Runs `fn` on the index ranges [start, end) of n items in groups of `size` (bounded memory for
 * validation stacks) and concatenates the results along dim 0. No gradients.
 */
export function mapInGroups(n: number, size: number, fn: (start: number, end: number) => Tensor): Tensor {
  return noGrad(() =>
    scope(() =>
      cat(
        Array.from({ length: Math.ceil(n / size) }, (_, i) => fn(i * size, Math.min(n, (i + 1) * size))),
        0,
      ),
    ),
  );
}

/** A sample grid: the first `rows` images of each stack [N, 3, H, W] side by side, one row per image. */
export function sampleGrid(columns: readonly Tensor[], rows: number): Tensor {
  const n = Math.min(rows, columns[0]!.shape[0]!);
  return noGrad(() =>
    scope(() =>
      cat(
        Array.from({ length: n }, (_, i) =>
          cat(
            columns.map((c) => c.select(0, i)),
            2,
          ),
        ),
        1,
      ),
    ),
  );
}
