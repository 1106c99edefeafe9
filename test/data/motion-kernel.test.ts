// Random linear motion kernels (the synthetic-blur baseline).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { full, scope } from '../../src/tensor/index.js';
import { Rng } from '../../src/data/rng.js';
import { applyKernel, motionKernel, randomMotionKernel } from '../../src/data/motion-kernel.js';

describe('motion kernels', () => {
  test('a horizontal line: unit sum, weight on the centre row only, odd size', () => {
    const k = motionKernel(7, 0, 0);
    assert.equal(k.size, 7);
    assert.ok(Math.abs(k.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) if (y !== 3) assert.ok(k.weights[y * 7 + x]! < 1e-12);
    const row = k.weights.slice(21, 28);
    assert.ok(Math.abs(row[0]! - row[6]!) < 1e-9, 'direction 0 is symmetric');
    const ramp = motionKernel(7, 0, 1).weights.slice(21, 28);
    assert.ok(ramp[6]! > ramp[0]!, 'direction 1 weights the far end');
  });

  test('random kernels vary with the stream and keep a flat image flat', () => {
    const a = randomMotionKernel(new Rng(1), { length: [3, 15], direction: 1 });
    const b = randomMotionKernel(new Rng(2), { length: [3, 15], direction: 1 });
    assert.notDeepEqual(a.weights, b.weights);
    scope(() => {
      const flat = full([3, 20, 20], 0.4);
      assert.ok(applyKernel(flat, a).sub(flat).abs().max().item() < 1e-6);
    });
  });
});
