// What the command line prints: "did you mean", exit 2 for every missing option, per-subcommand help,
// --version, --json where scripts need it, one progress display (terminal, lines, quiet, JSON), CSV quoting.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskProgress } from '../../src/cli/progress.js';
import { ROOT } from '../helpers/fixtures.js';
import { writeRandomImage } from '../helpers/images.js';

const b2b = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), ...args], { encoding: 'utf8' });
const root = mkdtempSync(join(tmpdir(), 'b2b-output-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** A stream that keeps what is written. */
function sink(): NodeJS.WriteStream & { text: string } {
  const s = { text: '', isTTY: false, write: (c: string) => ((s.text += c), true) };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('the command line', () => {
  test('mistyped commands, subcommands and flags get "did you mean"', () => {
    assert.match(b2b('trian').stderr, /unknown command 'trian' \(did you mean 'train'\?\)/);
    assert.match(b2b('train', 'deblr').stderr, /unknown train subcommand 'deblr' \(did you mean 'deblur'\?\)/);
    const r = b2b('eval', '--deblurer', 'x');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option '--deblurer' \(did you mean '--deblurrer'\?\)/);
    assert.match(b2b('train', 'translator', '--lamda-gp', '1').stderr, /did you mean '--lambda-gp'/);
  });

  test('every command exits 2 when a required option is missing', () => {
    for (const args of [
      ['train'],
      ['train', 'deblur'],
      ['simulate'],
      ['make-known'],
      ['deblur'],
      ['eval'],
      ['weights'],
      ['weights', 'inspect'],
      ['data'],
      ['data', 'photos'],
      ['niqe'],
      ['niqe', 'score'],
      ['bench'],
      ['pilots'],
    ]) {
      const r = b2b(...args);
      assert.equal(r.status, 2, `b2b ${args.join(' ')}: ${r.stderr}`);
    }
  });

  test('--version comes from package.json; the top-level help lists every command', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(b2b('--version').stdout.trim(), version);
    const help = b2b('--help').stdout;
    for (const c of [
      'demo',
      'info',
      'weights inspect',
      'weights export',
      'weights import',
      'simulate',
      'data domain',
      'train deblur',
      'train translator',
      'make-known',
      'deblur',
      'eval',
      'bench',
      'niqe',
      'pilots',
    ]) {
      assert.ok(help.includes(`  ${c}`), `the help lists ${c}`);
    }
  });

  test('every subcommand has its own --help with its own defaults', () => {
    const photos = b2b('data', 'photos', '--help');
    assert.equal(photos.status, 0);
    assert.match(photos.stdout, /b2b data photos/);
    assert.doesNotMatch(photos.stdout, /b2b data average/);
    assert.match(b2b('train', 'kernel', '--help').stdout, /--crop N\s+side of the training crops, a multiple of 128 \(default 256\)/);
    assert.match(b2b('train', 'deblur', '--help').stdout, /--crop N\s+side of the training crops, pixels \(default 128\)/);
    assert.match(b2b('weights', 'export', '--help').stdout, /--checkpoint best\|latest\|final/);
    assert.match(b2b('train', '--help').stdout, /b2b train SUBCOMMAND --help/);
  });

  test('--json: info, weights inspect, niqe score and deblur print JSON a script can read', async () => {
    const info = JSON.parse(b2b('info', '--json').stdout) as { libtorch: string; devices: string[]; version: string };
    assert.ok(info.libtorch && info.devices.includes('cpu') && info.version);
    const w = JSON.parse(
      b2b('weights', 'inspect', join(ROOT, 'weights/dk-gopro-like-nafnet-small32/model.safetensors'), '--json').stdout,
    ) as { tensors: unknown[]; values: number };
    assert.equal(w.values, 6018019);
    const dir = join(root, 'imgs');
    mkdirSync(dir);
    await writeRandomImage(join(dir, 'a, b.png'), 128, 128, 1);
    await writeRandomImage(join(dir, 'c.png'), 128, 128, 2);
    const n = b2b('niqe', 'score', dir, '--json', '--csv', join(root, 'n.csv'));
    assert.equal(n.status, 0, n.stderr);
    const scores = JSON.parse(n.stdout) as { images: { image: string; niqe: number }[] };
    assert.equal(scores.images.length, 2);
    assert.match(readFileSync(join(root, 'n.csv'), 'utf8'), /^".*a, b\.png",/m, 'a comma in a file name is quoted');
    const d = b2b(
      'deblur',
      dir,
      '--translator',
      'none',
      '--deblurrer',
      join(ROOT, 'weights/dk-gopro-like-nafnet-small'),
      '--out',
      join(root, 'out'),
      '--json',
    );
    assert.equal(d.status, 0, d.stderr);
    const result = JSON.parse(d.stdout.trim().split('\n').pop()!) as { event: string; written: string[] };
    assert.equal(result.event, 'result');
    assert.equal(result.written.length, 2);
    const events = d.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; done: number; total: number });
    assert.deepEqual(events.at(-1), { ...events.at(-1), event: 'progress', done: 2, total: 2 });
  });

  test('training: progress lines on stderr, none with --quiet, the summary on stdout either way', async () => {
    const pairs = join(root, 'train-pairs');
    for (const [i, sub] of ['blur', 'sharp'].entries()) {
      mkdirSync(join(pairs, sub), { recursive: true });
      for (const n of ['a', 'b', 'c']) await writeRandomImage(join(pairs, sub, `${n}.png`), 96, 96, i * 10 + n.charCodeAt(0));
    }
    const run = (q: string[]) =>
      b2b(
        'train',
        'deblur',
        '--pairs',
        pairs,
        '--out',
        join(root, `run${q.length}`),
        '--steps',
        '3',
        '--batch',
        '2',
        '--crop',
        '64',
        '--val-every',
        '3',
        '--val-images',
        '1',
        ...q,
      );
    const loud = run([]);
    assert.equal(loud.status, 0, loud.stderr);
    assert.match(loud.stderr, /step 3\/3 {2}loss/);
    const quiet = run(['--quiet']);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    assert.match(quiet.stdout, /^finished at step 3\/3/);
  });

  test('one progress display: lines every few seconds and at the end, JSON events, or nothing', () => {
    const lines = sink();
    const p = new TaskProgress('eval', 'lines', 'images', 3600, lines);
    p.update(1, 4);
    p.update(2, 4);
    p.update(4, 4);
    assert.equal(lines.text.split('\n').filter(Boolean).length, 2, 'the first update and the last');
    assert.match(lines.text, /eval: 4\/4 images {2}[\d.]+\/s {2}ETA 0s\n$/);
    const json = sink();
    const j = new TaskProgress('deblur', 'json', 'frames', 3600, json);
    j.update(3, 3);
    j.note('skipped x');
    const [prog, note] = json.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual([prog!.event, prog!.done, prog!.total, note!.event, note!.message], ['progress', 3, 3, 'note', 'skipped x']);
    const quiet = sink();
    const q = new TaskProgress('x', 'quiet', 'items', 0, quiet);
    q.update(1, 1);
    q.note('n');
    assert.equal(quiet.text, '');
  });
});
