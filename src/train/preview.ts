// The validation pass every trainer shares: its models in eval mode, the metrics and the stacks of a
// sample grid computed without gradients, the grid written as the run's sample for that step, and the
// models back in train mode whatever happened.
import { noGrad, scope, type Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { writeImage } from '../data/image.js';
import type { RunDir } from './run.js';
import { sampleGrid } from './validation-data.js';

export interface Preview {
  metrics: Record<string, number>;
  /** Stacks [N, 3, H, W] shown side by side, one row per image (blurry | output | sharp, …). */
  columns: Tensor[];
}

/** Runs `fn` with `models` in eval mode, and puts them back in train mode whatever happens. */
export function inEvalMode<T>(models: readonly Module[], fn: () => T): T {
  for (const m of models) m.eval();
  try {
    return fn();
  } finally {
    for (const m of models) m.train();
  }
}

/** Runs `compute` with `models` in eval mode; writes the first `rows` images of its columns as run.sample(step). */
export async function validationPreview(
  run: RunDir,
  step: number,
  models: readonly Module[],
  rows: number,
  compute: () => Preview,
): Promise<Record<string, number>> {
  const r = inEvalMode(models, () =>
    noGrad(() =>
      scope(() => {
        const p = compute();
        return { metrics: p.metrics, grid: sampleGrid(p.columns, rows) };
      }),
    ),
  );
  try {
    await writeImage(run.sample(step), r.grid);
  } finally {
    r.grid.dispose();
  }
  return r.metrics;
}
