// Blur score: variance of the Laplacian of the luminance.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { laplacianVariance, laplacianVarianceBatch, sortByBlur } from '../../../src/data/datasets/blur-score.js';
import { F, full, liveTensors, rand, scope, stack, tensor, type Tensor } from '../../../src/tensor/index.js';

/** A [3, n, n] checkerboard of `cell`-pixel squares. */
function checkerboard(n: number, cell: number): Tensor {
  const v = new Float32Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) v[y * n + x] = (Math.floor(x / cell) + Math.floor(y / cell)) % 2;
  return tensor(v, { shape: [1, n, n] }).expand([3, n, n]);
}

/** A box blur of size k (replicate padding). */
function boxBlur(img: Tensor, k: number): Tensor {
  const p = (k - 1) / 2;
  return F.avgPool2d(F.pad(img.unsqueeze(0), [p, p, p, p], 'replicate'), k, { stride: 1 }).squeeze(0);
}

function leakFree(fn: () => void): void {
  const before = liveTensors();
  scope(fn);
  assert.equal(liveTensors(), before, 'live tensors');
}

describe('laplacianVariance', () => {
  test('a sharp checkerboard scores higher than its blurred versions; a flat image scores ~0', () => leakFree(() => {
    const sharp = checkerboard(32, 4);
    const s0 = laplacianVariance(sharp);
    const s1 = laplacianVariance(boxBlur(sharp, 3));
    const s2 = laplacianVariance(boxBlur(sharp, 5));
    assert.ok(s0 > s1 && s1 > s2 && s2 > 0, `${s0} > ${s1} > ${s2} > 0`);
    assert.ok(laplacianVariance(full([3, 16, 16], 0.37)) < 1e-12);
    // The value itself, against the definition computed in plain JS.
    const ref = directScore(sharp);
    assert.ok(Math.abs(s0 - ref) < 1e-5 * ref, `${s0} vs ${ref}`);
  }));

  test('the batched version gives one score per image, equal to the single one', () => leakFree(() => {
    const a = checkerboard(24, 3), b = boxBlur(a, 3), c = rand([3, 24, 24]);
    const scores = laplacianVarianceBatch(stack([a, b, c]));
    assert.deepEqual([...scores.shape], [3]);
    const v = scores.toNumbers();
    [a, b, c].forEach((x, i) => assert.ok(Math.abs(v[i]! - laplacianVariance(x)) < 1e-6));
    const grey = laplacianVarianceBatch(stack([a, b]).narrow(1, 0, 1));
    assert.ok(Math.abs(grey.toNumbers()[0]! - v[0]!) < 1e-6);
  }));

  test('bad shapes are errors', () => leakFree(() => {
    assert.throws(() => laplacianVariance(rand([4, 8, 8])), /expected \[3, H, W\]/);
    assert.throws(() => laplacianVariance(rand([3, 2, 8])), /at least 3×3/);
    assert.throws(() => laplacianVarianceBatch(rand([3, 8, 8])), /expected \[N, 3, H, W\]/);
  }));
});

describe('sortByBlur', () => {
  test('orders from sharpest (highest score) to blurriest; ties keep order; NaN last', () => {
    assert.deepEqual(sortByBlur([0.1, 5, 2, NaN, 5, 0]), [1, 4, 2, 0, 5, 3]);
    assert.deepEqual(sortByBlur(new Float32Array([1, 3, 2])), [1, 2, 0]);
    assert.deepEqual(sortByBlur([]), []);
  });
});

/** The score computed in plain JS (luminance, 4-neighbour Laplacian without padding, population variance). */
function directScore(img: Tensor): number {
  const [, h, w] = img.shape as [number, number, number];
  const d = img.contiguous().toNumbers();
  const Y = (y: number, x: number): number => 0.299 * d[y * w + x]! + 0.587 * d[h * w + y * w + x]! + 0.114 * d[2 * h * w + y * w + x]!;
  const vals: number[] = [];
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) vals.push(Y(y - 1, x) + Y(y + 1, x) + Y(y, x - 1) + Y(y, x + 1) - 4 * Y(y, x));
  const m = vals.reduce((a, b) => a + b, 0) / vals.length;
  return vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length;
}
