// The b2b command line: exit codes, messages, and weight conversion end to end.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '../../src/io/safetensors.js';
import { ROOT, fixturePath } from '../helpers/fixtures.js';

const b2b = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), ...args], { encoding: 'utf8' });

describe('b2b', () => {
  test('help and unknown commands', () => {
    assert.match(b2b('--help').stdout, /usage: b2b <command>/);
    const r = b2b('frobnicate');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });
  test('info reports the engine', () => {
    const r = b2b('info');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /libtorch \d+\.\d+/);
    assert.match(r.stdout, /threads\s+\d+/);
  });
  test('weights convert writes safetensors with the same tensors; bad files fail with the file named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'b2b-cli-'));
    try {
      const out = join(dir, 'w.safetensors');
      const r = b2b('weights', 'convert', fixturePath('pth/wrapped_params.pth'), '--out', out);
      assert.equal(r.status, 0, r.stderr);
      const st = readSafetensors(out);
      assert.equal(st.tensors.size, 9);
      assert.deepEqual(st.tensors.get('0.weight')!.shape, [3, 2, 3, 3]);
      const inspect = b2b('weights', 'inspect', out);
      assert.match(inspect.stdout, /9 tensors, 80 values/);
      const bad = b2b('weights', 'inspect', fixturePath('pth/malicious_os_system.pth'));
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /malicious_os_system\.pth: unsupported pickle global 'os\.system'/);
      const missing = b2b('weights', 'convert', join(dir, 'none.pth'), '--out', out);
      assert.match(missing.stderr, /none\.pth: no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('b2b weights import', () => {
  test('a matching checkpoint is stored with its architecture; a mismatched one is refused with the keys listed', async () => {
    const { PatchGAN, seedWeights } = await import('../../src/models/index.js');
    const { saveWeights } = await import('../../src/io/weights.js');
    const dir = mkdtempSync(join(tmpdir(), 'b2b-import-'));
    const d = new PatchGAN('small');
    try {
      seedWeights(d, 1);
      saveWeights(join(dir, 'd.safetensors'), d.stateDict());
      const out = join(dir, 'imported.safetensors');
      const r = b2b('weights', 'import', join(dir, 'd.safetensors'), '--arch', 'patchgan-small', '--out', out);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /match patchgan-small \(694,241 parameters\)/);
      assert.equal(readSafetensors(out).metadata.arch, 'patchgan-small');
      const bad = b2b('weights', 'import', fixturePath('models/tiny_patchgan.pth'), '--arch', 'patchgan', '--out', out);
      assert.equal(bad.status, 1);
      assert.match(
        bad.stderr,
        /tiny_patchgan\.pth does not match the model: wrong shapes: model\.0\.weight \(model \[64, 3, 4, 4\], given \[8, 3, 4, 4\]\)/,
      );
      assert.match(b2b('weights', 'import', out, '--arch', 'nafnet-huge', '--out', out).stderr, /unknown architecture 'nafnet-huge'/);
    } finally {
      d.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('b2b train budgets', () => {
  test('--minutes must be positive, for every training command', () => {
    for (const cmd of [
      ['train', 'deblur', '--pairs', 'x'],
      ['train', 'synthetic', '--sharp', 'x'],
      ['train', 'translator', '--blur', 'b', '--known', 'k'],
    ]) {
      const r = b2b(...cmd, '--out', join(tmpdir(), 'never-made'), '--minutes', 'soon');
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--minutes must be a positive number, got 'soon'/);
    }
  });
});

describe('b2b eval and deblur', () => {
  test('eval --pred --gt scores by name; deblur and eval name what is missing', async () => {
    const { Generator, rand } = await import('../../src/tensor/index.js');
    const { writeImage } = await import('../../src/data/image.js');
    const dir = mkdtempSync(join(tmpdir(), 'b2b-eval-'));
    try {
      const g = new Generator(4);
      for (const sub of ['pred', 'gt']) {
        const t = rand([3, 24, 24], { generator: g });
        const { mkdirSync } = await import('node:fs');
        mkdirSync(join(dir, sub));
        await writeImage(join(dir, sub, 'a.png'), t);
        t.dispose();
      }
      const r = b2b('eval', '--pred', join(dir, 'pred'), '--gt', join(dir, 'gt'), '--json', join(dir, 's.json'));
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /1 images\n\| \| PSNR \(dB\) \| SSIM \|/);
      assert.match(r.stdout, /no border crop/);
      assert.equal(b2b('eval', '--pred', join(dir, 'pred')).status, 2);
      // A low-pass reference in place of a translator, with its σ recorded.
      const { symlinkSync, readFileSync } = await import('node:fs');
      symlinkSync(join(dir, 'pred'), join(dir, 'blur'));
      symlinkSync(join(dir, 'gt'), join(dir, 'sharp'));
      const dk = join(ROOT, 'weights', 'dk-gopro-like-nafnet-small');
      const pre = b2b('eval', '--pairs', dir, '--deblurrer', dk, '--prefilter', '0.8', '--json', join(dir, 'p.json'));
      assert.equal(pre.status, 0, pre.stderr);
      assert.match(pre.stdout, /D\(Gaussian σ 0\.8 of y\)/);
      const summary = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as { prefilter: number; psnr: number };
      assert.equal(summary.prefilter, 0.8);
      assert.ok(Number.isFinite(summary.psnr));
      assert.match(
        b2b('eval', '--pairs', dir, '--deblurrer', dk, '--prefilter', '0').stderr,
        /--prefilter is a σ in pixels in \(0, 10\], got '0'/,
      );
      assert.match(
        b2b('eval', '--pairs', dir, '--deblurrer', dk, '--prefilter', '1', '--translator', dk).stderr,
        /--prefilter replaces the translator/,
      );
      const noWeights = b2b(
        'deblur',
        join(dir, 'pred'),
        '--translator',
        'none',
        '--deblurrer',
        join(dir, 'nothing'),
        '--out',
        join(dir, 'o'),
      );
      assert.equal(noWeights.status, 1);
      assert.match(noWeights.stderr, /nothing: no model\.safetensors/);
      assert.match(b2b('deblur', join(dir, 'pred')).stderr, /give INPUT, --translator \(or none\), --deblurrer and --out/);
      const tiles = ['--translator', 'none', '--deblurrer', dk, '--out', join(dir, 'o')];
      assert.match(b2b('deblur', join(dir, 'pred'), ...tiles, '--tile', '32').stderr, /deblur: --tile must be an integer ≥ 64, got '32'/);
      assert.match(
        b2b('deblur', join(dir, 'pred'), ...tiles, '--tile', '128', '--overlap', '128').stderr,
        /deblur: --overlap must be an integer in \[0, tile\) = \[0, 128\), got '128'/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('data domain and bench --domains name a missing folder; data domain needs sources and numeric options', () => {
    const none = b2b('data', 'domain', '--out', join(tmpdir(), 'b2b-none'));
    assert.equal(none.status, 2);
    assert.match(none.stderr, /data domain: give one or more PAIRS folders/);
    const bad = b2b('data', 'domain', 'x', '--out', join(tmpdir(), 'b2b-none'), '--tile', 'big');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--tile must be a number, got 'big'/);
    const missing = b2b('data', 'domain', join(tmpdir(), 'b2b-no-such-clip'), '--out', join(tmpdir(), 'b2b-none'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /b2b-no-such-clip\/blur: cannot list folder/);
    const bench = b2b(
      'bench',
      '--out',
      join(tmpdir(), 'b2b-none'),
      '--cameras',
      '',
      '--domains',
      `clip=${join(tmpdir(), 'b2b-no-such-clip')}`,
    );
    assert.equal(bench.status, 1);
    assert.match(bench.stderr, /b2b-no-such-clip: not an unknown-camera folder \(missing B, B-gt, S, test\/blur, test\/sharp;/);
  });
});

describe('b2b make-known', () => {
  test('--downscale (make-known) and --k-downscale (bench) must be positive integers, for the simulator route', () => {
    const bad = b2b('make-known', '--camera', 'gopro-like', '--sharp', 'S', '--out', join(tmpdir(), 'never-made'), '--downscale', '0.5');
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--downscale must be a positive integer, got '0\.5'/);
    const kernel = b2b(
      'make-known',
      '--kernel',
      'kw',
      '--pairs',
      'p',
      '--sharp',
      'S',
      '--out',
      join(tmpdir(), 'never-made'),
      '--downscale',
      '2',
    );
    assert.equal(kernel.status, 2, kernel.stderr);
    assert.match(kernel.stderr, /--downscale is for the simulator route/);
    const bench = b2b('bench', '--out', join(tmpdir(), 'b2b-none'), '--k-downscale', '1.5');
    assert.equal(bench.status, 2, bench.stderr);
    assert.match(bench.stderr, /bench: --k-downscale must be a positive integer, got '1\.5'/);
    const route = b2b('bench', '--out', join(tmpdir(), 'b2b-none'), '--k-route', 'kernel', '--k-downscale', '2');
    assert.equal(route.status, 2, route.stderr);
    assert.match(route.stderr, /--k-downscale is for the simulator route/);
  });
});
