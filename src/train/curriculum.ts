// Curriculum by blur degree (Blur2Blur §4.1.1): rank each batch of blurry images by the variance of the
// Laplacian (higher = sharper = easier), train on the easiest share first, and widen to the whole batch
// later. The paper starts with the easiest half and uses every image after 200k iterations.
import { noGrad, scope, tensor, type Tensor } from '../tensor/index.js';
import { laplacianVarianceBatch, sortByBlur } from '../data/datasets/blur-score.js';

export interface Curriculum {
  /** Share of each batch used at the start (the easiest ones). */
  startFraction: number;
  /** The step from which the whole batch is used. */
  fullAfter: number;
}

/** The share of a batch used at `step`. */
export function curriculumFraction(c: Curriculum | null, step: number): number {
  return !c || step >= c.fullAfter ? 1 : c.startFraction;
}

/** Indices of the ⌈fraction·N⌉ least blurred images of a batch [N, 3, H, W], easiest first. */
export function easiestIndices(batch: Tensor, fraction: number): number[] {
  const n = batch.shape[0]!;
  const keep = Math.min(n, Math.max(1, Math.ceil(fraction * n)));
  const scores = noGrad(() => scope(() => laplacianVarianceBatch(batch).toNumbers()));
  return sortByBlur(scores).slice(0, keep);
}

/** The batch restricted to its easiest images at `step` (the same tensor when the whole batch is used). */
export function curriculumBatch(c: Curriculum | null, batch: Tensor, step: number): Tensor {
  const f = curriculumFraction(c, step);
  if (f >= 1) return batch;
  const idx = easiestIndices(batch, f);
  return scope(() => batch.indexSelect(0, tensor(idx, { dtype: 'int64' })));
}
