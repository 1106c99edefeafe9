// Deterministic weights from a seed, drawn exactly as scripts/gen_model_fixtures.py draws them (same
// libtorch generator): lets parity tests and benchmarks use paper-size networks without weight files.
import { Generator, noGrad, randn, scope } from '../tensor/index.js';
import type { Module } from '../nn/index.js';

/** Fills every floating tensor of the state dict, in order: N(0,1)·0.5/√fan for weights, ·0.1 for vectors. */
export function seedWeights(model: Module, seed: number): void {
  const g = new Generator(seed);
  noGrad(() => {
    for (const [k, v] of model.stateDict()) {
      if (v.dtype !== 'float32' && v.dtype !== 'float64') continue;
      scope(() => {
        const r = randn([...v.shape], { generator: g, dtype: v.dtype });
        if (k.endsWith('running_var')) v.copy_(r.abs().add(0.5));
        else if (v.ndim >= 2) v.copy_(r.mul(0.5 / Math.sqrt(v.numel / v.shape[0]!)));
        else v.copy_(r.mul(0.1));
      });
    }
  });
}
