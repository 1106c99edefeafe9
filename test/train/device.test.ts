// Every trainer and the inference paths on the test device ($B2B_TEST_DEVICE, default cpu; the GPU
// check runs this file with cuda): a few steps each, weights that load back on the CPU, finite scores.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveTensors, type Device } from '../../src/tensor/index.js';
import { loadWeights } from '../../src/io/weights.js';
import { resolveDeblurConfig, trainDeblur } from '../../src/train/deblur.js';
import { resolveKernelConfig, trainKernel } from '../../src/train/kernel.js';
import { resolveCycleGANConfig, trainCycleGAN } from '../../src/train/cyclegan.js';
import { resolveTranslatorConfig, translatorConfig } from '../../src/train/translator-config.js';
import { trainTranslator } from '../../src/train/translator.js';
import { makeKnownWithSimulator } from '../../src/train/make-known.js';
import { loadCamera } from '../../src/data/camera/config.js';
import { loadDeblurrer, loadTranslator } from '../../src/infer/load.js';
import { restorePath } from '../../src/infer/restore.js';
import { evaluatePairs, pipeline } from '../../src/eval/pipeline.js';
import { deblur } from '../../src/models/index.js';
import { writeRandomImage } from '../helpers/images.js';

const DEVICE = (process.env.B2B_TEST_DEVICE ?? 'cpu') as Device;
const root = mkdtempSync(join(tmpdir(), 'b2b-device-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** Pairs (blur/, sharp/) of 256² images from 4 scenes, and a plain folder of 8 images. */
async function data(): Promise<{ pairs: string; images: string }> {
  const pairs = join(root, 'pairs'),
    images = join(root, 'images');
  for (const d of [join(pairs, 'blur'), join(pairs, 'sharp'), images]) mkdirSync(d, { recursive: true });
  for (let i = 0; i < 8; i++) {
    const name = `s${i % 4}_${String(i).padStart(2, '0')}.png`;
    await writeRandomImage(join(pairs, 'sharp', name), 256, 256, i);
    await writeRandomImage(join(pairs, 'blur', name), 256, 256, i, { scale: 0.9 });
    await writeRandomImage(join(images, name), 256, 256, 100 + i);
  }
  return { pairs, images };
}

const finiteWeights = (file: string): boolean => {
  const sd = loadWeights(file); // on the CPU, whatever device trained them
  for (const t of sd.values()) t.dispose();
  return sd.size > 0;
};

describe(`trainers and inference on ${DEVICE}`, () => {
  test('deblurrer, KernelWizard, translator and CycleGAN train a few steps; their weights load on the CPU', async () => {
    const { pairs, images } = await data();
    const before = liveTensors();
    const o = { quiet: true, device: DEVICE };
    const common = { steps: 2, batch: 2, valEvery: 2, ckptEvery: 2, valImages: 2 };
    const dk = await trainDeblur(resolveDeblurConfig({ pairs, val: pairs, crop: 64, ...common }), join(root, 'dk'), o);
    assert.ok(finiteWeights(dk.weights) && Number.isFinite(dk.lastValidation!.psnr!));
    const kw = await trainKernel(resolveKernelConfig({ pairs, val: pairs, crop: 256, ...common, batch: 1 }), join(root, 'kw'), o);
    assert.ok(finiteWeights(kw.weights));
    const K = join(root, 'K');
    await makeKnownWithSimulator({ camera: loadCamera('gopro-like'), sharp: images, out: K, seed: 0, device: DEVICE });
    const t = await trainTranslator(
      resolveTranslatorConfig(
        translatorConfig('measured', 'small', { blur: images, known: K, valPairs: pairs, deblurrer: dk.run, ...common, discWarmup: 1 }),
      ),
      join(root, 'g'),
      o,
    );
    assert.ok(finiteWeights(t.weights) && Number.isFinite(t.lastValidation!.psnr!));
    const cg = await trainCycleGAN(
      resolveCycleGANConfig({ blur: images, sharp: images, val: pairs, crop: 64, ...common }),
      join(root, 'cg'),
      o,
    );
    assert.ok(finiteWeights(cg.weights));
    assert.equal(liveTensors(), before, 'nothing left behind');

    using d = loadDeblurrer(dk.run, undefined, undefined, DEVICE);
    using g = loadTranslator(t.run, undefined, DEVICE);
    const s = await evaluatePairs(
      [{ blurry: join(pairs, 'blur', 's0_00.png'), sharp: join(pairs, 'sharp', 's0_00.png'), scene: 's0' }],
      pipeline((x) => deblur(d, x), g, DEVICE),
    );
    assert.ok(Number.isFinite(s.psnr));
    const r = await restorePath(
      { deblurrer: d, translator: g, tiles: { tile: 128, overlap: 16 } },
      join(images, 's1_01.png'),
      join(root, 'out.png'),
    );
    assert.deepEqual(r.written, [join(root, 'out.png')]);
  });

  test('mixed precision on the device: bf16 (and fp16 with loss scaling on CUDA) trains; weights stay float32', async () => {
    const pairs = join(root, 'amp-pairs');
    for (const d of ['blur', 'sharp']) mkdirSync(join(pairs, d), { recursive: true });
    for (let i = 0; i < 4; i++) {
      await writeRandomImage(join(pairs, 'sharp', `a${i}_00.png`), 64, 64, 200 + i);
      await writeRandomImage(join(pairs, 'blur', `a${i}_00.png`), 64, 64, 200 + i, { scale: 0.8 });
    }
    for (const amp of DEVICE === 'cpu' ? (['bfloat16'] as const) : (['bfloat16', 'float16'] as const)) {
      const c = resolveDeblurConfig({ pairs, val: pairs, steps: 6, batch: 2, crop: 32, valEvery: 6, ckptEvery: 6, valImages: 2 });
      const r = await trainDeblur(c, join(root, `amp-${amp}`), { quiet: true, device: DEVICE, amp });
      assert.ok(Number.isFinite(r.lastValidation!.psnr!), amp);
      assert.deepEqual(
        [
          ...new Set(
            [...loadWeights(r.weights).values()].map((t) => {
              const d = t.dtype;
              t.dispose();
              return d;
            }),
          ),
        ],
        ['float32'],
      );
    }
  });
});
