// NAFNet's test-time local converter (TLC): the local mean against a direct average pooling, and the
// model unchanged wherever the window covers the whole feature map.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { F, Generator, manualSeed, noGrad, rand, scope, type Tensor } from '../../src/tensor/index.js';
import { NAFNet, localMeanNHWC } from '../../src/models/nafnet.js';

const maxDiff = (a: Tensor, b: Tensor): number => noGrad(() => scope(() => a.sub(b).abs().max().item()));

describe('TLC', () => {
  test('localMeanNHWC is a k×k average pool over valid windows, edge-replicated to the input size', () =>
    noGrad(() =>
      scope(() => {
        const x = rand([2, 9, 11, 3], { generator: new Generator(1) });
        for (const [k0, k1] of [
          [3, 3],
          [4, 5],
          [9, 2],
        ] as const) {
          const nchw = x.permute([0, 3, 1, 2]);
          const valid = F.avgPool2d(nchw, [k0, k1], { stride: 1 }); // [2, 3, 9−k0+1, 11−k1+1]
          const [oh, ow] = [9 - k0 + 1, 11 - k1 + 1];
          const want = F.pad(valid, [(11 - ow) >> 1, (11 - ow + 1) >> 1, (9 - oh) >> 1, (9 - oh + 1) >> 1], 'replicate').permute([
            0, 2, 3, 1,
          ]);
          const got = localMeanNHWC(x, k0, k1);
          assert.deepEqual(got.shape, [2, 9, 11, 3]);
          assert.ok(maxDiff(got, want) < 1e-5, `${k0}×${k1}`);
        }
        assert.ok(
          maxDiff(localMeanNHWC(x, 20, 20), x.mean([1, 2], { keepdim: true })) < 1e-6,
          'a window larger than the map is the global mean',
        );
      }),
    ));

  test('the model changes only where the window is smaller than the image', () =>
    noGrad(() =>
      scope(() => {
        manualSeed(4);
        const m = new NAFNet({ width: 8, encBlocks: [1, 1], middleBlocks: 1, decBlocks: [1, 1] });
        for (const [k, v] of m.stateDict()) if (/\.(beta|gamma)$/.test(k)) v.fill_(1); // open the residual branches (default init elsewhere)
        m.eval();
        // Dark left half, red right half: local means differ from the global one.
        const x = rand([1, 3, 32, 32], { generator: new Generator(2) }).mul(0.2);
        x.slice(1, 0, 1).slice(3, 16, 32).add_(0.8); // red only: a per-pixel layer norm removes a grey step
        const global = m.forward(x);
        assert.ok(maxDiff(m.useLocalPooling(32).forward(x), global) < 1e-6, 'a 48-pixel window covers a 32-pixel image');
        const local = m.useLocalPooling(8).forward(x);
        assert.ok(maxDiff(local, global) > 1e-4, 'a 12-pixel window pools locally');
        assert.ok(maxDiff(m.useLocalPooling(null).forward(x), global) === 0, 'null restores global pooling');
        m.dispose();
      }),
    ));
});
