// Errors are readable JS errors carrying libtorch's message, never crashes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { F, fromArray, randn, scope, tensor, zeros } from '../../src/tensor/index.js';
import { aten } from '../../src/tensor/aten.js';

describe('errors', () => {
  test('conv2d with mismatched channels', () => {
    scope(() => {
      assert.throws(
        () => F.conv2d(randn([1, 3, 8, 8]), randn([4, 5, 3, 3])),
        (e: unknown) =>
          e instanceof Error && /expected input\[1, 3, 8, 8\] to have 5 channels/.test(e.message) && !/frame #/.test(e.message),
      );
    });
  });
  test('use after dispose', () => {
    const t = tensor([1, 2]);
    t.dispose();
    assert.throws(() => t.add(1), /tensor used after dispose\(\)/);
    assert.throws(() => t.shape, /tensor used after dispose\(\)/);
    t.dispose(); // twice is fine
  });
  test('wrong argument types name the operator and argument', () => {
    scope(() => {
      const conv = aten('conv2d');
      assert.throws(() => conv(randn([1, 1, 3, 3]).h, 'weight'), /aten::conv2d: argument 'weight' must be a tensor/);
      assert.throws(() => randn([1, 1, 3, 3]).reshape([2.5]), /argument 'shape' must be an integer/);
      assert.throws(() => aten('no_such_op')(), /unknown operator aten::no_such_op/);
    });
  });
  test('shape and data mismatches', () => {
    scope(() => {
      assert.throws(() => fromArray(new Float32Array(5), [2, 3]), /20 bytes given for shape \[2, 3\] of float32, which needs 24/);
      assert.throws(() => zeros([2, 3]).view([4]), /shape '\[4\]' is invalid for input of size 6/);
      assert.throws(() => zeros([2]).item(), /exactly one element/);
      assert.throws(() => zeros([2, 3]).matmul(zeros([2, 3])), /cannot be multiplied/);
    });
  });
});
