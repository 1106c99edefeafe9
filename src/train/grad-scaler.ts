// Loss scaling for float16 training (as torch.cuda.amp.GradScaler): the loss is multiplied by a scale
// before backward so that small float16 gradients do not flush to zero; the gradients are divided by it
// before the optimiser step. An overflow (a non-finite gradient) skips the step and halves the scale;
// every `interval` good steps the scale doubles. Its state goes into checkpoints for exact resume.
import { noGrad, type Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { gradsFinite } from './finite.js';

export interface ScalerState {
  scale: number;
  good: number;
}

export class GradScaler {
  scale: number;
  private good = 0;

  constructor(
    init = 2 ** 16,
    private readonly growth = 2,
    private readonly backoff = 0.5,
    private readonly interval = 2000,
  ) {
    this.scale = init;
  }

  /** The loss to back-propagate: loss × scale. */
  scaled(loss: Tensor): Tensor {
    return loss.mul(this.scale);
  }

  /** Divides every gradient of `models` by the scale; whether they are all finite. */
  unscale(models: readonly Module[]): boolean {
    noGrad(() => {
      for (const m of models) for (const p of m.parameters()) p.grad?.mul_(1 / this.scale);
    });
    return gradsFinite(models);
  }

  /** After a step: an overflow halves the scale, `interval` good steps in a row double it. */
  update(finite: boolean): void {
    if (!finite) {
      this.scale *= this.backoff;
      this.good = 0;
    } else if (++this.good % this.interval === 0) {
      this.scale *= this.growth;
    }
  }

  get state(): ScalerState {
    return { scale: this.scale, good: this.good };
  }

  restore(s: ScalerState): void {
    this.scale = s.scale;
    this.good = s.good;
  }
}
