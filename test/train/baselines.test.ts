// The paper's baselines on tiny data: synthetic motion blur of S (training and exact data on resume),
// CycleGAN between B and S; both leave a deblurrer that b2b eval can load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveTensors, scope } from '../../src/tensor/index.js';
import { BatchLoader } from '../../src/data/datasets/loader.js';
import { readImageFolder, readLayout, allPairs } from '../../src/data/datasets/layouts.js';
import { readWeightsMetadata } from '../../src/io/weights.js';
import { resolveDeblurConfig, trainDeblur } from '../../src/train/deblur.js';
import { deblur } from '../../src/models/index.js';
import { resolveCycleGANConfig, trainCycleGAN } from '../../src/train/cyclegan.js';
import { SyntheticPairs, holdOutSharp, sharpSamples } from '../../src/train/synthetic.js';
import { loadDeblurrer } from '../../src/infer/load.js';
import { evaluatePairs } from '../../src/eval/pipeline.js';
import { RunDir } from '../../src/train/run.js';
import { writePairs } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-baselines-'));
const pairs = join(root, 'pairs');
test.before(async () => writePairs(pairs, 6, 64));
test.after(() => rmSync(root, { recursive: true, force: true }));

describe('baselines', () => {
  test('synthetic blur: S blurred on the fly, the same batches after a restore, a deblurrer at the end', async () => {
    const files = readImageFolder(join(pairs, 'sharp')).files;
    const mk = () => new SyntheticPairs(new BatchLoader(files, { batchSize: 2, crop: 32, seed: 1 }), { length: [5, 9], direction: 1 }, 1);
    const a = mk(),
      b = mk();
    const first = await a.next();
    const pos = a.position;
    const second = await a.next();
    b.restore(pos);
    const again = await b.next();
    scope(() => {
      assert.ok(first.sharp!.sub(first.blurry).abs().mean().item() > 1e-3, 'the input is blurred');
      assert.equal(second.blurry.sub(again.blurry).abs().max().item(), 0, 'restored position, same blurred batch');
    });
    for (const t of [first, second, again]) {
      t.blurry.dispose();
      t.sharp!.dispose();
    }
    a.dispose();
    b.dispose();
    // The sharp images split by scene: no scene on both sides, every image on one side.
    const sharpFiles = ['x/a_00.png', 'x/a_01.png', 'x/b_00.png', 'x/b_01.png', 'x/c_00.png', 'x/d_00.png', 'x/d_01.png'];
    const split = holdOutSharp(sharpFiles, 0);
    const trainScenes = new Set(sharpSamples(split.train).map((p) => p.scene)),
      valScenes = new Set(split.val.map((p) => p.scene));
    assert.ok(valScenes.size >= 1 && trainScenes.size >= 1);
    assert.deepEqual(
      [...valScenes].filter((sc) => trainScenes.has(sc)),
      [],
      'no scene on both sides',
    );
    assert.deepEqual([...split.train, ...split.val.map((p) => p.sharp)].sort(), [...sharpFiles].sort());

    const before = liveTensors();
    const run = join(root, 'synthetic');
    const r = await trainDeblur(
      resolveDeblurConfig({
        pairs: join(pairs, 'sharp'),
        motionBlur: [3, 9],
        steps: 3,
        batch: 2,
        crop: 32,
        valEvery: 3,
        ckptEvery: 3,
        valImages: 2,
      }),
      run,
      { quiet: true },
    );
    assert.equal(r.steps, 3);
    assert.ok(Number.isFinite(r.final!.psnr) && Number.isFinite(r.final!.input_psnr));
    assert.equal(liveTensors(), before);
    assert.throws(() => resolveDeblurConfig({ pairs, motionBlur: [9, 3] }), /motionBlur must be \[min, max\]/);
  });

  test('CycleGAN: a few steps, losses logged, the B→S generator evaluates as a deblurrer', async () => {
    const before = liveTensors();
    const run = join(root, 'cyclegan');
    const c = resolveCycleGANConfig({
      blur: join(pairs, 'blur'),
      sharp: join(pairs, 'sharp'),
      val: pairs,
      steps: 2,
      batch: 2,
      crop: 32,
      valEvery: 2,
      ckptEvery: 2,
      valImages: 2,
    });
    const r = await trainCycleGAN(c, run, { quiet: true, logEvery: 1 });
    assert.equal(r.steps, 2);
    const logged = RunDir.open(run)
      .metrics()
      .filter((e) => typeof e.loss === 'number');
    for (const e of logged)
      for (const k of ['d_loss', 'g_adv', 'cycle', 'identity', 'd_acc']) assert.ok(Number.isFinite(e[k] as number), k);
    assert.equal(readWeightsMetadata(r.weights).baseline, 'cyclegan');
    const d = loadDeblurrer(run);
    const s = await evaluatePairs(allPairs(readLayout(pairs)).slice(0, 2), (y) => deblur(d, y));
    d.dispose();
    assert.equal(s.images, 2);
    assert.ok(Number.isFinite(s.psnr) && s.ssim <= 1);
    assert.equal(liveTensors(), before);
    assert.throws(() => resolveCycleGANConfig({ blur: 'b', sharp: 's', arch: 'mimo-unet' }), /generators are NAFNets/);
  });
});
