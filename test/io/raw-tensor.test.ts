import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  bfloat16BitsToNumber,
  float16BitsToNumber,
  itemSize,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  numel,
  rawFromNumbers,
  rawToBigInt64Array,
  rawToFloat64Array,
  swapBytesInPlace,
} from '../../src/io/raw-tensor.js';

describe('raw tensors', () => {
  test('itemSize and numel', () => {
    assert.deepEqual(
      ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'].map((d) => itemSize(d as 'int8')),
      [4, 8, 2, 2, 8, 4, 2, 1, 1, 1],
    );
    assert.equal(numel([]), 1);
    assert.equal(numel([2, 0, 5]), 0);
    assert.equal(numel([2, 3, 4]), 24);
    assert.throws(() => numel([2, -1]), /invalid dimension -1/);
  });

  test('float16 decoding of special values', () => {
    assert.equal(float16BitsToNumber(0x3c00), 1);
    assert.equal(float16BitsToNumber(0x7bff), 65504);
    assert.equal(float16BitsToNumber(0x0001), 2 ** -24);
    assert.equal(float16BitsToNumber(0x0400), 2 ** -14);
    assert.equal(float16BitsToNumber(0xfc00), -Infinity);
    assert.ok(Number.isNaN(float16BitsToNumber(0x7e00)));
    assert.ok(Object.is(float16BitsToNumber(0x8000), -0));
  });

  test('float16 and bfloat16 encoding rounds to nearest, ties to even', () => {
    const cases16: [number, number][] = [
      [1, 0x3c00],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65519.99, 0x7bff],
      [65520, 0x7c00],
      [1e6, 0x7c00],
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000],
      [3 * 2 ** -25, 0x0002],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
      [-0, 0x8000],
      [-2, 0xc000],
      [2 ** -14 - 2 ** -25, 0x0400],
      [NaN, 0x7e00],
    ];
    for (const [x, bits] of cases16) assert.equal(numberToFloat16Bits(x), bits, `float16(${x})`);
    const casesBf: [number, number][] = [
      [1, 0x3f80],
      [1 + 2 ** -8, 0x3f80],
      [1 + 3 * 2 ** -8, 0x3f82],
      [3.140625, 0x4049],
      [-0, 0x8000],
      [3.39e38, 0x7f7f],
      [3.5e38, 0x7f80],
      [2 ** -133, 0x0001],
      [NaN, 0x7fc0],
    ];
    for (const [x, bits] of casesBf) assert.equal(numberToBfloat16Bits(x), bits, `bfloat16(${x})`);
  });

  test('every non-NaN 16-bit pattern survives decode then encode', () => {
    for (let b = 0; b < 0x10000; b++) {
      const h = float16BitsToNumber(b);
      if (!Number.isNaN(h)) assert.equal(numberToFloat16Bits(h), b);
      const bf = bfloat16BitsToNumber(b);
      if (!Number.isNaN(bf)) assert.equal(numberToBfloat16Bits(bf), b);
    }
  });

  test('bfloat16 agrees with truncating a float32 when exact', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (const x of [1.5, -2.75, 1e-38, 6.5e4, 123456]) {
      f[0] = bfloat16BitsToNumber(numberToBfloat16Bits(x));
      assert.equal(u[0]! & 0xffff, 0);
      assert.equal(u[0]! >>> 16, numberToBfloat16Bits(x));
    }
  });

  test('rawFromNumbers / rawToFloat64Array / rawToBigInt64Array', () => {
    const t = rawFromNumbers('int64', [3], [-5, 2n ** 62n, 7]);
    assert.deepEqual(Array.from(rawToBigInt64Array(t)), [-5n, 2n ** 62n, 7n]);
    assert.deepEqual(Array.from(rawToFloat64Array(rawFromNumbers('bool', [3], [1, 0, 5]))), [1, 0, 1]);
    assert.deepEqual(Array.from(rawToFloat64Array(rawFromNumbers('float16', [2], [0.1, 3]))), [0.0999755859375, 3]);
    assert.throws(() => rawFromNumbers('uint8', [1], [256]), /256 is not a valid uint8 value/);
    assert.throws(() => rawFromNumbers('int64', [1], [2n ** 63n]), /out of range for int64/);
    assert.throws(() => rawFromNumbers('int8', [2], [1]), /needs 2 values, got 1/);
    assert.throws(() => rawToFloat64Array({ dtype: 'float32', shape: [2], data: new Uint8Array(4) }), /needs 8 bytes but has 4/);
  });

  test('swapBytesInPlace', () => {
    const b = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    swapBytesInPlace(b, 4);
    assert.deepEqual(b, Uint8Array.of(4, 3, 2, 1, 8, 7, 6, 5));
    swapBytesInPlace(b, 8);
    assert.deepEqual(b, Uint8Array.of(5, 6, 7, 8, 1, 2, 3, 4));
  });
});
