// The finite-gradient check every optimiser step goes through (the training loop, the discriminator's
// update, loss scaling).
import { noGrad, scope, stack, type Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';

/** Whether every gradient is finite: one sum per gradient, one read (one device sync) for all. */
export function gradsFinite(models: readonly Module[]): boolean {
  return noGrad(() =>
    scope(() => {
      const sums: Tensor[] = [];
      for (const m of models)
        for (const p of m.parameters()) {
          const g = p.grad;
          if (g) sums.push(g.sum());
        }
      return sums.length === 0 || Number.isFinite(stack(sums).sum().item());
    }),
  );
}
