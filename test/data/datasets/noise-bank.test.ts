// The camera-noise bank: what it takes from flat patches is the noise that was added (its level, zero
// mean), textured and saturated patches are left out, fields match each cell's brightness, draws are
// deterministic in their stream, and bad input is refused with the file or reason named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, arange, cat, full, liveTensors, randn, scope, type Tensor } from '../../../src/tensor/index.js';
import { NoiseBank, noisePatches } from '../../../src/data/datasets/noise-bank.js';
import { Rng } from '../../../src/data/rng.js';
import { writeImage } from '../../../src/data/image.js';

/** A [3, h, w] image: `level` plus a gentle horizontal ramp plus Gaussian noise of std `sigma`. */
function noisyFlat(h: number, w: number, level: number, sigma: number, seed: number): Tensor {
  return scope(() => {
    const ramp = arange(0, w).div(w * 20).reshape([1, 1, w]).expand([3, h, w]);
    return randn([3, h, w], { generator: new Generator(seed) }).mul(sigma).add(ramp).add(level);
  });
}

test('flat patches give back the added noise: its level, zero mean per channel, the patch brightness and cell', () => {
  const before = liveTensors();
  scope(() => {
    const im = noisyFlat(128, 128, 0.4, 0.03, 1);
    const { noise, brightness, cells } = noisePatches(im, { keep: 1 }); // 8 × 8 patches by default
    assert.deepEqual(noise.shape, [256, 3, 8, 8]);
    assert.deepEqual([...cells].sort((a, b) => a - b), [...Array(256).keys()]);
    // A plane per patch and channel takes 3 of its 64 degrees of freedom: std 0.03·√(61/64).
    const std = noise.std().item();
    assert.ok(Math.abs(std - 0.03 * Math.sqrt(61 / 64)) < 0.002, `noise std ${std} (added 0.03)`);
    assert.ok(noise.mean([2, 3]).abs().amax([0, 1]).item() < 1e-6, 'zero mean per patch and channel');
    for (const b of brightness) assert.ok(b > 0.39 && b < 0.47, `brightness ${b}`);
  });
  assert.equal(liveTensors(), before);
});

test('textured and saturated patches are left out; the least varied of a brightness are kept first', () => {
  scope(() => {
    // Left half: strong stripes (structure), right half: flat with noise; a saturated band on top.
    const stripes = arange(0, 64).mul(Math.PI / 4).sin().mul(0.3).add(0.57).reshape([1, 1, 64]).expand([3, 128, 64]);
    const flat = noisyFlat(128, 64, 0.55, 0.02, 2); // the same brightness bin as the stripes
    const im = cat([stripes, flat], 2).contiguous();
    im.slice(1, 0, 32).fill_(1);
    const { brightness, noise } = noisePatches(im, { keep: 0.5, patch: 32 });
    // 16 patches, 4 of them saturated; half of the 12 usable kept: the flat half's 6 unsaturated ones.
    assert.equal(brightness.length, 6);
    for (const b of brightness) assert.ok(b > 0.54 && b < 0.62, `a flat-half patch, brightness ${b}`);
    assert.ok(Math.abs(noise.std().item() - 0.02) < 0.003);
  });
});

test('a field takes, cell by cell, noise of its brightness, in the shape asked, deterministic in its stream', () => {
  const before = liveTensors();
  scope(() => {
    const dark = noisyFlat(128, 128, 0.2, 0.01, 3),
      bright = noisyFlat(128, 128, 0.8, 0.05, 4);
    using bank = NoiseBank.fromImages([dark, bright], { keep: 1, patch: 32 });
    assert.equal(bank.size, 32);
    // A batch of 2 images 70 × 100: dark on the left 64 columns, bright on the right.
    const batch = cat([full([2, 3, 70, 64], 0.2), full([2, 3, 70, 36], 0.8)], 3);
    const f = bank.field(batch, new Rng(5));
    assert.deepEqual(f.shape, [2, 3, 70, 100]);
    const left = f.slice(3, 0, 64).std().item(),
      right = f.slice(3, 64, 96).std().item();
    assert.ok(Math.abs(left - 0.01) < 0.002, `dark cells got dark noise: std ${left}`);
    assert.ok(Math.abs(right - 0.05) < 0.008, `bright cells got bright noise: std ${right}`);
    const again = bank.field(batch, new Rng(5)),
      other = bank.field(batch, new Rng(6));
    assert.equal(f.sub(again).abs().amax([0, 1, 2, 3]).item(), 0, 'the same stream draws the same field');
    assert.ok(f.sub(other).abs().amax([0, 1, 2, 3]).item() > 0, 'another stream draws another field');
  });
  assert.equal(liveTensors(), before);
});

test('bad input: too small, nothing usable, an unreadable file named', async () => {
  assert.throws(() => scope(() => noisePatches(full([3, 6, 6], 0.5))), /at least 8×8/);
  assert.throws(() => scope(() => noisePatches(full([1, 64, 64], 0.5))), /RGB/);
  assert.throws(() => scope(() => NoiseBank.fromImages([full([3, 64, 64], 1)])), /1 images: no flat, unsaturated 8×8 patches/);
  const dir = mkdtempSync(join(tmpdir(), 'b2b-noise-bank-'));
  try {
    const good = join(dir, 'good.png'),
      bad = join(dir, 'bad.png');
    await writeImage(good, scope(() => noisyFlat(64, 64, 0.5, 0.02, 7).clamp(0, 1)));
    writeFileSync(bad, 'not an image');
    await assert.rejects(NoiseBank.fromFiles([good, bad], dir), (e: Error) => e.message.includes(bad));
    using bank = await NoiseBank.fromFiles([good], dir);
    assert.ok(bank.size >= 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
