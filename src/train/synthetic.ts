// The synthetic-blur baseline's data: sharp images of the target camera (S), each blurred on the fly
// by a random linear motion kernel (the imgaug-style augmentation of the paper's baseline). The kernel
// of the j-th sample of epoch e is drawn from a stream keyed by (seed, e, j), so the data is a pure
// function of the seed and the loader's position, and resuming repeats it exactly.
import { basename } from 'node:path';
import { noGrad, scope, stack, type Tensor } from '../tensor/index.js';
import { BatchLoader, keyedRng, type Batch, type LoaderPosition } from '../data/datasets/loader.js';
import { applyKernel, randomMotionKernel, type MotionKernelRange } from '../data/motion-kernel.js';
import type { PairedSample } from '../data/datasets/match.js';
import type { DataSource } from './trainer.js';
import { holdOut, loadValidation } from './validation-data.js';

const KERNEL_DOMAIN = 0x6d6f7469; // 'moti'

export class SyntheticPairs implements DataSource<Batch> {
  constructor(
    private readonly loader: BatchLoader,
    private readonly range: MotionKernelRange,
    private readonly seed: number,
  ) {}

  async next(): Promise<Batch> {
    const b = await this.loader.next();
    const sharp = b.blurry; // single-image samples come back in `blurry`
    const blurry = noGrad(() =>
      scope(() =>
        stack(
          Array.from({ length: sharp.shape[0]! }, (_, j) =>
            applyKernel(sharp.select(0, j), randomMotionKernel(keyedRng(KERNEL_DOMAIN, this.seed, b.epoch, b.index + j), this.range)),
          ),
        ),
      ),
    );
    return { ...b, blurry, sharp };
  }

  get position(): LoaderPosition {
    return this.loader.position;
  }

  restore(p: LoaderPosition): void {
    this.loader.restore(p);
  }

  /** `using` releases it at the end of the block (as dispose()). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    this.loader.dispose();
  }
}

/** Sharp images as pseudo-pairs with their scene (the photo a benchmark crop came from: name minus `_NN`). */
export function sharpSamples(files: readonly string[]): PairedSample[] {
  return files.map((f) => ({
    blurry: f,
    sharp: f,
    scene: basename(f)
      .replace(/\.[^.]+$/, '')
      .replace(/_\d+$/, ''),
  }));
}

/** Splits sharp images by scene (as holdOut does for pairs). */
export function holdOutSharp(files: readonly string[], seed: number): { train: string[]; val: PairedSample[] } {
  const s = holdOut(sharpSamples(files), seed);
  return { train: s.train.map((p) => p.sharp), val: s.val };
}

/** Validation pairs made from held-out sharp images, each blurred by its own seeded random kernel. */
export async function syntheticValidation(
  val: PairedSample[],
  n: number,
  crop: number,
  multiple: number,
  range: MotionKernelRange,
  seed: number,
): Promise<{ blurry: Tensor; sharp: Tensor }> {
  const v = await loadValidation(val, n, crop, multiple);
  const blurry = noGrad(() =>
    scope(() =>
      stack(
        Array.from({ length: v.sharp.shape[0]! }, (_, i) =>
          applyKernel(v.sharp.select(0, i), randomMotionKernel(keyedRng(KERNEL_DOMAIN, seed, 0xffffffff, i), range)),
        ),
      ).keep(),
    ),
  );
  v.blurry.dispose();
  return { blurry, sharp: v.sharp };
}
