// Model behaviour beyond parity: odd input sizes, clear input errors, train/eval modes, and no leaked
// tensors after a forward/backward.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, liveTensors, noGrad, rand, randn, scope, zeros } from '../../src/tensor/index.js';
import { KernelWizard, MIMOUNet, NAFNet, PatchGAN, VGGFeatures, seedWeights } from '../../src/models/index.js';
import { saveWeights } from '../../src/io/weights.js';

const g = new Generator(1);

describe('input sizes', () => {
  test('NAFNet pads odd sizes and crops back (250×333)', () => {
    const m = new NAFNet('small').eval();
    noGrad(() => scope(() => assert.deepEqual([...m.forward(rand([1, 3, 250, 333], { generator: g })).shape], [1, 3, 250, 333])));
    m.dispose();
  });
  test('MIMO-UNet: forwardAnySize handles 250×333; forward names the constraint', () => {
    const m = new MIMOUNet('small').eval();
    noGrad(() =>
      scope(() => {
        const x = rand([1, 3, 250, 333], { generator: g });
        const outs = m.forwardAnySize(x);
        assert.deepEqual(
          outs.map((o) => [...o.shape]),
          [
            [1, 3, 63, 84],
            [1, 3, 125, 167],
            [1, 3, 250, 333],
          ],
        );
        assert.throws(() => m.forward(x), /divisible by 4, got 250×333/);
      }),
    );
    m.dispose();
  });
  test('PatchGAN gives a 30×30 patch map for 256×256 (the 70×70 PatchGAN)', () => {
    const d = new PatchGAN('small');
    noGrad(() =>
      scope(() => {
        const outs = d.forwardScales([zeros([2, 3, 64, 64]), zeros([2, 3, 128, 128]), zeros([2, 3, 256, 256])]);
        assert.deepEqual(
          outs.map((o) => [...o.shape]),
          [
            [2, 1, 6, 6],
            [2, 1, 14, 14],
            [2, 1, 30, 30],
          ],
        );
      }),
    );
    d.dispose();
  });
  test('KernelWizard: embedding at H/128; sizes and kernel shapes are checked with clear errors', () => {
    const kw = new KernelWizard('small').eval();
    noGrad(() =>
      scope(() => {
        const s = rand([1, 3, 256, 384], { generator: g }),
          b = rand([1, 3, 256, 384], { generator: g });
        const k = kw.extractKernel(s, b);
        assert.deepEqual([...k.mean.shape], [1, 128, 2, 3]);
        assert.deepEqual([...kw.adaptKernel(s, k.mean).shape], [1, 3, 256, 384]);
        assert.throws(() => kw.extractKernel(rand([1, 3, 200, 256]), b), /200×256; H and W must be multiples of 128 and at least 256/);
        assert.throws(() => kw.adaptKernel(s, zeros([1, 128, 2, 2])), /kernel is \[1, 128, 2, 2\], expected \[1, 128, 2, 3\]/);
        assert.throws(() => kw.extractKernel(rand([1, 1, 256, 256]), b), /must be \[N, 3, H, W\]/);
      }),
    );
    kw.dispose();
  });
});

describe('MIMO-UNet identity start', () => {
  test('initIdentity makes every output its resized input', () => {
    scope(() => {
      const m = new MIMOUNet('small').initIdentity();
      const x = rand([1, 3, 32, 48], { generator: new Generator(3) });
      const [o4, o2, o1] = noGrad(() => m.forward(x));
      assert.equal(o1.sub(x).abs().max().item(), 0);
      assert.deepEqual(o2.shape, [1, 3, 16, 24]);
      assert.deepEqual(o4.shape, [1, 3, 8, 12]);
      assert.equal(
        o2
          .sub(x.slice(2, 0, 32, 2).slice(3, 0, 48, 2))
          .abs()
          .max()
          .item(),
        0,
        'nearest ½ of the input',
      );
      m.dispose();
    });
  });
});

describe('VGG features', () => {
  test('starts without pretrained weights, names unknown layers, loads torchvision-layout files', () => {
    const vgg = new VGGFeatures({ depth: 16 });
    const dir = mkdtempSync(join(tmpdir(), 'b2b-vgg-'));
    try {
      assert.equal(vgg.pretrained, false);
      assert.ok(
        vgg.parameters().every((p) => !p.requiresGrad),
        'a fixed feature extractor',
      );
      assert.throws(() => scope(() => vgg.extract(zeros([1, 3, 8, 8]), ['relu9_9'])), /VGG16 has no layer 'relu9_9'/);
      const src = new VGGFeatures({ depth: 16 });
      seedWeights(src, 3);
      scope(() => {
        const sd = new Map(src.stateDict());
        sd.set('classifier.0.weight', zeros([4, 4]));
        saveWeights(join(dir, 'vgg16.safetensors'), sd);
      });
      vgg.loadTorchvision(join(dir, 'vgg16.safetensors'));
      assert.equal(vgg.pretrained, true);
      scope(() =>
        assert.deepEqual(vgg.stateDict().get('features.28.bias')!.toNumbers(), src.stateDict().get('features.28.bias')!.toNumbers()),
      );
      scope(() => saveWeights(join(dir, 'other.safetensors'), new Map([['x', zeros([1])]])));
      assert.throws(
        () => vgg.loadTorchvision(join(dir, 'other.safetensors')),
        /no 'features\.\*' tensors: not a torchvision VGG checkpoint/,
      );
      src.dispose();
    } finally {
      vgg.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('ImageNet normalisation is an option', () => {
    const plain = new VGGFeatures({ depth: 16 });
    const norm = new VGGFeatures({ depth: 16, imagenetNormalize: true });
    seedWeights(plain, 4);
    seedWeights(norm, 4);
    noGrad(() =>
      scope(() => {
        const x = rand([1, 3, 16, 16], { generator: g });
        const a = plain.extract(x, ['conv1_1'])[0]!,
          b = norm.extract(x, ['conv1_1'])[0]!;
        assert.ok(a.sub(b).abs().max().item() > 1e-3);
      }),
    );
    plain.dispose();
    norm.dispose();
  });
});

describe('modes and memory', () => {
  test('MIMO-UNet+ drops out in training and is deterministic in eval', () => {
    const m = new MIMOUNet({ numRes: 1, baseChannels: 8, plus: true });
    seedWeights(m, 5);
    noGrad(() =>
      scope(() => {
        const x = rand([1, 3, 16, 16], { generator: g });
        const diff = (): number => m.forward(x)[2].sub(m.forward(x)[2]).abs().max().item();
        assert.ok(diff() > 0, 'training: two passes differ');
        m.eval();
        assert.equal(diff(), 0, 'eval: identical');
      }),
    );
    m.dispose();
  });
  test('batch-norm PatchGAN uses batch statistics in training and running ones in eval', () => {
    const d = new PatchGAN({ ndf: 8, norm: 'batch' });
    noGrad(() =>
      scope(() => {
        const x = randn([2, 3, 32, 32], { generator: g });
        const train = d.forward(x);
        d.eval();
        assert.ok(train.sub(d.forward(x)).abs().max().item() > 1e-4);
      }),
    );
    assert.ok(d.stateDict().has('model.3.running_mean'));
    assert.equal(d.stateDict().has('model.2.bias'), false, 'no conv bias before batch norm');
    d.dispose();
  });
  for (const [name, build] of [
    ['NAFNet small', () => new NAFNet('small')],
    ['MIMO-UNet small', () => new MIMOUNet('small')],
  ] as const) {
    test(`${name}: forward/backward reaches every parameter and leaks no tensor`, () => {
      const m = build();
      const before = liveTensors();
      scope(() => {
        const x = rand([2, 3, 32, 32], { generator: g });
        const outs = m instanceof NAFNet ? [m.forward(x)] : (m as MIMOUNet).forward(x); // all three scales
        outs
          .map((o) => o.square().mean())
          .reduce((a, b) => a.add(b))
          .backward();
      });
      const withGrad = m.parameters().filter((p) => scope(() => p.grad !== undefined)).length;
      assert.equal(withGrad, m.parameters().length);
      m.zeroGrad();
      assert.equal(liveTensors(), before);
      m.dispose();
    });
  }
});
