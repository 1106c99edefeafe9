// The translator's denoising term in closed form with an identity G (G(x) = x): the camera's noise field
// on the known-blur crops, and with a JPEG range the same noisy crops written as JPEG at qualities drawn,
// after the field, from the same step-keyed stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, arange, liveTensors, randn, scope } from '../../src/tensor/index.js';
import { buildTranslator } from '../../src/models/index.js';
import { NoiseBank } from '../../src/data/datasets/noise-bank.js';
import { jpegCompress } from '../../src/data/jpeg.js';
import { keyedRng } from '../../src/data/datasets/loader.js';
import { denoiseLoss } from '../../src/train/translator-step.js';

test('the denoising term: |field + k − k| with an identity G; through JPEG at the drawn qualities', () => {
  const before = liveTensors();
  scope(() => {
    using g = buildTranslator('mimo-unet-small').initIdentity();
    const flat = arange(0, 64)
      .div(64 * 4)
      .reshape([1, 1, 64])
      .expand([3, 64, 64])
      .add(0.3);
    using bank = NoiseBank.fromImages([flat.add(randn([3, 64, 64], { generator: new Generator(1) }).mul(0.02))], { keep: 1 });
    const k = flat.add(0.1).unsqueeze(0).expand([2, 3, 64, 64]).contiguous();
    const plain = denoiseLoss(g, k, bank, keyedRng(0, 7717, 5)).item();
    const rng = keyedRng(0, 7717, 5);
    const noisy = k.add(bank.field(k, rng)).clamp(0, 1);
    assert.ok(Math.abs(plain - noisy.sub(k).abs().mean().item()) < 1e-6, `${plain}`);
    const withJpeg = denoiseLoss(g, k, bank, keyedRng(0, 7717, 5), [10, 20]);
    const qs = [rng.int(10, 21), rng.int(10, 21)];
    const expected = jpegCompress(noisy, qs).sub(k).abs().mean().item();
    assert.ok(Math.abs(withJpeg.item() - expected) < 1e-6, `${withJpeg.item()} vs ${expected} (qualities ${qs.join(', ')})`);
    assert.notEqual(withJpeg.item(), plain);
  });
  assert.equal(liveTensors(), before);
});
