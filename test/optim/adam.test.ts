// Adam/AdamW: seven steps equal torch.optim's; state save/restore continues the same trajectory.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { scope, type Tensor } from '../../src/tensor/index.js';
import { Adam, AdamW } from '../../src/optim/index.js';
import { assertClose, fx, loadFixture, type FixtureTensor } from '../helpers/fixtures.js';

const { optim } = loadFixture<{ optim: Record<string, Record<string, FixtureTensor>> }>('nn.json');

function run(kind: 'adam' | 'adamw', steps: number, resumeAt?: number): { w: Tensor; b: Tensor; opt: Adam } {
  const f = optim[kind]!;
  const w = fx(f.w0!).keep().requiresGrad_(true);
  const b = fx(f.b0!).keep().requiresGrad_(true);
  const x = fx(f.x!).keep();
  const target = fx(f.target!).keep();
  const make = (): Adam =>
    kind === 'adam'
      ? new Adam([w, b], { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 })
      : new AdamW([w, b], { lr: 0.01, weightDecay: 0.1 });
  let opt = make();
  for (let i = 0; i < steps; i++) {
    if (i === resumeAt) {
      // Save, throw the optimiser away, restore into a new one.
      const saved = scope(() => {
        const s = opt.state();
        return { ...s, expAvg: s.expAvg.map((t) => t.clone().keep()), expAvgSq: s.expAvgSq.map((t) => t.clone().keep()) };
      });
      opt.dispose();
      opt = make();
      opt.loadState(saved);
      for (const t of [...saved.expAvg, ...saved.expAvgSq]) t.dispose();
    }
    scope(() => {
      opt.zeroGrad();
      x.matmul(w).add(b).sub(target).square().mean().backward();
      opt.update();
    });
  }
  x.dispose();
  target.dispose();
  return { w, b, opt };
}

describe('Adam and AdamW', () => {
  for (const kind of ['adam', 'adamw'] as const) {
    test(`${kind}: 7 steps equal torch.optim`, () => {
      const f = optim[kind]!;
      const { w, b, opt } = run(kind, 7);
      assertClose(w, f.w!, { atol: 1e-12, rtol: 1e-10 }, 'w');
      assertClose(b, f.b!, { atol: 1e-12, rtol: 1e-10 }, 'b');
      assertClose(opt.state().expAvg[0]!, f.exp_avg_w!, { atol: 1e-12, rtol: 1e-10 }, 'exp_avg');
      assertClose(opt.state().expAvgSq[1]!, f.exp_avg_sq_b!, { atol: 1e-12, rtol: 1e-10 }, 'exp_avg_sq');
      assert.equal(opt.step, 7);
      opt.dispose();
      w.dispose();
      b.dispose();
    });
    test(`${kind}: restoring saved state at step 4 gives the same weights at step 7`, () => {
      const f = optim[kind]!;
      const { w, b, opt } = run(kind, 7, 4);
      assertClose(w, f.w!, { atol: 1e-12, rtol: 1e-10 }, 'w');
      assertClose(b, f.b!, { atol: 1e-12, rtol: 1e-10 }, 'b');
      opt.dispose();
      w.dispose();
      b.dispose();
    });
  }
  test('no parameters is a clear error', () => {
    assert.throws(() => new Adam([]), /Adam: no parameters to optimise/);
  });
});
