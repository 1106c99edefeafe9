// Fitting a run to its time budget: the length from the measured rate, renewed as the rate changes,
// never beyond the configured steps; schedules keep the shares of their phases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetFit, withTotal } from '../../src/train/budget-fit.js';
import { learningRate } from '../../src/train/schedule.js';

test('the run is fitted after the warm-up, renewed every 100 steps, and capped by its steps', () => {
  // 100 s budget from t = 0; steps take 0.1 s after a slow first step.
  const fit = new BudgetFit(100, 0, 100000, 0);
  const time = (step: number): number => (step === 0 ? 0 : 2000 + (step - 1) * 100); // ms
  const fitted: [number, number][] = [];
  for (let s = 0; s < 400; s++) {
    const n = fit.at(s, time(s));
    if (n !== undefined) fitted.push([s, n]);
  }
  assert.deepEqual(
    fitted.map(([s]) => s),
    [35, 135, 235, 335],
    'first at step 35 (5 warm-up + 30), then every 100',
  );
  // At step 35: 3.4 s + 2 s spent → 96.6 s left at 10 steps/s, 95 % planned → 35 + 917.
  assert.equal(fitted[0]![1], 35 + Math.floor(10 * (100 - time(35) / 1000) * 0.95));
  assert.ok(
    fitted.every(([, n]) => Math.abs(n - fitted[0]![1]) <= 50),
    'a steady rate gives a steady length',
  );
  const capped = new BudgetFit(100, 0, 500, 0);
  for (let s = 0; s <= 35; s++) {
    const n = capped.at(s, time(s));
    if (s === 35) assert.equal(n, 500, 'never beyond the configured steps');
  }
  // A resumed run measures from its own first steps.
  const resumed = new BudgetFit(60, 0, 100000, 1000);
  assert.equal(resumed.at(1005, 0), undefined);
  assert.equal(resumed.at(1035, 3000), 1035 + Math.floor(10 * 57 * 0.95));
});

test('schedules over a fitted length keep their shape', () => {
  assert.deepEqual(withTotal({ kind: 'cosine', total: 40000, min: 1e-7 }, 3641), { kind: 'cosine', total: 3641, min: 1e-7 });
  assert.deepEqual(withTotal({ kind: 'constant-then-linear', constant: 1500, decay: 1500 }, 1000), {
    kind: 'constant-then-linear',
    constant: 500,
    decay: 500,
  });
  assert.deepEqual(withTotal({ kind: 'constant' }, 10), { kind: 'constant' });
  const s = withTotal({ kind: 'constant-then-linear', constant: 1500, decay: 1500 }, 1000);
  assert.ok(learningRate(s, 1, 999) < 0.01, 'the decay ends at the fitted last step');
  assert.equal(learningRate(s, 1, 400), 1);
});
