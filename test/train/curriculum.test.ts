// Curriculum by blur degree: the least blurred images of a batch come first; the whole batch later.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { F, Generator, cat, rand, scope } from '../../src/tensor/index.js';
import { curriculumBatch, curriculumFraction, easiestIndices } from '../../src/train/curriculum.js';

describe('curriculum', () => {
  test('the fraction is the start share until fullAfter, then 1; off is always 1', () => {
    const c = { startFraction: 0.5, fullAfter: 100 };
    assert.equal(curriculumFraction(c, 0), 0.5);
    assert.equal(curriculumFraction(c, 99), 0.5);
    assert.equal(curriculumFraction(c, 100), 1);
    assert.equal(curriculumFraction(null, 0), 1);
  });

  test('the easiest half is the least blurred images, sharpest first', () => {
    scope(() => {
      const g = new Generator(5);
      const box = (x: ReturnType<typeof rand>, k: number) =>
        k === 1 ? x : F.avgPool2d(F.pad(x, [k >> 1, k >> 1, k >> 1, k >> 1], 'replicate'), k, { stride: 1 });
      const base = rand([1, 3, 32, 32], { generator: g });
      // blur sizes per batch position: 7, 1, 5, 3 → sharpest order 1 (k1), 3 (k3), 2 (k5), 0 (k7)
      const batch = cat(
        [7, 1, 5, 3].map((k) => box(base, k)),
        0,
      );
      assert.deepEqual(easiestIndices(batch, 0.5), [1, 3]);
      assert.deepEqual(easiestIndices(batch, 1), [1, 3, 2, 0]);
      const c = { startFraction: 0.5, fullAfter: 10 };
      const early = curriculumBatch(c, batch, 0);
      assert.deepEqual(early.shape, [2, 3, 32, 32]);
      assert.equal(early.sub(batch.select(0, 1)).select(0, 0).abs().max().item(), 0);
      assert.equal(curriculumBatch(c, batch, 10), batch);
    });
  });
});
