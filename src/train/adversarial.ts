// The adversarial update shared by the translator and the CycleGAN baseline, and the unpaired data both
// train on. One step: D's loss on real vs detached fakes → finite checks (loss and every gradient of D)
// → D's optimiser step; then the generators' loss through the frozen D (D's parameters get no gradient
// from it). A non-finite D loss or gradient skips D's step and reports the step as non-finite to the
// training loop, whose guard then skips G's update too and counts it.
import { withoutAutocast, type Device, type Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import type { Adam } from '../optim/index.js';
import { releaseBatch, type Batch, type BatchLoader, type LoaderPosition } from '../data/datasets/loader.js';
import type { DataSource, Part } from './trainer.js';
import { gradsFinite } from './finite.js';
import { shardBatch, type DataParallel } from './data-parallel.js';
import type { GradScaler } from './grad-scaler.js';

/** Unpaired halves of a batch: the images G translates (source) and the images D takes as real (target). */
export interface UnpairedBatch {
  source: Batch;
  target: Batch;
}

/** Two loaders drawn in step, positions saved together (checkpoints of the `{b, k}` naming restore too). */
export class UnpairedLoader implements DataSource<UnpairedBatch> {
  constructor(
    readonly source: BatchLoader,
    readonly target: BatchLoader,
  ) {}
  async next(): Promise<UnpairedBatch> {
    return { source: await this.source.next(), target: await this.target.next() };
  }
  get position(): { source: LoaderPosition; target: LoaderPosition } {
    return { source: this.source.position, target: this.target.position };
  }
  restore(p: { source: LoaderPosition; target: LoaderPosition } | { b: LoaderPosition; k: LoaderPosition }): void {
    const [s, t] = 'source' in p ? [p.source, p.target] : [p.b, p.k];
    this.source.restore(s);
    this.target.restore(t);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  dispose(): void {
    this.source.dispose();
    this.target.dispose();
  }
}

/** This rank's rows of both halves of an unpaired batch. */
export const shardUnpaired = (b: UnpairedBatch, dp: DataParallel): UnpairedBatch => ({
  source: shardBatch(b.source, dp),
  target: shardBatch(b.target, dp),
});

export const releaseUnpaired = (b: UnpairedBatch): void => {
  releaseBatch(b.source);
  releaseBatch(b.target);
};

export type AdversarialResult<G> =
  | { nonFinite: false; dLoss: number; generator: G }
  /** overflow: float16 loss scaling overflowed (the scale was lowered): skip the step, it is no error. */
  | { nonFinite: true; dLoss: number; what: string; overflow?: boolean };

export interface AdversarialOptions {
  /** The device whose autocast is suspended for D's backward (mixed precision); 'cpu' default. */
  device?: Device;
  /** float16: D's own loss scaler. */
  scaler?: GradScaler;
  /** Data parallel: D's loss verdict agreed and its gradients averaged over the ranks. */
  dp?: DataParallel;
}

/**
 * D's update, then `generatorLoss` with D frozen. `discLoss` is called with D trainable and must see
 * only detached fakes. Nothing is updated when D's loss or a gradient of D is not finite.
 */
export function adversarialUpdate<G>(
  d: Module,
  dOpt: Adam,
  discLoss: () => Tensor,
  generatorLoss: () => G,
  o: AdversarialOptions = {},
): AdversarialResult<G> {
  d.requiresGrad_(true);
  const loss = discLoss();
  let value = loss.item();
  if (o.dp) value = o.dp.max([Number.isFinite(value) ? 0 : 1])[0] ? NaN : o.dp.mean([value])[0]!;
  if (!Number.isFinite(value)) return { nonFinite: true, dLoss: value, what: 'discriminator loss' };
  dOpt.zeroGrad();
  // Backward outside any autocast region (as in PyTorch); with float16, through the scaled loss.
  withoutAutocast(o.device ?? 'cpu', () => (o.scaler ? o.scaler.scaled(loss) : loss).backward());
  o.dp?.averageGradients([d]);
  const finite = o.scaler ? o.scaler.unscale([d]) : gradsFinite([d]);
  o.scaler?.update(finite);
  if (!finite) {
    dOpt.zeroGrad();
    return { nonFinite: true, dLoss: value, what: 'discriminator gradient', overflow: o.scaler !== undefined };
  }
  dOpt.update();
  d.requiresGrad_(false);
  try {
    return { nonFinite: false, dLoss: value, generator: generatorLoss() };
  } finally {
    d.requiresGrad_(true); // the generator's graph was recorded without D's parameters
  }
}

/**
 * The loop's parts for a GAN: the generator(s) as 'g', stepped by the loop, and the discriminator(s) as
 * 'd', stepped by adversarialUpdate inside the step (the loop schedules and checkpoints both).
 */
export function adversarialParts(g: Module, gOpt: Adam, d: Module, dOpt: Adam, discLrScale = 1): Part[] {
  return [
    { name: 'g', model: g, optimizer: gOpt },
    { name: 'd', model: d, optimizer: dOpt, selfUpdated: true, lrScale: discLrScale },
  ];
}
