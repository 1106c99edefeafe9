// The results table's effect summary: gain over D_K alone, the room up to the upper bound, the share closed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { effectSentence, effectSummary, resultsMarkdown, type CameraResult, type Results } from '../../src/experiment/results.js';

const s = (psnr: number, ssim: number) => ({ psnr, ssim, images: 10 });
const cam = (scores: CameraResult['scores']): CameraResult => ({ test: 't', input: { psnr: 20, ssim: 0.4 }, scores, runs: {} });
const results = (cameras: Record<string, CameraResult>): Results => ({
  conventions: 'PSNR on RGB',
  known: 'gopro-like',
  cameras,
  stages: [],
  runs: { dk: 'dk', kw: null },
});

describe('effectSummary', () => {
  test('gain, room and the share closed per camera and on average', () => {
    const e = effectSummary(
      results({
        a: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), upper: s(24, 0.7) }),
        b: cam({ dk: s(20, 0.5), blur2blur: s(23, 0.55), upper: s(24, 0.6) }),
      }),
    );
    assert.deepEqual(
      e.cameras.map((c) => c.camera),
      ['a', 'b'],
    );
    assert.equal(e.cameras[0]!.gain, 1);
    assert.equal(e.cameras[0]!.room, 2);
    assert.equal(e.cameras[0]!.closed, 0.5);
    assert.equal(e.cameras[1]!.closed, 0.75);
    assert.ok(Math.abs(e.cameras[0]!.ssimGain - 0.1) < 1e-12);
    assert.equal(e.meanGain, 2);
    assert.equal(e.meanRoom, 3);
    assert.equal(e.meanClosed, 0.625, 'the mean of the shares');
    assert.ok(Math.abs(e.pooledClosed - 2 / 3) < 1e-12, 'mean gain over mean room');
  });

  test('a camera without Blur2Blur is left out; without an upper bound the room is unknown', () => {
    const e = effectSummary(results({ a: cam({ dk: s(22, 0.5) }), b: cam({ dk: s(22, 0.5), blur2blur: s(21.5, 0.5) }) }));
    assert.deepEqual(
      e.cameras.map((c) => c.camera),
      ['b'],
    );
    assert.equal(e.cameras[0]!.gain, -0.5);
    assert.ok(Number.isNaN(e.cameras[0]!.room));
    assert.ok(Number.isNaN(e.meanClosed));
    assert.ok(Number.isNaN(e.pooledClosed));
    assert.ok(Number.isNaN(e.cameras[0]!.overBaselines), 'no baselines scored');
  });

  test('the margin over the better of the two baselines', () => {
    const e = effectSummary(
      results({
        a: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), synthetic: s(21, 0.4), cyclegan: s(22.5, 0.5) }),
        b: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), synthetic: s(23.25, 0.4) }),
      }),
    );
    assert.equal(e.cameras[0]!.overBaselines, 0.5);
    assert.equal(e.cameras[1]!.overBaselines, -0.25, 'a baseline that wins gives a negative margin');
  });

  test('the margin over the fixed low-pass reference, its own row; none without it', () => {
    const r = results({
      a: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), lowpass: s(23.5, 0.65) }),
      b: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), lowpass: s(22.75, 0.55) }),
    });
    assert.deepEqual(
      effectSummary(r).cameras.map((c) => c.overLowpass),
      [-0.5, 0.25],
    );
    assert.match(resultsMarkdown(r), /\| margin over the fixed low-pass reference \(dB\) \| -0\.50 \| \+0\.25 \| -0\.13 \|/);
    assert.match(
      resultsMarkdown(r),
      /\| reference: D_K after a Gaussian σ 0\.6 px in G's place \(no training\) \| 23\.50 \/ 0\.650 \| 22\.75 \/ 0\.550 \|/,
    );
    const without = results({ a: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6) }) });
    assert.ok(Number.isNaN(effectSummary(without).cameras[0]!.overLowpass));
    assert.doesNotMatch(resultsMarkdown(without), /low-pass/);
  });

  test('a room that is not positive closes no share, and leaves the mean share undefined', () => {
    const e = effectSummary(
      results({
        a: cam({ dk: s(22, 0.5), blur2blur: s(22.5, 0.5), upper: s(21, 0.4) }),
        b: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.5), upper: s(24, 0.6) }),
      }),
    );
    assert.ok(Number.isNaN(e.cameras[0]!.closed));
    assert.ok(Number.isNaN(e.meanClosed));
    assert.equal(e.pooledClosed, 0.75 / 0.5, 'pooled: mean gain 0.75 over mean room 0.5');
  });
});

describe('effectSentence', () => {
  test("names each camera's gain and share, then the means; empty without Blur2Blur scores", () => {
    const e = effectSummary(
      results({
        a: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), upper: s(24, 0.7) }),
        b: cam({ dk: s(22, 0.5), blur2blur: s(21.5, 0.5) }),
      }),
    );
    assert.equal(
      effectSentence(e),
      'Blur2Blur + D_K against D_K alone: a +1.00 dB (50 % of the room to the upper bound), b -0.50 dB; mean +0.25 dB.',
    );
    assert.equal(effectSentence(effectSummary(results({ a: cam({ dk: s(22, 0.5) }) }))), '');
  });
});

describe('resultsMarkdown', () => {
  test('prints the gain, the room and the share closed under the table', () => {
    const md = resultsMarkdown(results({ a: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), upper: s(24, 0.7) }) }));
    assert.match(md, /\| gain \(PSNR dB \/ SSIM\) \| \+1\.00 \/ \+0\.100 \| \+1\.00 \|/);
    assert.match(md, /\| room: upper bound − D_K alone \(dB\) \| \+2\.00 \| \+2\.00 \|/);
    assert.match(md, /\| share of the room closed \| 50 % \| 50 % \(of the mean room: 50 %\) \|/);
  });

  test('no effect table without Blur2Blur scores, and no room rows without an upper bound', () => {
    assert.doesNotMatch(resultsMarkdown(results({ a: cam({ dk: s(22, 0.5) }) })), /gain \(PSNR/);
    const md = resultsMarkdown(results({ a: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6) }) }));
    assert.match(md, /gain \(PSNR/);
    assert.doesNotMatch(md, /room:/);
    assert.doesNotMatch(md, /margin over/);
  });

  test('prints the margin over the better baseline per camera, and its mean only when every camera has one', () => {
    const md = resultsMarkdown(
      results({
        a: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), cyclegan: s(22.5, 0.5) }),
        b: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6) }),
      }),
    );
    assert.match(md, /\| margin over the better of synthetic blur and CycleGAN \(dB\) \| \+0\.50 \| – \| – \|/);
    const both = resultsMarkdown(
      results({
        a: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), cyclegan: s(22.5, 0.5) }),
        b: cam({ dk: s(22, 0.5), blur2blur: s(23, 0.6), synthetic: s(24, 0.6) }),
      }),
    );
    assert.match(both, /\| \+0\.50 \| -1\.00 \| -0\.25 \|/);
  });
});
