// b2b view and eval --save: a page from folders or from an evaluation folder; columns by role; the
// output folder is never someone else's; bad specs are usage errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ViewManifest } from '../../src/report/viewer/manifest.js';
import { ROOT } from '../helpers/fixtures.js';
import { writeRandomImage } from '../helpers/images.js';

const b2b = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), ...args], { encoding: 'utf8' });
const root = mkdtempSync(join(tmpdir(), 'b2b-view-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** The manifest a page carries. */
function manifestOf(page: string): ViewManifest {
  const html = readFileSync(page, 'utf8');
  return JSON.parse(/<script type="application\/json" id="view-data">(.*?)<\/script>/s.exec(html)![1]!) as ViewManifest;
}

async function folders(dir: string, subs: string[], names = ['x', 'y']): Promise<void> {
  for (const [i, s] of subs.entries()) {
    mkdirSync(join(dir, s), { recursive: true });
    for (const [j, n] of names.entries()) await writeRandomImage(join(dir, s, `${n}.png`), 100, 100, 10 * i + j);
  }
}

describe('b2b view', () => {
  test('from folders: columns in the order given, scores against the ground truth, its own output folder only', async () => {
    const d = join(root, 'a');
    await folders(d, ['in', 'm1', 'm2', 'truth']);
    const out = join(d, 'page');
    const args = ['view', '--input', join(d, 'in'), '--method', `first=${join(d, 'm1')}`, '--method', `second=${join(d, 'm2')}`];
    const r = b2b(...args, '--gt', join(d, 'truth'), '--out', out, '--quiet');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /index\.html: 2 images in 1 set, 4 columns/);
    const m = manifestOf(join(out, 'index.html'));
    assert.deepEqual(
      m.sets[0]!.columns.map((c) => [c.label, c.role]),
      [
        ['input', 'input'],
        ['first', 'method'],
        ['second', 'method'],
        ['ground truth', 'gt'],
      ],
    );
    assert.ok(m.sets[0]!.images.every((i) => Number.isFinite(i.scores.first!.psnr) && existsSync(join(out, i.errors.second!))));
    // Again into the same folder: it is the viewer's own.
    assert.equal(b2b(...args, '--out', out, '--quiet').status, 0);
    // Never into a folder with someone else's files.
    const theirs = join(d, 'theirs');
    mkdirSync(theirs);
    writeFileSync(join(theirs, 'index.html'), 'mine');
    const refused = b2b(...args, '--out', theirs);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /theirs: a folder with other files in it/);
    assert.equal(readFileSync(join(theirs, 'index.html'), 'utf8'), 'mine');
  });

  test('without ground truth the scores are NIQE; an evaluation folder gives columns by their names', async () => {
    const d = join(root, 'b');
    await folders(d, ['blurry', 'zeta', 'alpha', 'sharp']);
    const r = b2b('view', d, '--out', join(root, 'b-page'), '--quiet');
    assert.equal(r.status, 0, r.stderr);
    const m = manifestOf(join(root, 'b-page', 'index.html'));
    assert.deepEqual(
      m.sets[0]!.columns.map((c) => [c.label, c.role]),
      [
        ['blurry', 'input'],
        ['alpha', 'method'],
        ['zeta', 'method'],
        ['sharp', 'gt'],
      ],
    );
    const nr = b2b('view', '--input', join(d, 'blurry'), '--method', `z=${join(d, 'zeta')}`, '--out', join(root, 'b-niqe'), '--quiet');
    assert.equal(nr.status, 0, nr.stderr);
    const n = manifestOf(join(root, 'b-niqe', 'index.html')).sets[0]!;
    assert.equal(n.referenced, false);
    assert.ok(n.images.every((i) => Number.isFinite(i.scores.z!.niqe) && Object.keys(i.errors).length === 0));
  });

  test('usage errors exit 2', () => {
    assert.equal(b2b('view').status, 2);
    const bad = b2b('view', '--input', root, '--method', 'noequals');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--method takes NAME=DIR, got 'noequals'/);
    assert.equal(b2b('view', root, '--input', root).status, 2);
  });

  test('eval --save writes an evaluation folder that b2b view opens', async () => {
    const d = join(root, 'c');
    await folders(d, ['blur', 'sharp'], ['p', 'q']);
    const ev = join(root, 'c-eval');
    const dk = join(ROOT, 'weights', 'dk-gopro-like-nafnet-small');
    const r = b2b('eval', '--pairs', d, '--deblurrer', dk, '--save', ev, '--quiet');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(ev, 'restored', 'p.png')) && existsSync(join(ev, 'view.json')));
    // It refuses a folder that is not empty.
    assert.equal(b2b('eval', '--pairs', d, '--deblurrer', dk, '--save', ev).status, 2);
    const v = b2b('view', ev, '--out', join(root, 'c-page'), '--quiet');
    assert.equal(v.status, 0, v.stderr);
    const m = manifestOf(join(root, 'c-page', 'index.html'));
    assert.deepEqual(
      m.sets[0]!.columns.map((c) => c.role),
      ['input', 'method', 'gt'],
    );
    assert.equal(m.sets[0]!.images.length, 2);
    assert.equal(m.sets[0]!.images[0]!.files.input, '../c/blur/p.png');
  });
});
