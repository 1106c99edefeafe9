// Test helpers: fixture paths, golden-value loading and closeness checks.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Tensor, tensor, type DType } from '../../src/tensor/index.js';

/** Repository root (tests run compiled from dist/test/...). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function fixturePath(rel: string): string {
  return `${ROOT}test/fixtures/${rel}`;
}

export interface FixtureTensor {
  shape: number[];
  dtype: string;
  data: number[];
}

export function loadFixture<T>(rel: string): T {
  return JSON.parse(readFileSync(fixturePath(rel), 'utf8')) as T;
}

/** A fixture as a tensor (float64 unless it is an integer/bool fixture or `dtype` says otherwise). */
export function fx(f: FixtureTensor, dtype?: DType): Tensor {
  return tensor(f.data, { shape: f.shape, dtype: dtype ?? 'float64' });
}

/** Asserts same shape and |a-b| <= atol + rtol·|b| elementwise. */
export function assertClose(actual: Tensor, expected: FixtureTensor | Tensor, { atol = 1e-9, rtol = 1e-7 } = {}, what = ''): void {
  const expShape = expected instanceof Tensor ? [...expected.shape] : expected.shape;
  const complex = actual.dtype === 'complex64' || actual.dtype === 'complex128';
  const shape = complex ? [...actual.shape, 2] : [...actual.shape]; // complex fixtures are (re, im) pairs
  assert.deepEqual(shape, expShape, `${what}: shape`);
  const a = actual.toNumbers();
  const e = expected instanceof Tensor ? expected.toNumbers() : expected.data;
  assert.equal(a.length, e.length, `${what}: element count`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i]! - e[i]!) - (atol + rtol * Math.abs(e[i]!));
    if (!(err <= 0) && (at < 0 || err > worst)) {
      worst = err;
      at = i;
    }
  }
  if (at >= 0) assert.fail(`${what}: element ${at} is ${a[at]}, expected ${e[at]}`);
}
