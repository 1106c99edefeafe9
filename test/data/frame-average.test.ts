// Frame-averaged blur: linear-light averaging, the middle frame as ground truth, interpolation, and
// pairs from a generated video.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, liveTensors, noGrad, rand, scope, zeros, type Tensor } from '../../src/tensor/index.js';
import { averageFrames, blurPairsFromVideo, fromLinear, toLinear } from '../../src/data/frame-average.js';
import { readFrames } from '../../src/data/video.js';

function maxAbsDiff(a: Tensor, b: Tensor): number {
  return noGrad(() => scope(() => a.sub(b).abs().max().item()));
}

function disposeAll(...ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

/** Frames of a bright square moving right by `speed` pixels per frame on a dark background. */
function movingSquare(n: number, speed: number): Tensor[] {
  return Array.from({ length: n }, (_, i) => scope(() => {
    const f = zeros([3, 24, 40]).add(0.1);
    f.slice(1, 8, 14).slice(2, 4 + i * speed, 10 + i * speed).fill_(0.9);
    return f;
  }));
}

let liveBefore = 0;
before(() => { liveBefore = liveTensors(); });
after(() => assert.equal(liveTensors(), liveBefore, 'every tensor of the suite was released'));

describe('linear light', () => {
  test('toLinear and fromLinear invert each other (power law and exact sRGB)', () => {
    const x = rand([3, 8, 8], { generator: new Generator(1) });
    for (const g of [2.2, 'srgb'] as const) {
      const back = scope(() => fromLinear(toLinear(x, g), g));
      assert.ok(maxAbsDiff(back, x) < 2e-6, `gamma ${g}`);
      back.dispose();
    }
    const mid = scope(() => toLinear(zeros([1]).add(0.5), 'srgb').item());
    assert.ok(Math.abs(mid - 0.21404114) < 1e-6, `sRGB 0.5 → ${mid}`);
    x.dispose();
  });
});

describe('averageFrames', () => {
  test('identical frames average to the same frame', () => {
    const f = rand([3, 16, 16], { generator: new Generator(2) });
    for (const gamma of [2.2, 'srgb'] as const) {
      const { blurry, sharp } = averageFrames([f, f, f, f, f], { gamma });
      assert.ok(maxAbsDiff(blurry, f) <= 1e-6, `gamma ${gamma}: ${maxAbsDiff(blurry, f)}`);
      assert.equal(maxAbsDiff(sharp, f), 0);
      assert.notEqual(sharp, f, 'sharp is a new tensor');
      disposeAll(blurry, sharp);
    }
    f.dispose();
  });

  test('a moving bright square becomes a streak that keeps the energy in linear light', () => {
    const frames = movingSquare(5, 3);
    for (const gamma of [2.2, 'srgb'] as const) {
      const { blurry, sharp } = averageFrames(frames, { gamma });
      const energy = (t: Tensor) => scope(() => toLinear(t, gamma).sum().item());
      const meanIn = frames.reduce((s, f) => s + energy(f), 0) / frames.length;
      assert.ok(Math.abs(energy(blurry) - meanIn) / meanIn < 1e-5, `gamma ${gamma}: ${energy(blurry)} vs ${meanIn}`);
      // The streak covers columns 4…21 of the square's rows, dimmer than the square, brighter than the ground.
      const row = scope(() => blurry.select(0, 0).select(0, 10).toNumbers());
      for (let x = 4; x < 22; x++) assert.ok(row[x]! > 0.1 + 1e-3 && row[x]! < 0.9, `column ${x}: ${row[x]}`);
      assert.ok(Math.abs(row[2]! - 0.1) < 1e-6 && Math.abs(row[30]! - 0.1) < 1e-6, 'background unchanged');
      // Averaging in linear light makes the streak brighter than a plain average of encoded values.
      const plain = scope(() => frames.reduce((s, f) => s.add(f), zeros([3, 24, 40])).div(frames.length).select(0, 0).select(0, 10).toNumbers());
      assert.ok(row[12]! > plain[12]! + 0.01);
      assert.equal(maxAbsDiff(sharp, frames[2]!), 0, 'sharp is the middle frame');
      disposeAll(blurry, sharp);
    }
    disposeAll(...frames);
  });

  test('the sharp frame is the middle one, index floor(n/2) for even counts', () => {
    const frames = movingSquare(4, 2);
    const { blurry, sharp } = averageFrames(frames);
    assert.equal(maxAbsDiff(sharp, frames[2]!), 0);
    assert.ok(maxAbsDiff(sharp, frames[1]!) > 0.5);
    const one = averageFrames(frames.slice(0, 1));
    assert.ok(maxAbsDiff(one.blurry, frames[0]!) <= 1e-6);
    disposeAll(blurry, sharp, one.blurry, one.sharp, ...frames);
  });

  test('interpolate=k equals averaging explicitly blended frames', () => {
    const g = new Generator(3);
    const frames = [0, 1, 2].map(() => rand([3, 12, 12], { generator: g }));
    const k = 4;
    const explicit: Tensor[] = [frames[0]!];
    for (let i = 1; i < frames.length; i++) {
      for (let j = 1; j < k; j++) explicit.push(scope(() => frames[i - 1]!.mul(1 - j / k).add(frames[i]!.mul(j / k))));
      explicit.push(frames[i]!);
    }
    assert.equal(explicit.length, 9);
    for (const gamma of [2.2, 'srgb'] as const) {
      const a = averageFrames(frames, { gamma, interpolate: k });
      const b = averageFrames(explicit, { gamma });
      assert.ok(maxAbsDiff(a.blurry, b.blurry) < 1e-6, `gamma ${gamma}`);
      assert.equal(maxAbsDiff(a.sharp, frames[1]!), 0, 'sharp is still the middle input frame');
      const plain = averageFrames(frames, { gamma });
      assert.ok(maxAbsDiff(a.blurry, plain.blurry) > 1e-3, 'interpolation changes the weights');
      disposeAll(a.blurry, a.sharp, b.blurry, b.sharp, plain.blurry, plain.sharp);
    }
    disposeAll(...new Set(explicit));
  });

  test('invalid input is refused', () => {
    const a = zeros([3, 4, 4]), b = zeros([3, 4, 5]);
    assert.throws(() => averageFrames([]), /at least one frame/);
    assert.throws(() => averageFrames([a, b]), /frame 1 is \[3, 4, 5\], frame 0 is \[3, 4, 4\]/);
    assert.throws(() => averageFrames([a], { interpolate: 0 }), /interpolate must be an integer ≥ 1/);
    assert.throws(() => averageFrames([a], { gamma: -1 }), /gamma must be a positive number/);
    disposeAll(a, b);
  });
});

describe('blurPairsFromVideo', () => {
  let dir = '';
  let clip = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'b2b-blur-'));
    clip = join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10',
      '-frames:v', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('windows every `stride` frames, each the average of its frames; early stop releases everything', async () => {
    const all: Tensor[] = [];
    for await (const f of readFrames(clip)) all.push(f);
    const pairs: { blurry: Tensor; sharp: Tensor; index: number; firstFrame: number }[] = [];
    for await (const p of blurPairsFromVideo(clip, { window: 3, stride: 2, gamma: 'srgb' })) pairs.push(p);
    assert.deepEqual(pairs.map((p) => [p.index, p.firstFrame]), [[0, 0], [1, 2], [2, 4], [3, 6]]);
    for (const p of pairs) {
      const ref = averageFrames(all.slice(p.firstFrame, p.firstFrame + 3), { gamma: 'srgb' });
      assert.equal(maxAbsDiff(p.blurry, ref.blurry), 0);
      assert.equal(maxAbsDiff(p.sharp, all[p.firstFrame + 1]!), 0);
      disposeAll(p.blurry, p.sharp, ref.blurry, ref.sharp);
    }
    const gapped: number[] = [];
    for await (const p of blurPairsFromVideo(clip, { window: 2, stride: 4, interpolate: 2 })) {
      gapped.push(p.firstFrame);
      disposeAll(p.blurry, p.sharp);
    }
    assert.deepEqual(gapped, [0, 4, 8]);
    for await (const p of blurPairsFromVideo(clip, { window: 5, stride: 1 })) {
      disposeAll(p.blurry, p.sharp);
      break;
    }
    disposeAll(...all);
  });
});
