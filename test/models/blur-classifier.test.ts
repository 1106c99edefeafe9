// The blur-domain classifier: a logit per image that ignores the tile's brightness and contrast, and
// parameter names as torch.nn.Sequential would give them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, noGrad, rand, scope } from '../../src/tensor/index.js';
import { BlurClassifier } from '../../src/models/index.js';

describe('BlurClassifier', () => {
  test('a logit per image, the same for any brightness and contrast of the tile; torch.nn.Sequential key names', () => {
    using clf = new BlurClassifier();
    noGrad(() =>
      scope(() => {
        const x = rand([2, 3, 32, 32], { generator: new Generator(3) }).mul(0.5);
        const z = clf.forward(x);
        assert.deepEqual(z.shape, [2]);
        const moved = clf.forward(x.mul(1.7).add(0.1));
        // (a·x + b − mean)/std is x's standardisation; only the 0.02 floor on the std differs.
        assert.ok(z.sub(moved).abs().max().item() < 0.05 * (1 + z.abs().max().item()));
      }),
    );
    const keys = [...clf.stateDict().keys()];
    assert.deepEqual(keys.slice(0, 2), ['features.0.weight', 'features.0.bias']);
    assert.deepEqual(keys.slice(-2), ['head.weight', 'head.bias']);
  });
});
