// Comparing two models' weights, key by key.
import assert from 'node:assert/strict';
import { noGrad, scope } from '../../src/tensor/index.js';
import type { Module } from '../../src/nn/module.js';

/** The largest absolute difference between the two models' tensors; both must have the same keys. */
export function maxWeightDiff(a: Module, b: Module): number {
  const sa = a.stateDict(),
    sb = b.stateDict();
  assert.deepEqual([...sa.keys()].sort(), [...sb.keys()].sort(), 'the two models have the same parameter names');
  let diff = 0;
  for (const [k, t] of sa)
    diff = Math.max(
      diff,
      noGrad(() => scope(() => t.sub(sb.get(k)!).abs().max().item())),
    );
  return diff;
}
