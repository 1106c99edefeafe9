// Paired augmentations: identical on both images of a pair, deterministic for a seed, exact geometry.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Rng, adjustSaturation, applyAugment, augmentImage, augmentPair, drawAugment, randomCrop, rot90,
  type AugmentOptions,
} from '../../../src/data/datasets/augment.js';
import { keyedRng } from '../../../src/data/datasets/loader.js';
import { Generator, liveTensors, rand, scope, stack, tensor, type Tensor } from '../../../src/tensor/index.js';

const img = (seed: number, h = 20, w = 24): Tensor => rand([3, h, w], { generator: new Generator(seed) });
const same = (a: Tensor, b: Tensor): boolean => a.shape.join() === b.shape.join() && a.sub(b).abs().max().item() === 0;
const ALL: AugmentOptions = { crop: 12, hflip: true, vflip: true, rot90: true, jitter: { brightness: [0.8, 1.2], contrast: [0.8, 1.2], saturation: [0.5, 1.5] } };

/** Runs fn in a scope and checks that no tensor outlives it. */
function leakFree(fn: () => void): void {
  const before = liveTensors();
  scope(fn);
  assert.equal(liveTensors(), before, 'live tensors');
}

describe('keyed streams', () => {
  test('same key, same stream; a different key or key order, a different stream', () => {
    const draw = (r: Rng): number[] => Array.from({ length: 5 }, () => r.next());
    assert.deepEqual(draw(keyedRng(1, 2, 3)), draw(keyedRng(1, 2, 3)));
    assert.notDeepEqual(draw(keyedRng(1, 2, 3)), draw(keyedRng(1, 3, 2)));
    assert.notDeepEqual(draw(keyedRng(1, 2 ** 40)), draw(keyedRng(1, 0)));
    assert.throws(() => keyedRng(0.5), /not a safe integer/);
  });
});

describe('geometry', () => {
  test('rot90 matches torch.rot90 and four quarter turns are the identity', () => leakFree(() => {
    const m = tensor([[1, 2], [3, 4]]).view([1, 2, 2]).expand([3, 2, 2]);
    assert.deepEqual(rot90(m, 1).select(0, 0).toNumbers(), [2, 4, 1, 3]);
    assert.deepEqual(rot90(m, 2).select(0, 0).toNumbers(), [4, 3, 2, 1]);
    assert.deepEqual(rot90(m, 3).select(0, 0).toNumbers(), [3, 1, 4, 2]);
    assert.deepEqual(rot90(m, -1).select(0, 0).toNumbers(), [3, 1, 4, 2]);
    const x = img(1);
    let y = x;
    for (let i = 0; i < 4; i++) y = rot90(y, 1);
    assert.ok(same(x, y));
    assert.deepEqual([...rot90(x, 1).shape], [3, 24, 20]);
    const batch = stack([x, img(2)]);
    assert.ok(same(rot90(rot90(batch, 3), 1), batch));
  }));

  test('a crop larger than the image is an error naming it', () => leakFree(() => {
    const rng = new Rng(1);
    assert.throws(() => augmentImage(img(1), rng, { crop: 21 }, 'data/x/0001.png'),
      { message: 'data/x/0001.png: image is 24×20 (W×H), smaller than the 21×21 crop' });
    assert.throws(() => randomCrop([img(1), img(2, 20, 30)], 8, rng, ['blur/a.png', 'sharp/a.png']),
      /sharp\/a.png is 30×20 but blur\/a.png is 24×20/);
    assert.throws(() => augmentPair(img(1), img(2, 16, 24), rng, { crop: 8 }, ['b.png', 's.png']), /b.png is 24×20 but s.png is 24×16/);
    assert.throws(() => augmentImage(rand([4, 8, 8]), rng, {}, 'rgba.png'), /rgba.png: expected an image \[3, H, W\]/);
    assert.throws(() => drawAugment(rng, 8, 8, { jitter: { contrast: [1.2, 0.8] } }), /jitter.contrast/);
    assert.deepEqual([...augmentImage(img(1), rng, { crop: 20 }).shape], [3, 20, 20]);
  }));
});

describe('paired augmentation', () => {
  test('both images of a pair get the same crop, flips, rotation and jitter', () => leakFree(() => {
    for (let seed = 0; seed < 8; seed++) {
      const x = img(seed);
      const [a, b] = augmentPair(x, x.clone(), new Rng(seed), ALL);
      assert.deepEqual([...a.shape], [3, 12, 12]);
      assert.ok(same(a, b), `seed ${seed}`);
      // Geometry only: the sharp side keeps its exact relation to the blurry side.
      const [c, d] = augmentPair(x, x.mul(0.5), new Rng(seed), { ...ALL, jitter: undefined });
      assert.ok(c.mul(0.5).sub(d).abs().max().item() < 1e-7);
    }
  }));

  test('the same seed gives the same result, another seed a different one', () => leakFree(() => {
    const x = img(3), y = img(4);
    const [a1, b1] = augmentPair(x, y, new Rng(42), ALL);
    const [a2, b2] = augmentPair(x, y, new Rng(42), ALL);
    assert.ok(same(a1, a2) && same(b1, b2));
    const [a3] = augmentPair(x, y, new Rng(43), ALL);
    assert.ok(!same(a1, a3));
    assert.deepEqual(drawAugment(new Rng(5), 20, 24, ALL), drawAugment(new Rng(5), 20, 24, ALL));
    assert.notDeepEqual(drawAugment(new Rng(5), 20, 24, ALL), drawAugment(new Rng(6), 20, 24, ALL));
  }));

  test('crop offsets cover the image and the crop is the right window', () => leakFree(() => {
    const rng = new Rng(9);
    const tops = new Set<number>(), lefts = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const p = drawAugment(rng, 20, 24, { crop: 16 });
      tops.add(p.crop!.top);
      lefts.add(p.crop!.left);
    }
    assert.deepEqual([...tops].sort((a, b) => a - b), [0, 1, 2, 3, 4]);
    assert.deepEqual([...lefts].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const x = img(1);
    const out = applyAugment(x, { crop: { top: 3, left: 5, size: 4 }, hflip: false, vflip: false, k: 0, brightness: 1, contrast: 1, saturation: 1 });
    assert.ok(same(out, x.narrow(1, 3, 4).narrow(2, 5, 4)));
  }));

  test('batches [N, 3, H, W] share one draw; colour jitter keeps [0, 1]', () => leakFree(() => {
    const x = img(1), y = img(2);
    const out = augmentImage(stack([x, y]), new Rng(11), ALL);
    assert.deepEqual([...out.shape], [2, 3, 12, 12]);
    assert.ok(same(out.select(0, 0), augmentImage(x, new Rng(11), ALL)));
    assert.ok(same(out.select(0, 1), augmentImage(y, new Rng(11), ALL)));
    const bright = augmentImage(x, new Rng(1), { jitter: { brightness: [3, 3] } });
    assert.ok(bright.max().item() <= 1 && bright.min().item() >= 0);
    const grey = adjustSaturation(x, 0);
    assert.ok(grey.select(0, 0).sub(grey.select(0, 2)).abs().max().item() < 1e-6);
    assert.ok(same(augmentImage(x, new Rng(1), {}), x));
  }));
});
