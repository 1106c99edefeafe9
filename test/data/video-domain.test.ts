// An unknown-camera domain from averaged video: the time split with its gap, unpaired B and S,
// aligned blurry/sharp tiles, seeded positions, and errors that name the file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildVideoDomain } from '../../src/data/video-domain.js';

const W = 64, H = 48;

/** A frame whose pixel (x, y) is (x, y, code): a tile's first pixel tells where it was cut and from what. */
async function frame(file: string, code: number, w = W, h = H): Promise<void> {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set([x, y, code], (y * w + x) * 3);
  await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
}

/** A source of n windows: blur/NNNNNN.png carries code 2w + 1, sharp/ carries 2w. */
async function source(dir: string, n: number): Promise<void> {
  for (const d of ['blur', 'sharp']) mkdirSync(join(dir, d), { recursive: true });
  for (let w = 0; w < n; w++) {
    const name = `${String(w).padStart(6, '0')}.png`;
    await frame(join(dir, 'blur', name), 2 * w + 1);
    await frame(join(dir, 'sharp', name), 2 * w);
  }
}

async function firstPixel(file: string): Promise<[number, number, number]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, 16, `${file} is a 16-px tile`);
  return [data[0]!, data[1]!, data[2]!];
}

const ls = (d: string): string[] => readdirSync(d).sort();

let dir = '';
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'b2b-vdomain-'));
  await source(join(dir, 'clipA'), 12);
  await source(join(dir, 'clipB'), 8);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('buildVideoDomain', () => {
  test('splits each clip in time with a gap, alternates B and S, and keeps pairs aligned', async () => {
    const out = join(dir, 'dom');
    const s = await buildVideoDomain({ sources: [join(dir, 'clipA'), join(dir, 'clipB')], out, tile: 16, tilesPerWindow: 2, testFraction: 0.25, gap: 1 });
    // clipA: 12 windows → 3 test (9–11), gap 1 (8), train 0–7; clipB: 8 → 2 test (6–7), gap (5), train 0–4.
    assert.deepEqual(s.sources.map((x) => [x.train, x.test]), [[[0, 8], [9, 12]], [[0, 5], [6, 8]]]);
    assert.deepEqual(s.counts, { B: (4 + 3) * 2, S: (4 + 2) * 2, test: (3 + 2) * 2 });
    assert.deepEqual(ls(join(out, 'B')), ls(join(out, 'B-gt')));
    assert.deepEqual(ls(join(out, 'test', 'blur')), ls(join(out, 'test', 'sharp')));

    const windowsOf = async (d: string, blurry: boolean): Promise<Set<number>> => {
      const ws = new Set<number>();
      for (const f of ls(d)) {
        const [, , code] = await firstPixel(join(d, f));
        assert.equal(code % 2, blurry ? 1 : 0, `${d}/${f} comes from the ${blurry ? 'blurry' : 'sharp'} frames`);
        ws.add(((code - (code % 2)) / 2) * 100 + (f.startsWith('clipA') ? 0 : 1));
      }
      return ws;
    };
    const bWin = await windowsOf(join(out, 'B'), true);
    const sWin = await windowsOf(join(out, 'S'), false);
    const tWin = await windowsOf(join(out, 'test', 'sharp'), false);
    for (const w of bWin) assert.equal(Math.floor(w / 100) % 2, 0, 'B comes from even windows');
    for (const w of sWin) assert.equal(Math.floor(w / 100) % 2, 1, 'S comes from odd windows');
    for (const w of bWin) assert.ok(!sWin.has(w), 'B and S share no window');
    const testA = [...tWin].filter((w) => w % 100 === 0).map((w) => w / 100);
    assert.deepEqual(testA.sort((a, b) => a - b), [9, 10, 11]);

    for (const [bd, sd] of [['B', 'B-gt'], [join('test', 'blur'), join('test', 'sharp')]] as const) {
      for (const f of ls(join(out, bd))) {
        const [bx, by] = await firstPixel(join(out, bd, f));
        const [sx, sy] = await firstPixel(join(out, sd, f));
        assert.deepEqual([bx, by], [sx, sy], `${f}: blurry and sharp tiles are cut at the same place`);
      }
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { kind: string; counts: unknown };
    assert.equal(manifest.kind, 'video-domain');
    assert.deepEqual(manifest.counts, s.counts);
  });

  test('the same seed cuts the same tiles; another seed cuts others', async () => {
    const cuts = async (seed: number, name: string): Promise<string> => {
      const out = join(dir, name);
      await buildVideoDomain({ sources: [join(dir, 'clipA')], out, tile: 16, tilesPerWindow: 3, gap: 1, seed });
      const px: number[] = [];
      for (const f of ls(join(out, 'B'))) px.push(...await firstPixel(join(out, 'B', f)));
      return px.join(',');
    };
    const a = await cuts(5, 's5a'), b = await cuts(5, 's5b'), c = await cuts(6, 's6');
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  test('--scale resizes each frame before tiling, so tiles cover twice the scene at 0.5', async () => {
    const out = join(dir, 'half');
    await buildVideoDomain({ sources: [join(dir, 'clipA')], out, tile: 16, scale: 0.5, gap: 1 });
    for (const f of ls(join(out, 'B'))) {
      const { data, info } = await sharp(join(out, 'B', f)).raw().toBuffer({ resolveWithObject: true });
      // The frame's red channel is x, so across a tile of the half-size frame it rises by about 2 × 15.
      const rise = data[(info.width - 1) * 3]! - data[0]!;
      assert.ok(rise >= 28 && rise <= 32, `${f}: red rises by ${rise} across the tile`);
    }
    await assert.rejects(buildVideoDomain({ sources: [join(dir, 'clipA')], out, tile: 32, scale: 0.5 }), /000000\.png: 32×24 at scale 0\.5 is smaller than the 32-px tile/);
    await assert.rejects(buildVideoDomain({ sources: [join(dir, 'clipA')], out, scale: 2 }), /scale must be in \(0, 1\], got 2/);
  });

  test('errors name the folder or file and the problem', async () => {
    const out = join(dir, 'bad');
    await assert.rejects(buildVideoDomain({ sources: [join(dir, 'clipB')], out, tile: 64 }), /clipB.*000000\.png: 64×48 is smaller than the 64-px tile/);
    await assert.rejects(buildVideoDomain({ sources: [join(dir, 'clipB')], out, tile: 16, testFraction: 0.5, gap: 3 }), /clipB: 8 windows leave 1 for training/);
    const odd = join(dir, 'odd');
    await source(odd, 6);
    rmSync(join(odd, 'sharp', '000003.png'));
    await assert.rejects(buildVideoDomain({ sources: [odd], out, tile: 16 }), /odd: blur\/ and sharp\/ must hold the same file names \(6 and 5 images\)/);
    const mism = join(dir, 'mism');
    await source(mism, 6);
    await frame(join(mism, 'sharp', '000000.png'), 0, 40, 40);
    await assert.rejects(buildVideoDomain({ sources: [mism], out, tile: 16 }), /mism\/sharp\/000000\.png: 40×40, but its blurry image .*000000\.png is 64×48/);
    await assert.rejects(buildVideoDomain({ sources: [], out }), /at least one source/);
  });
});
