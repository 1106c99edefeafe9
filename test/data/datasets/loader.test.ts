// Batch loader: deterministic order and augmentation, epoch coverage, exact resume, caching, no leaks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchLoader, type Batch, type LoaderOptions } from '../../../src/data/datasets/loader.js';
import type { PairedSample } from '../../../src/data/datasets/layouts.js';
import { Generator, liveTensors, rand, scope } from '../../../src/tensor/index.js';
import { png, removeTree, tempRoot } from './tree.js';

let root: string;
let pairs: PairedSample[];
let singles: string[];
let small: string;
let startLive: number;

// Six 24×20 pairs; the sharp image is 1 − blurry, a relation that survives any crop, flip or rotation.
before(async () => {
  startLive = liveTensors();
  root = tempRoot();
  pairs = [];
  for (let i = 0; i < 6; i++) {
    const x = rand([3, 20, 24], { generator: new Generator(100 + i) });
    const y = scope(() => x.rsub(1));
    const blurry = await png(root, `blur/${i}.png`, x);
    const sharp = await png(root, `sharp/${i}.png`, y);
    x.dispose();
    y.dispose();
    pairs.push({ blurry, sharp, scene: String(i) });
  }
  singles = pairs.slice(0, 5).map((p) => p.blurry);
  const t = rand([3, 10, 12]);
  small = await png(root, 'small.png', t);
  t.dispose();
});
after(() => {
  removeTree(root);
  assert.equal(liveTensors(), startLive, 'live tensors after the loader tests');
});

const OPTS: LoaderOptions = { batchSize: 2, crop: 16, seed: 7, augment: { hflip: true, vflip: true, rot90: true } };

function free(b: Batch): void {
  b.blurry.dispose();
  b.sharp?.dispose();
}

/** The next `n` batches as plain data (files and pixel values), disposing the tensors. */
async function take(l: BatchLoader, n: number): Promise<{ files: string[]; epoch: number; blurry: number[]; sharp: number[] }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const b = await l.next();
    out.push({ files: b.files, epoch: b.epoch, blurry: b.blurry.toNumbers(), sharp: b.sharp?.toNumbers() ?? [] });
    free(b);
  }
  return out;
}

describe('BatchLoader', () => {
  test('batches have the crop size and pairs stay aligned after augmentation', async () => {
    const l = new BatchLoader(pairs, OPTS);
    assert.equal(l.batchesPerEpoch, 3);
    for (let i = 0; i < 3; i++) {
      const b = await l.next();
      assert.deepEqual([...b.blurry.shape], [2, 3, 16, 16]);
      assert.deepEqual([...b.sharp!.shape], [2, 3, 16, 16]);
      const err = scope(() => b.blurry.add(b.sharp!).sub(1).abs().max().item());
      assert.ok(err < 1e-6, `sharp = 1 − blurry after augmentation (error ${err})`);
      free(b);
    }
  });

  test('the same seed gives the same batches; another seed another order', async () => {
    const a = await take(new BatchLoader(pairs, OPTS), 4);
    const b = await take(new BatchLoader(pairs, OPTS), 4);
    assert.deepEqual(a, b);
    const c = await take(new BatchLoader(pairs, { ...OPTS, seed: 8 }), 3);
    assert.notDeepEqual(c.map((x) => x.files), a.slice(0, 3).map((x) => x.files));
  });

  test('every sample exactly once per epoch, in a new order each epoch', async () => {
    const l = new BatchLoader(pairs, OPTS);
    const epochs: string[][] = [[], [], []];
    for (let e = 0; e < 3; e++) {
      for await (const b of l.epoch()) {
        assert.equal(b.epoch, e);
        epochs[e]!.push(...b.files);
        free(b);
      }
    }
    for (const files of epochs) assert.deepEqual([...files].sort(), pairs.map((p) => p.blurry).sort());
    assert.ok(epochs[0]!.join() !== epochs[1]!.join() || epochs[1]!.join() !== epochs[2]!.join());
    // dropLast: false keeps the remainder as a smaller last batch.
    const m = new BatchLoader(singles, { ...OPTS, batchSize: 2, dropLast: false });
    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const b of m.epoch()) {
      sizes.push(b.blurry.shape[0]!);
      seen.push(...b.files);
      assert.equal(b.sharp, undefined);
      free(b);
    }
    assert.deepEqual(sizes, [2, 2, 1]);
    assert.deepEqual(seen.sort(), [...singles].sort());
    // dropLast (default) leaves out the remainder: 5 samples, batches of 2 → 4 per epoch.
    assert.equal(new BatchLoader(singles, OPTS).samplesPerEpoch, 4);
  });

  test('a saved position resumes with the same next batches, across an epoch boundary', async () => {
    const a = new BatchLoader(pairs, OPTS);
    await take(a, 2);
    const saved = JSON.parse(JSON.stringify(a.position)) as typeof a.position;
    assert.deepEqual(saved, { epoch: 0, index: 4, seed: 7, size: 6 });
    const rest = await take(a, 3);
    const b = new BatchLoader(pairs, { ...OPTS, seed: 999 });
    b.restore(saved);
    assert.deepEqual(await take(b, 3), rest);
    assert.deepEqual(rest.map((r) => r.epoch), [0, 1, 1]);
    assert.throws(() => new BatchLoader(singles, OPTS).restore(saved), /saved position is for 6 samples but this loader has 5/);
    assert.throws(() => b.restore({ ...saved, index: 7 }), /invalid position/);
  });

  test('the cache decodes once and gives the same batches; dispose frees it', async () => {
    const before = liveTensors();
    const cached = new BatchLoader(pairs, { ...OPTS, cache: true });
    await cached.preload();
    assert.equal(cached.cachedImages, 12);
    assert.equal(liveTensors(), before + 12);
    assert.deepEqual(await take(cached, 4), await take(new BatchLoader(pairs, OPTS), 4));
    assert.equal(cached.cachedImages, 12);
    cached.dispose();
    assert.equal(liveTensors(), before);
    const lazy = new BatchLoader(pairs, { ...OPTS, cache: true });
    await take(lazy, 1);
    assert.equal(lazy.cachedImages, 4);
    lazy.dispose();
    assert.equal(liveTensors(), before);
  });

  test('clear errors: mixed samples, small images, unreadable files, too few samples', async () => {
    assert.throws(() => new BatchLoader([pairs[0]!, singles[0]!], OPTS), /mix 1 pairs and 1 single images/);
    assert.throws(() => new BatchLoader([], OPTS), /no samples/);
    assert.throws(() => new BatchLoader(singles, { ...OPTS, batchSize: 8 }), /5 samples cannot fill one batch of 8/);
    const before = liveTensors();
    const l = new BatchLoader([singles[0]!, small], { ...OPTS, shuffle: false });
    await assert.rejects(l.next(), { message: `${small}: image is 12×10 (W×H), smaller than the 16×16 crop` });
    const missing = new BatchLoader([singles[0]!, `${root}/nope.png`], { ...OPTS, shuffle: false, cache: true });
    await assert.rejects(missing.next(), (e: Error) => e.message.startsWith(`${root}/nope.png: cannot read image`));
    missing.dispose();
    assert.equal(liveTensors(), before);
  });
});
