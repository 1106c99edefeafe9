// KernelWizard training and the known-blur set K: both routes, counts, determinism, clear errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, liveTensors, rand, randn, scope } from '../../src/tensor/index.js';
import { readImage, writeImage } from '../../src/data/image.js';
import { readWeightsMetadata } from '../../src/io/weights.js';
import { resolveKernelConfig, trainKernel } from '../../src/train/kernel.js';
import { downscaleLinear, makeKnownWithKernel, makeKnownWithSimulator } from '../../src/train/make-known.js';
import { loadCamera } from '../../src/data/camera/config.js';
import { writePairs } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-known-'));
const pairs = join(root, 'pairs'),
  sharp = join(root, 'S');
test.before(async () => {
  await writePairs(pairs, 3, 256);
  mkdirSync(sharp);
  const g = new Generator(2);
  for (let i = 0; i < 3; i++) {
    const t = rand([3, 256, 256], { generator: g });
    await writeImage(join(sharp, `s${i}.png`), t);
    t.dispose();
  }
});
test.after(() => rmSync(root, { recursive: true, force: true }));
const hashes = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .map((f) =>
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    );

describe('KernelWizard and K', () => {
  test('train kernel: steps, re-blur validation, weights with their arch; K by both routes', async () => {
    const run = join(root, 'kw');
    const before = liveTensors();
    const r = await trainKernel(
      resolveKernelConfig({ pairs, val: pairs, steps: 2, batch: 1, valEvery: 2, ckptEvery: 2, valImages: 2 }),
      run,
      { quiet: true },
    );
    assert.equal(r.steps, 2);
    assert.ok(Number.isFinite(r.lastValidation!.reblur_psnr!));
    assert.equal(readWeightsMetadata(r.weights).arch, 'kernel-wizard-small');

    const k1 = await makeKnownWithKernel({ kernel: run, pairs, sharp, out: join(root, 'K1'), seed: 4 });
    const k2 = await makeKnownWithKernel({ kernel: run, pairs, sharp, out: join(root, 'K2'), seed: 4 });
    assert.equal(k1.entries.length, 3);
    assert.deepEqual(hashes(join(root, 'K1')), hashes(join(root, 'K2')), 'same seed, same K');
    const s = await makeKnownWithSimulator({ camera: loadCamera('gopro-like'), sharp, out: join(root, 'K3'), seed: 1 });
    assert.equal(s.entries.length, 3);
    const k = (await readImage(join(root, 'K3', 's0.png'))).tensor,
      src = (await readImage(join(sharp, 's0.png'))).tensor;
    assert.ok(scope(() => k.sub(src).abs().mean().item()) > 0.01, 'the simulator route blurs');
    assert.ok(existsSync(join(root, 'K3', 'manifest.json')));
    k.dispose();
    src.dispose();
    assert.equal(liveTensors(), before);
  });

  test('simulator route with --downscale: S averaged in linear light first, so K is smaller and its noise lower', async () => {
    const before = liveTensors();
    // A flat grey image with white noise: block averaging keeps the mean and divides the noise by ~f.
    const noisyDir = join(root, 'noisy');
    mkdirSync(noisyDir);
    const g = new Generator(5);
    const img = scope(() => randn([3, 128, 130], { generator: g }).mul(0.05).add(0.5).clamp(0, 1));
    await writeImage(join(noisyDir, 'n.png'), img);
    img.dispose();
    const m = await makeKnownWithSimulator({
      camera: loadCamera('gopro-like'),
      sharp: noisyDir,
      out: join(root, 'K5'),
      seed: 1,
      downscale: 2,
    });
    assert.equal(m.downscale, 2);
    const k = (await readImage(join(root, 'K5', 'n.png'))).tensor;
    assert.deepEqual(k.shape, [3, 64, 65], 'floor(H/2) × floor(W/2)');
    const src = (await readImage(join(noisyDir, 'n.png'))).tensor;
    const [srcStd, kStd, kMean] = scope(() => [src.std().item(), k.std().item(), k.mean().item()]);
    assert.ok(kStd < srcStd / 2, `noise falls by more than the block size (blur too): ${kStd} vs ${srcStd}`);
    assert.ok(Math.abs(kMean - 0.5) < 0.03, `the mean brightness is kept in sRGB: ${kMean}`);
    // f = 1 is the plain route, byte for byte.
    await makeKnownWithSimulator({ camera: loadCamera('gopro-like'), sharp: noisyDir, out: join(root, 'K6'), seed: 1, downscale: 1 });
    await makeKnownWithSimulator({ camera: loadCamera('gopro-like'), sharp: noisyDir, out: join(root, 'K7'), seed: 1 });
    assert.deepEqual(hashes(join(root, 'K6')), hashes(join(root, 'K7')));
    assert.equal(JSON.parse(readFileSync(join(root, 'K7', 'manifest.json'), 'utf8')).downscale, undefined);
    const one = scope(() => src.unsqueeze(0));
    assert.throws(() => downscaleLinear(one, 5, 'n.png'), /n\.png: 130×128 is too small to downscale by 5/);
    const same = downscaleLinear(one, 1, 'n.png');
    assert.equal(
      scope(() => same.sub(one).abs().max().item()),
      0,
    );
    for (const t of [k, src, one, same]) t.dispose();
    await assert.rejects(
      makeKnownWithSimulator({ camera: loadCamera('gopro-like'), sharp: noisyDir, out: join(root, 'K8'), seed: 1, downscale: 1.5 }),
      /downscale must be a positive integer, got 1\.5/,
    );
    assert.equal(liveTensors(), before);
  });

  test('resolveKernelConfig and make-known refuse what cannot work', async () => {
    assert.throws(() => resolveKernelConfig({ pairs, crop: 200 }), /'crop' must be an integer ≥ 256, got 200/);
    assert.throws(() => resolveKernelConfig({ pairs, crop: 300 }), /crop must be a multiple of 128, got 300/);
    assert.throws(() => resolveKernelConfig({ pairs, arch: 'nafnet-small' }), /arch must be a KernelWizard id/);
    const small = join(root, 'small');
    mkdirSync(small);
    const t = rand([3, 100, 120]);
    await writeImage(join(small, 'tiny.png'), t);
    t.dispose();
    await assert.rejects(
      makeKnownWithKernel({ kernel: join(root, 'kw'), pairs, sharp: small, out: join(root, 'K4'), seed: 0 }),
      /tiny\.png: 120×100 is too small for the KernelWizard route/,
    );
  });
});
