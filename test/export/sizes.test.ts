// Fitting size-dependent integers to a·⌈D/q⌉ + b·D + c over traced input shapes (closed forms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalSize, fitSize } from '../../src/export/sizes.js';
import { TRACE_SIZES } from '../../src/export/onnx.js';

const shapes = TRACE_SIZES.map(([n, h, w]) => [n, 3, h, w]);
const fit = (f: (s: number[]) => number) => fitSize(shapes.map(f), shapes);
const check = (f: (s: number[]) => number): void => {
  const e = fit(f);
  assert.ok(e !== null, 'fitted');
  for (const [n, h, w] of [
    [1, 64, 64],
    [5, 1, 1000],
    [2, 127, 33],
    [1, 16, 17],
  ])
    assert.equal(typeof e === 'number' ? e : evalSize(e, [n!, 3, h!, w!]), f([n!, 3, h!, w!]));
};

test('constants, the batch, halved and doubled sizes', () => {
  assert.equal(
    fit(() => 7),
    7,
  );
  check((s) => s[0]!);
  check((s) => 2 * s[2]! + 1);
  check((s) => Math.ceil(s[3]! / 4));
  check((s) => Math.ceil(s[2]! / 16) * 2);
});

test('padding to a multiple and the padded size, for every multiple the models use', () => {
  for (const m of [2, 4, 8, 16]) {
    check((s) => (m - (s[3]! % m)) % m);
    check((s) => s[2]! + ((m - (s[2]! % m)) % m));
  }
});

test('a product of sizes follows no expression', () => {
  assert.equal(
    fit((s) => s[2]! * s[3]!),
    null,
  );
  assert.equal(
    fit((s) => s[2]! + s[3]!),
    null,
  );
});
