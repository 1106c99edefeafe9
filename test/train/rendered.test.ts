// D_K on pairs rendered on the fly: trains through the worker process, validates on held-out squares,
// records the data position in its checkpoint, and refuses contradictory configs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, liveTensors, rand } from '../../src/tensor/index.js';
import { writeImage } from '../../src/data/image.js';
import { resolveDeblurConfig, trainDeblur } from '../../src/train/deblur.js';
import { RunDir } from '../../src/train/run.js';

describe('trainDeblur --render', () => {
  test('trains on rendered pairs, excluding test scenes, and validates on held-out squares', async () => {
    const root = mkdtempSync(join(tmpdir(), 'b2b-rendered-'));
    try {
      const photos = join(root, 'photos');
      mkdirSync(photos);
      const g = new Generator(8);
      for (const name of ['a', 'b', 'test1']) {
        const t = rand([3, 110, 130], { generator: g });
        await writeImage(join(photos, `${name}.png`), t);
        t.dispose();
      }
      mkdirSync(join(root, 'bench'));
      writeFileSync(join(root, 'bench', 'manifest.json'), JSON.stringify({ splits: { test: ['test1'] } }));
      const before = liveTensors();
      const c = resolveDeblurConfig({
        pairs: photos,
        render: 'gopro-like',
        exclude: join(root, 'bench'),
        steps: 3,
        batch: 2,
        crop: 32,
        valCrop: 32,
        valImages: 3,
        valEvery: 3,
        ckptEvery: 3,
        prefetch: 1,
      });
      const r = await trainDeblur(c, join(root, 'run'), { quiet: true });
      assert.equal(r.steps, 3);
      assert.equal(r.trainPairs, 2, 'two photos after excluding the test scene');
      assert.equal(r.final!.images, 3);
      assert.ok(Number.isFinite(r.final!.psnr) && Number.isFinite(r.final!.input_psnr));
      assert.equal(liveTensors(), before, 'no tensor leaked');
      assert.equal(RunDir.open(join(root, 'run')).config<{ render: string }>().render, 'gopro-like');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('contradictory or bad settings are named', () => {
    assert.throws(() => resolveDeblurConfig({ pairs: 'p', render: 'gopro-like', val: 'v' }), /held-out squares/);
    assert.throws(() => resolveDeblurConfig({ pairs: 'p', render: 'gopro-like', motionBlur: [3, 5] }), /give one/);
    assert.throws(() => resolveDeblurConfig({ pairs: 'p', render: 'no-such-camera' }), /no-such-camera/);
    assert.throws(() => resolveDeblurConfig({ pairs: 'p', render: 'gopro-like', valCrop: 30 }), /valCrop must be a multiple of 16/);
  });
});
