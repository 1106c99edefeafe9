// PSNR and SSIM against values known by hand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, full, rand, randn, scope } from '../../src/tensor/index.js';
import { psnrPerImage } from '../../src/eval/psnr.js';
import { ssimPerImage } from '../../src/eval/ssim.js';
import { summarise } from '../../src/eval/pipeline.js';

describe('metrics', () => {
  test('identical images: PSNR capped at 100 dB, SSIM 1; every image counts in the mean', () => {
    scope(() => {
      const x = rand([2, 3, 32, 32], { generator: new Generator(1) });
      assert.deepEqual(psnrPerImage(x, x), [100, 100]);
      assert.ok(psnrPerImage(x, x.add(1e-4))[0]! <= 100, 'near-identical images never exceed the cap');
      for (const v of ssimPerImage(x, x)) assert.ok(Math.abs(v - 1) < 1e-6);
    });
    const s = summarise([
      { image: 'a', psnr: 100, ssim: 1, input_psnr: 20, input_ssim: 0.5 },
      { image: 'b', psnr: 30, ssim: 0.9, input_psnr: 22, input_ssim: 0.7 },
    ]);
    assert.equal(s.images, 2);
    assert.equal(s.psnr, 65);
    assert.equal(s.ssim, 0.95);
    assert.equal(s.input_psnr, 21);
  });

  test('a known noise level gives the textbook PSNR', () => {
    scope(() => {
      const x = full([1, 3, 128, 128], 0.5),
        noise = randn([1, 3, 128, 128], { generator: new Generator(2) }).mul(0.01);
      const p = psnrPerImage(x.add(noise), x)[0]!;
      const mse = noise.square().mean().item();
      assert.ok(Math.abs(p - -10 * Math.log10(mse)) < 1e-4);
      assert.ok(Math.abs(p - 40) < 0.1, `σ 0.01 → 40 dB, got ${p}`);
    });
  });

  test('SSIM of two constant images is (2ab + C1) / (a² + b² + C1)', () => {
    scope(() => {
      const a = 0.3,
        b = 0.6,
        C1 = 1e-4;
      const v = ssimPerImage(full([3, 16, 16], a), full([3, 16, 16], b))[0]!;
      assert.ok(Math.abs(v - (2 * a * b + C1) / (a * a + b * b + C1)) < 1e-4, `${v}`);
      assert.throws(() => ssimPerImage(full([3, 8, 8], a), full([3, 8, 8], b)), /at least 11×11/);
    });
  });
});
