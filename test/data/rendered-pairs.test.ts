// Rendered training pairs: a pure function of (seed, step), exact after restore, the same in a worker
// process as in-process, never drawn from a photo's held-out square or from excluded scenes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, liveTensors, noGrad, rand, scope, zeros, type Tensor } from '../../src/tensor/index.js';
import { writeImage } from '../../src/data/image.js';
import { loadCamera } from '../../src/data/camera/config.js';
import { RenderedPairs, loadPhotoPool, readExcludedScenes, renderMargin } from '../../src/data/rendered-pairs.js';
import { RenderSource, type RenderSourceOptions } from '../../src/data/render-prefetch.js';

const camera = loadCamera('gopro-like');
const same = (a: Tensor, b: Tensor): boolean => noGrad(() => scope(() => a.sub(b).abs().max().item() === 0));

async function writePhotos(dir: string, n: number, h = 120, w = 150): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const g = new Generator(3);
  for (let i = 0; i < n; i++) {
    const t = rand([3, h, w], { generator: g });
    await writeImage(join(dir, `scene${i}.png`), t);
    t.dispose();
  }
}

function withDir<T>(fn: (root: string) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), 'b2b-render-'));
  return fn(root).finally(() => rmSync(root, { recursive: true, force: true }));
}

describe('RenderedPairs', () => {
  test('batches are a pure function of (seed, step); restore continues exactly', () => withDir(async (root) => {
    await writePhotos(root, 3);
    const before = liveTensors();
    const o = { camera, batchSize: 2, crop: 32, valCrop: 32, seed: 7 };
    const a = new RenderedPairs(await loadPhotoPool([root]), o);
    const b = new RenderedPairs(await loadPhotoPool([root]), o);
    const a0 = await a.next(), a1 = await a.next();
    b.restore({ ...a.position, step: 1 });
    const b1 = await b.next();
    assert.deepEqual(a1.blurry.shape, [2, 3, 32, 32]);
    assert.ok(same(a1.blurry, b1.blurry) && same(a1.sharp, b1.sharp), 'step 1 again after restore');
    assert.ok(!same(a0.blurry, a1.blurry), 'consecutive steps differ');
    assert.ok(!same(a1.blurry, a1.sharp), 'the blurry image is blurred');
    const other = new RenderedPairs(await loadPhotoPool([root]), { ...o, seed: 8 });
    const o1 = await other.batchAt(1);
    assert.ok(!same(o1.blurry, a1.blurry), 'another seed, other data');
    assert.throws(() => a.restore({ step: 0, seed: 8, photos: 3 }), /seed 8/);
    for (const t of [a0.blurry, a0.sharp, a1.blurry, a1.sharp, b1.blurry, b1.sharp, o1.blurry, o1.sharp]) t.dispose();
    for (const p of [a, b, other]) p.dispose();
    assert.equal(liveTensors(), before, 'no tensor leaked');
  }));

  test('training crops never touch the held-out square; validation comes only from it', () => withDir(async (root) => {
    // A black photo; its held-out square (drawn from seed and scene) is painted white in the pool.
    const valCrop = 32, h = 150, w = 170;
    const img = zeros([3, h, w]);
    await writeImage(join(root, 'square.png'), img);
    img.dispose();
    const pairs = new RenderedPairs(await loadPhotoPool([root]), { camera, batchSize: 4, crop: 32, valCrop, seed: 1 });
    const sq = pairs.heldOut(0);
    assert.equal(sq.side, valCrop + 2 * renderMargin(camera));
    assert.ok(sq.x >= 0 && sq.y >= 0 && sq.x + sq.side <= w && sq.y + sq.side <= h, 'inside the photo');
    noGrad(() => pairs.pool[0]!.image.slice(1, sq.y, sq.y + sq.side).slice(2, sq.x, sq.x + sq.side).fill_(255));
    for (let s = 0; s < 10; s++) {
      const batch = await pairs.batchAt(s);
      assert.ok(noGrad(() => batch.sharp.max().item()) < 0.01, `step ${s}: a training crop saw the held-out square`); // black is 1e-8^(1/2.2)
      batch.blurry.dispose();
      batch.sharp.dispose();
    }
    const val = await pairs.validation(3);
    assert.deepEqual(val.sharp.shape, [3, 3, valCrop, valCrop]);
    assert.ok(noGrad(() => val.sharp.min().item()) > 0.99, 'validation crops are the held-out square');
    val.blurry.dispose();
    val.sharp.dispose();
    const other = new RenderedPairs(await loadPhotoPool([root]), { camera, batchSize: 1, crop: 32, valCrop, seed: 2 });
    assert.notDeepEqual(other.heldOut(0), sq, 'another seed, another square');
    other.dispose();
    pairs.dispose();
  }));

  test('too-small photos and excluded scenes', () => withDir(async (root) => {
    await writePhotos(join(root, 'a'), 3);
    await writePhotos(join(root, 'small'), 1, 60, 60);
    writeFileSync(join(root, 'scenes.txt'), '# test scenes\nscene1\n');
    mkdirSync(join(root, 'bench'));
    writeFileSync(join(root, 'bench', 'manifest.json'), JSON.stringify({ splits: { test: ['scene0', 'scene2'] } }));
    assert.deepEqual([...readExcludedScenes(join(root, 'scenes.txt'))], ['scene1']);
    assert.deepEqual([...readExcludedScenes(join(root, 'bench'))], ['scene0', 'scene2']);
    assert.throws(() => readExcludedScenes(join(root, 'nowhere')), /not found/);
    const pool = await loadPhotoPool([join(root, 'a')], { exclude: readExcludedScenes(join(root, 'bench')) });
    assert.deepEqual(pool.map((p) => p.scene), ['scene1']);
    for (const p of pool) p.image.dispose();
    await assert.rejects(loadPhotoPool([join(root, 'a')], { exclude: new Set(['scene0', 'scene1', 'scene2']) }), /no photos left/);
    const small = await loadPhotoPool([join(root, 'small')]);
    assert.throws(() => new RenderedPairs(small, { camera, batchSize: 1, crop: 32, valCrop: 32, seed: 0 }), /scene0\.png: 60×60 is too small/);
    for (const p of small) p.image.dispose();
  }));
});

describe('RenderSource', () => {
  test('a worker process renders exactly what the training process would, across restores', () => withDir(async (root) => {
    await writePhotos(root, 2);
    const o: RenderSourceOptions = { camera, photos: [root], exclude: [], maxSide: 1024, batchSize: 2, crop: 32, valCrop: 32, seed: 4, prefetch: 0 };
    const local = await RenderSource.open(o);
    const worker = await RenderSource.open({ ...o, prefetch: 2 });
    try {
      assert.equal(worker.photoCount, 2);
      const check = async (label: string): Promise<void> => {
        const x = await local.next(), y = await worker.next();
        assert.equal(x.index, y.index);
        assert.ok(same(x.blurry, y.blurry) && same(x.sharp, y.sharp), label);
        for (const t of [x.blurry, x.sharp, y.blurry, y.sharp]) t.dispose();
      };
      await check('step 0');
      await check('step 1');
      local.restore({ ...local.position, step: 0 });
      worker.restore({ ...worker.position, step: 0 });
      await check('step 0 after restore');
      const [vx, vy] = [await local.validation(3), await worker.validation(3)];
      assert.ok(same(vx.sharp, vy.sharp) && same(vx.blurry, vy.blurry), 'validation');
      for (const t of [vx.blurry, vx.sharp, vy.blurry, vy.sharp]) t.dispose();
    } finally {
      local.dispose();
      worker.dispose();
    }
  }));

  test('a worker error reaches the trainer with its message', () => withDir(async (root) => {
    await assert.rejects(RenderSource.open({ camera, photos: [join(root, 'none')], exclude: [], maxSide: 1024, batchSize: 1, crop: 32, valCrop: 32, seed: 0, prefetch: 1 }),
      /none/);
  }));
});
