// The translator's content losses: the low-pass fallback keeps colour and content but lets blur change;
// VGG losses refuse to run on random weights unless asked by name, and name their layers and weights.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { F, Generator, manualSeed, rand, scope, tensor } from '../../src/tensor/index.js';
import { contentLoss, VGG16_OFFICIAL_LAYERS } from '../../src/losses/perceptual.js';

const { gaussianBlur, gaussianKernel1d } = F;
import { inputScales } from '../../src/train/translator.js';

describe('content losses', () => {
  test('the Gaussian kernel sums to 1 and the blur keeps a constant image', () => {
    const k = gaussianKernel1d(2);
    assert.equal(k.length, 13);
    assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    scope(() => {
      const c = tensor([0.3, 0.6, 0.9]).view([1, 3, 1, 1]).expand([1, 3, 16, 16]).contiguous();
      assert.ok(gaussianBlur(c, 2).sub(c).abs().max().item() < 1e-6);
    });
  });

  test('lowpass: zero for the same image, small for a blur change, large for a colour change', () => {
    scope(() => {
      const g = new Generator(3);
      const low = rand([2, 3, 8, 8], { generator: g });
      const x = F.interpolate(low, { size: [64, 64], mode: 'bilinear' })
        .add(rand([2, 3, 64, 64], { generator: g }).mul(0.2))
        .clamp(0, 1);
      const blurred = F.avgPool2d(F.pad(x, [1, 1, 1, 1], 'replicate'), 3, { stride: 1 }); // a 3×3 box blur
      const tinted = x.add(0.05);
      const loss = contentLoss('lowpass');
      const at = (y: typeof x): number => loss.loss(inputScales(x), inputScales(y)).item();
      assert.equal(at(x), 0);
      const blur = at(blurred),
        tint = at(tinted);
      assert.ok(blur < tint / 2, `a blur change (${blur}) costs far less than a colour change of 0.05 (${tint})`);
      assert.match(loss.description, /low-pass/);
    });
  });

  test('lowpass-hf: invented high-frequency patterns cost far more than under lowpass alone', () => {
    scope(() => {
      const g = new Generator(4);
      const x = F.interpolate(rand([1, 3, 8, 8], { generator: g }), { size: [64, 64], mode: 'bilinear' });
      const checker = tensor(Array.from({ length: 64 * 64 }, (_, i) => (((i >> 6) + i) % 2 ? 0.1 : -0.1))).view([1, 1, 64, 64]);
      const junk = x.add(checker).clamp(0, 1);
      const plain = contentLoss('lowpass'),
        hf = contentLoss('lowpass-hf');
      const cost = (l: typeof plain, y: typeof x): number => l.loss([x], [y]).item(); // one (full) scale
      assert.equal(cost(hf, x), 0);
      assert.ok(cost(hf, junk) > 5 * cost(plain, junk), `junk: lowpass ${cost(plain, junk)}, lowpass-hf ${cost(hf, junk)}`);
      assert.match(hf.description, /high-frequency energy/);
    });
  });

  test('lowpass-hfcap: removing noise costs only the low-pass term; adding texture costs far more', () => {
    scope(() => {
      const g = new Generator(5);
      const clean = F.interpolate(rand([1, 3, 8, 8], { generator: g }), { size: [64, 64], mode: 'bilinear' });
      const noisy = clean.add(rand([1, 3, 64, 64], { generator: g }).sub(0.5).mul(0.2)).clamp(0, 1);
      const noisier = noisy.add(rand([1, 3, 64, 64], { generator: g }).sub(0.5).mul(0.2)).clamp(0, 1);
      const plain = contentLoss('lowpass'),
        cap = contentLoss('lowpass-hfcap');
      const cost = (l: typeof plain, y: typeof clean): number => l.loss([noisy], [y]).item();
      assert.equal(cost(cap, noisy), 0);
      // Denoising lowers the local high-frequency energy: the one-sided term adds nothing.
      assert.ok(
        Math.abs(cost(cap, clean) - cost(plain, clean)) < 1e-7,
        `denoised: lowpass ${cost(plain, clean)}, hfcap ${cost(cap, clean)}`,
      );
      // More noise raises it: the term dominates.
      assert.ok(cost(cap, noisier) > 5 * cost(plain, noisier), `noisier: lowpass ${cost(plain, noisier)}, hfcap ${cost(cap, noisier)}`);
      assert.match(cap.description, /excess of local high-frequency energy/);
    });
  });

  test('VGG losses need weights unless the random form is named, and say which they use', () => {
    assert.throws(() => contentLoss('vgg19'), /needs ImageNet VGG weights.*--vgg-weights.*lowpass/);
    assert.throws(() => contentLoss('vgg16', { vggWeights: null }), /vgg16-397923af/);
    manualSeed(0);
    const l = contentLoss('vgg16-random');
    try {
      assert.match(l.description, /RANDOM weights/);
      assert.match(l.description, new RegExp(VGG16_OFFICIAL_LAYERS.join(', ')));
      scope(() => {
        const x = rand([1, 3, 32, 32]),
          y = rand([1, 3, 32, 32]).requiresGrad_(true);
        const v = l.loss([x], [y]);
        assert.ok(v.item() > 0);
        v.backward();
        assert.ok(y.grad!.abs().sum().item() > 0, 'gradients reach the output images');
      });
    } finally {
      l.dispose();
    }
  });
});
