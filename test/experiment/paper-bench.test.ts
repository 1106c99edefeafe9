// The whole experiment on a tiny scale: 4 photos, one crop each, a few steps per model. Every stage
// runs, the table has every method, the report is written, and a second run skips every stage.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCamera } from '../../src/data/camera/config.js';
import { REPO_DATA } from '../../src/data/photos.js';
import { fewPhotos } from '../helpers/photos.js';
import { checkDomain, runBench, type BenchOptions } from '../../src/experiment/paper-bench.js';
import type { ViewManifest } from '../../src/report/viewer/manifest.js';
import { METHODS } from '../../src/experiment/results.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-bench-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

export function tinyBench(out: string, photos: string): BenchOptions {
  return {
    out,
    photos,
    known: loadCamera('gopro-like'),
    cameras: [loadCamera('rsblur-like')],
    seed: 0,
    perPhoto: 2,
    batch: 2,
    budget: { translator: 5, baseline: 5, deblurrer: 5, kernel: 5 },
    steps: { translator: 2, baseline: 2, cyclegan: 2, deblurrer: 2, kernel: 2, classifier: 2 },
    retrain: new Set(['kw']),
    kRoute: 'kernel',
    shipped: join(REPO_DATA, '..', 'weights'),
    translator: { valEvery: 2, ckptEvery: 2, valImages: 2 },
    methods: [...METHODS],
    bsRatios: [1],
    say: () => {},
  };
}

describe('b2b bench', () => {
  test('tiny end-to-end run: every method scored, table and report written, a rerun skips every stage', async () => {
    const photos = fewPhotos(join(root, 'photos'), 4);
    const out = join(root, 'out');
    const r = await runBench(tinyBench(out, photos));
    const cam = r.cameras['rsblur-like']!;
    for (const m of METHODS) {
      assert.ok(Number.isFinite(cam.scores[m]?.psnr), `${m} scored`);
      assert.ok(cam.scores[m]!.ssim > 0 && cam.scores[m]!.ssim <= 1);
    }
    assert.match(cam.runs.dk!, /weights\/dk-gopro-like-nafnet-small32$/, 'the shipped D_K is used');
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    assert.match(md, /\| method \| rsblur-like \|/);
    assert.match(md, /Blur2Blur \+ D_K \|/);
    assert.match(md, /\| gain \(PSNR dB \/ SSIM\) \| [+-]\d+\.\d\d \/ [+-]\d\.\d{3} \|/);
    assert.match(md, /\| room: upper bound − D_K alone \(dB\) \| [+-]\d+\.\d\d \|/);
    assert.match(md, /\| margin over the fixed low-pass reference \(dB\) \| [+-]\d+\.\d\d \|/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /Blur2Blur \+ D_K against D_K alone: rsblur-like [+-]\d+\.\d\d dB/);
    // The translator checked without ground truth: the camera's blur-domain classifier on y, G(y) and the known blur.
    const d = cam.domain!;
    assert.equal(d.input.images, cam.scores.dk!.images);
    for (const v of [d.input, d.translated, d.known]) assert.ok(v.knownShare >= 0 && v.knownShare <= 1);
    assert.match(md, /\| G\(y\), after the translator \| \d+ % \|/);
    assert.match(html, /blur-domain classifier calls known-blur, as shot → after G: rsblur-like \d+ % → \d+ %/);
    assert.match(html, /<table class="results">/);
    // The viewer over every test image and every method: restorations kept, error maps written.
    const view = JSON.parse(/<script type="application\/json" id="view-data">(.*?)<\/script>/s.exec(html)![1]!) as ViewManifest;
    const set = view.sets[0]!;
    assert.deepEqual(
      set.columns.map((c) => c.id),
      ['input', ...METHODS, 'gt'],
    );
    assert.equal(set.images.length, cam.scores.dk!.images);
    for (const im of set.images)
      for (const m of METHODS) {
        assert.ok(existsSync(join(out, im.files[m]!)) && existsSync(join(out, im.errors[m]!)), `${m}: ${im.name} and its error map`);
        assert.ok(Number.isFinite(im.scores[m]!.psnr));
      }
    // The per-image means are the table's.
    const mean = (m: string) => set.images.reduce((a, im) => a + im.scores[m]!.psnr!, 0) / set.images.length;
    assert.ok(Math.abs(mean('blur2blur') - cam.scores.blur2blur!.psnr) < 1e-6);
    assert.ok(existsSync(join(out, 'results.json')));
    const ratio = cam.ratios![0]!;
    assert.equal(ratio.ratio, 1);
    assert.equal(ratio.bImages, ratio.sImages);
    assert.ok(Number.isFinite(ratio.psnr));
    assert.match(md, /B:S ratio ablation, rsblur-like/);
    const again = await runBench(tinyBench(out, photos));
    const trained = again.stages.filter((s) => s.status !== 'skipped' && !s.stage.startsWith('evaluate'));
    assert.deepEqual(trained, [], 'a rerun skips every finished stage');
  });

  test('a prepared folder is benchmarked as an unknown camera under its own name; K is written outside it', async () => {
    const photos = join(root, 'photos');
    const domain = join(root, 'my-video');
    cpSync(join(root, 'out', 'data', 'rsblur-like'), domain, { recursive: true, filter: (f) => !/\/K(-sim)?$/.test(f) });
    const out = join(root, 'out-domain');
    const r = await runBench({
      ...tinyBench(out, photos),
      cameras: [],
      domains: [{ name: 'video', dir: domain }],
      kRoute: 'simulator',
      methods: ['dk', 'blur2blur', 'upper'],
      bsRatios: [],
    });
    assert.deepEqual(Object.keys(r.cameras), ['video']);
    for (const m of ['dk', 'blur2blur', 'upper'] as const) assert.ok(Number.isFinite(r.cameras['video']!.scores[m]?.psnr), `${m} scored`);
    assert.ok(existsSync(join(out, 'data', 'video', 'K-sim', 'manifest.json')), 'K beside the bench data');
    assert.ok(!existsSync(join(domain, 'K-sim')), 'nothing written into the given folder');
    assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /\| method \| video \|/);
    rmSync(join(domain, 'B-gt'), { recursive: true });
    assert.throws(() => checkDomain({ name: 'video', dir: domain }), /my-video: not an unknown-camera folder \(missing B-gt;/);
  });
});
