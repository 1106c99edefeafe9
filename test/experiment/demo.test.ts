// The demo on a few photos: the shipped D_K and translator on an unseen simulated camera, the table
// with both rows, and the report.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DATA } from '../../src/data/photos.js';
import { fewPhotos } from '../helpers/photos.js';
import { runDemo } from '../../src/experiment/demo.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-demo-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

describe('b2b demo', () => {
  test('fast mode: D_K alone and D_K∘G scored on the test scenes, report written', async () => {
    const photos = fewPhotos(join(root, 'photos'), 4);
    const out = join(root, 'out');
    const r = await runDemo({
      out,
      photos,
      shipped: join(REPO_DATA, '..', 'weights'),
      camera: 'rsblur-like',
      known: 'gopro-like',
      perPhoto: 2,
      seed: 0,
      say: () => {},
    });
    const cam = r.cameras['rsblur-like']!;
    assert.equal(cam.scores.dk!.images, 1);
    for (const m of ['dk', 'blur2blur'] as const) assert.ok(Number.isFinite(cam.scores[m]!.psnr));
    assert.ok(cam.scores.dk!.psnr > cam.input.psnr, 'D_K deblurs');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /Blur2Blur \+ D_K/);
    assert.match(html, /id="view-data"/, 'the report carries the viewer');
    assert.ok(existsSync(join(out, 'restored', 'rsblur-like', 'blur2blur')));
    await assert.rejects(
      runDemo({
        out,
        photos,
        shipped: join(root, 'none'),
        camera: 'rsblur-like',
        known: 'gopro-like',
        perPhoto: 2,
        seed: 0,
        say: () => {},
      }),
      /shipped weights missing/,
    );
  });
});
