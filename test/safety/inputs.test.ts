// Inputs a stranger could hand over: weights with NaN, views that expand a few bytes into gigabytes,
// truncated videos, configs that name prototype keys, a translator passed as a deblurrer. Each fails
// with an error naming the file (and tensor or key); training refuses bad settings before it makes
// anything, guards the discriminator's step, never saves non-finite weights, and clears stale temporaries.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, liveTensors, rand, scope, tensor } from '../../src/tensor/index.js';
import { Conv2d } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { loadWeights, saveWeights } from '../../src/io/weights.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { rawFromNumbers } from '../../src/io/raw-tensor.js';
import { loadDeblurrer, loadTranslator } from '../../src/infer/load.js';
import { loadCamera } from '../../src/data/camera/config.js';
import { probeVideo, readFrames, writeVideo } from '../../src/data/video.js';
import { psnrPerImage, PSNR_CAP } from '../../src/eval/psnr.js';
import { evaluatePairs, pipeline } from '../../src/eval/pipeline.js';
import { writeRandomImage } from '../helpers/images.js';
import { adversarialUpdate } from '../../src/train/adversarial.js';
import { RunDir } from '../../src/train/run.js';
import { ROOT } from '../helpers/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-inputs-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const b2b = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), ...args], { encoding: 'utf8' });

describe('weights', () => {
  test('NaN or Inf in a weights file is refused, naming the file and tensor; nothing leaks', () => {
    const f = join(root, 'nan.safetensors');
    writeSafetensors(
      f,
      new Map([
        ['ok', rawFromNumbers('float32', [2], [1, 2])],
        ['conv.weight', rawFromNumbers('float32', [3], [0, NaN, 1])],
      ]),
      { arch: 'nafnet-small', kind: 'deblurrer' },
    );
    const before = liveTensors();
    assert.throws(() => loadWeights(f), new RegExp(`${f}: tensor 'conv\\.weight' holds NaN or infinite values`));
    assert.equal(liveTensors(), before);
    assert.throws(() => loadDeblurrer(f), /holds NaN or infinite values/);
    const r = b2b('weights', 'import', f, '--arch', 'nafnet-small', '--out', join(root, 'x.safetensors'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /conv\.weight' holds NaN/);
  });

  test('non-finite weights are never written', () => {
    const f = join(root, 'never.safetensors');
    scope(() =>
      assert.throws(
        () => saveWeights(f, new Map([['w', tensor([1, Infinity])]])),
        /never\.safetensors: not written: tensor 'w' holds NaN or infinite values/,
      ),
    );
    assert.equal(existsSync(f), false);
  });

  test('a file records its kind: a translator is not a deblurrer, nor the reverse', () => {
    assert.throws(() => loadDeblurrer(join(ROOT, 'weights/g-rsblur-like-small')), /holds a translator, not a deblurrer/);
    assert.throws(() => loadTranslator(join(ROOT, 'weights/dk-gopro-like-nafnet-small')), /holds a deblurrer, not a translator/);
  });

  test('a .pth view may not expand its storage by more than 64 MiB (stride 0)', () => {
    const f = join(root, 'expand.pth');
    const py = spawnSync(
      '/usr/bin/python3',
      ['-c', `import torch; torch.save({'w': torch.zeros(6).as_strided((20000, 20000), (0, 0))}, '${f}')`],
      { encoding: 'utf8' },
    );
    assert.equal(py.status, 0, py.stderr);
    assert.ok(statSync(f).size < 4096, 'a small file');
    const before = process.memoryUsage().rss;
    assert.throws(
      () => loadWeights(f),
      /expand\.pth: tensor of shape \[20000, 20000\] \(strides \[0, 0\]\) expands its storage of 6 elements by more than 64 MiB/,
    );
    assert.ok(process.memoryUsage().rss - before < 256 * 2 ** 20, 'nothing large was allocated');
  });
});

describe('configs and cameras', () => {
  test('prototype names are unknown keys and unknown presets', () => {
    assert.throws(() => loadCamera('toString'), /toString: not a camera preset/);
    const f = join(root, 'cam.json');
    const cam = { ...loadCamera('gopro-like') } as Record<string, unknown>;
    writeFileSync(f, JSON.stringify(cam).replace(/^\{/, '{"__proto__": {"x": 1}, '));
    assert.throws(() => loadCamera(f), /unknown key '__proto__'/);
    const r = b2b('simulate', '--camera', 'constructor', '--out', join(root, 'sim'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /constructor: not a camera preset/);
    assert.equal(b2b('toString').status, 2, 'an unknown command, not a method of Object');
  });

  test('training refuses bad settings before it creates anything', () => {
    for (const [flag, value, message] of [
      ['--batch', '0', /--batch must be an integer ≥ 1, got '0'/],
      ['--val-every', '0', /--val-every must be an integer ≥ 1, got '0'/],
      ['--betas', '2,-1', /--betas must be two numbers \[a, b\], each in \[0, 1\)/],
      ['--lr', 'NaN', /--lr must be a number in \(0, 1\], got 'NaN'/],
    ] as const) {
      const out = join(root, `run-${flag.slice(2)}`);
      const r = b2b('train', 'deblur', '--pairs', root, '--out', out, flag, value);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(existsSync(out), false, `${flag} ${value}: no run folder`);
    }
    // Data that cannot be read: the error comes before the run folder exists, so the same --out works once fixed.
    const out = join(root, 'run-nodata');
    const r = b2b('train', 'deblur', '--pairs', join(root, 'no-such-folder'), '--out', out);
    assert.equal(r.status, 1);
    assert.equal(existsSync(out), false);
  });

  test('a resume removes the temporaries of an interrupted checkpoint write', () => {
    const dir = join(root, 'stale');
    const run = RunDir.create(dir, { kind: 'deblur' });
    writeFileSync(join(dir, 'checkpoints', '.latest.safetensors.123.abc.tmp'), 'half a checkpoint');
    writeFileSync(join(dir, 'checkpoints', 'latest.safetensors'), 'kept');
    run.ensureFolders();
    assert.deepEqual(readdirSync(join(dir, 'checkpoints')), ['latest.safetensors']);
  });
});

describe('the discriminator step is guarded', () => {
  test('a non-finite D loss or gradient updates nothing and is reported', () => {
    const d = new Conv2d(1, 1, 1);
    const opt = new Adam(d.parameters(), { lr: 0.1 });
    const w0 = d.weight.toNumbers();
    scope(() => {
      const x = rand([1, 1, 4, 4], { generator: new Generator(1) });
      const nanLoss = adversarialUpdate(
        d,
        opt,
        () => d.forward(x).mean().mul(NaN),
        () => 'g',
      );
      assert.deepEqual([nanLoss.nonFinite, nanLoss.nonFinite && nanLoss.what], [true, 'discriminator loss']);
      // Finite loss, infinite gradient: d/dw sqrt(w − w) at 0.
      const infGrad = adversarialUpdate(
        d,
        opt,
        () => d.weight.sub(d.weight.detach()).sqrt().sum(),
        () => 'g',
      );
      assert.deepEqual([infGrad.nonFinite, infGrad.nonFinite && infGrad.what], [true, 'discriminator gradient']);
      assert.deepEqual(d.weight.toNumbers(), w0, 'D unchanged');
      const ok = adversarialUpdate(
        d,
        opt,
        () => d.forward(x).mean(),
        () => d.weight.requiresGrad,
      );
      assert.deepEqual([ok.nonFinite, !ok.nonFinite && ok.generator], [false, false], "G's loss is computed with D frozen");
      assert.equal(d.weight.requiresGrad, true, 'D trainable again');
      assert.notDeepEqual(d.weight.toNumbers(), w0, 'a finite step updates D');
    });
    d.dispose();
    opt.dispose();
  });
});

describe('evaluation counts every image', () => {
  test('PSNR is capped at 100 dB, so identical images count in the mean', async () => {
    scope(() => {
      const x = rand([2, 3, 16, 16], { generator: new Generator(2) });
      assert.deepEqual(psnrPerImage(x, x), [PSNR_CAP, PSNR_CAP]);
    });
    const dir = join(root, 'same-pairs');
    for (const sub of ['blur', 'sharp']) mkdirSync(join(dir, sub), { recursive: true });
    for (const [i, name] of ['a.png', 'b.png'].entries()) {
      await writeRandomImage(join(dir, 'blur', name), 16, 16, 10 + i, { scale: i === 0 ? 1 : 0.5 });
      await writeRandomImage(join(dir, 'sharp', name), 16, 16, 10 + i);
    }
    const pairs = ['a.png', 'b.png'].map((n) => ({ blurry: join(dir, 'blur', n), sharp: join(dir, 'sharp', n), scene: n }));
    const s = await evaluatePairs(
      pairs,
      pipeline((x) => x, null),
    );
    assert.equal(s.images, 2);
    assert.equal(s.perImage[0]!.psnr, 100);
    assert.ok(Math.abs(s.psnr - (100 + s.perImage[1]!.psnr) / 2) < 1e-9, 'both images in the mean');
    const r = b2b('eval', '--pred', join(dir, 'sharp'), '--gt', join(dir, 'sharp'), '--csv', join(root, 'p.csv'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| prediction \| 100\.00 \| 1\.0000 \|/);
    assert.equal(
      spawnSync('head', ['-1', join(root, 'p.csv')], { encoding: 'utf8' }).stdout,
      'image,psnr,ssim\n',
      'no input columns without an input',
    );
  });

  test('an image too small for SSIM is named', async () => {
    const dir = join(root, 'tiny');
    for (const sub of ['blur', 'sharp']) mkdirSync(join(dir, sub), { recursive: true });
    await writeRandomImage(join(dir, 'blur', 't.png'), 8, 8, 1);
    await writeRandomImage(join(dir, 'sharp', 't.png'), 8, 8, 2);
    await assert.rejects(
      evaluatePairs([{ blurry: join(dir, 'blur', 't.png'), sharp: join(dir, 'sharp', 't.png'), scene: 't' }], (x) => x),
      /blur\/t\.png: ssim: images must be at least 11×11/,
    );
  });
});

describe('videos', () => {
  test('a truncated mp4 whose index comes first is an error, not a short output', async () => {
    const f = join(root, 'clip.mp4');
    const g = new Generator(3);
    const frames24 = Array.from({ length: 24 }, () => rand([3, 64, 64], { generator: g }));
    try {
      await writeVideo(f, frames24, { fps: 24 });
    } finally {
      for (const t of frames24) t.dispose();
    }
    const full = statSync(f).size;
    truncateSync(f, Math.floor(full * 0.5));
    const info = await probeVideo(f);
    assert.equal(info.frames, 24, 'the index (first: faststart) still lists every frame');
    const frames: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const fr of readFrames(f)) {
          frames.push(1);
          fr.dispose();
        }
      })(),
      /clip\.mp4: decoded \d+ of the 24 frames its index lists: the file is truncated or damaged/,
    );
    assert.ok(frames.length < 24);
  });
});
