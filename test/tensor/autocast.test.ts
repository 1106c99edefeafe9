// Autocast: convolutions in bfloat16 inside a region, float32 outside and after; regions nest and
// restore the state they found; backward-style work can suspend it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, autocast, autocastState, rand, scope, withoutAutocast } from '../../src/tensor/index.js';

test('a convolution runs in bfloat16 inside autocast, float32 outside; the state is restored', () => {
  scope(() => {
    const x = rand([1, 3, 8, 8]),
      w = rand([4, 3, 3, 3]);
    assert.equal(F.conv2d(x, w).dtype, 'float32');
    const before = autocastState('cpu');
    assert.equal(before.enabled, false);
    const inner = autocast('cpu', 'bfloat16', () => {
      const y = F.conv2d(x, w);
      const nested = autocast('cpu', 'bfloat16', () => F.conv2d(x, w).dtype);
      assert.equal(autocastState('cpu').enabled, true, 'still on after the nested region');
      const suspended = withoutAutocast('cpu', () => F.conv2d(x, w).dtype);
      return [y.dtype, nested, suspended, y.float().sub(F.conv2d(x, w).float()).abs().max().item()];
    });
    assert.deepEqual(inner.slice(0, 3), ['bfloat16', 'bfloat16', 'float32']);
    assert.ok((inner[3] as number) === 0, 'the same bfloat16 result inside the region');
    assert.deepEqual(autocastState('cpu'), before);
    assert.equal(F.conv2d(x, w).dtype, 'float32');
  });
  assert.throws(() => autocast('cpu', 'bfloat16', () => Promise.resolve(1)), /autocast regions are synchronous/);
  assert.equal(autocastState('cpu').enabled, false, 'restored after the error');
});
