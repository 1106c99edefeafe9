// Model parity fixtures (scripts/gen_model_fixtures.py): sampled outputs and how to compare them.
import assert from 'node:assert/strict';
import { Generator, rand, type Tensor } from '../../src/tensor/index.js';

export interface Sampled {
  shape: number[];
  sum: number;
  sumsq: number;
  stride: number;
  data: number[];
}

/** [shape, seed] → the same uniform input the generator drew. */
export function seededInput([shape, seed]: [number[], number]): Tensor {
  return rand(shape, { generator: new Generator(seed) });
}

/** Output matches to 1e-4 relative (to the largest expected magnitude), at every stored position. */
export function assertMatches(actual: Tensor, exp: Sampled, what: string, rel = 1e-4): void {
  assert.deepEqual([...actual.shape], exp.shape, `${what}: shape`);
  const a = actual.toFloat32Array();
  const scale = Math.max(...exp.data.map(Math.abs), 1e-12);
  let worst = 0;
  exp.data.forEach((e, i) => {
    worst = Math.max(worst, Math.abs(a[i * exp.stride]! - e) / scale);
  });
  assert.ok(worst <= rel, `${what}: largest relative difference ${worst.toExponential(2)} > ${rel}`);
  let sum = 0;
  for (const v of a) sum += v;
  const sumScale = Math.max(Math.abs(exp.sum), Math.sqrt(exp.sumsq), 1e-12);
  assert.ok(Math.abs(sum - exp.sum) / sumScale <= rel, `${what}: sum ${sum} vs ${exp.sum}`);
}
