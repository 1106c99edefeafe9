// The benchmark generator end to end on a tiny photo folder: layout, manifest, disjoint splits,
// contact sheet, and byte-identical output for the same seed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, liveTensors, rand } from '../../src/tensor/index.js';
import { writeImage } from '../../src/data/image.js';
import { generateBenchmark, type BenchmarkManifest } from '../../src/data/benchmark.js';
import { loadCamera } from '../../src/data/camera/config.js';

async function photos(dir: string, n: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const g = new Generator(5);
  for (let i = 0; i < n; i++) {
    const t = rand([3, 72, 80], { generator: g });
    await writeImage(join(dir, `scene${i}.png`), t);
    t.dispose();
  }
}

const hashTree = (dir: string): Record<string, string> => Object.fromEntries(
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => { const f = join(e.parentPath, e.name); return [f.slice(dir.length), createHash('sha256').update(readFileSync(f)).digest('hex')]; }));

describe('generateBenchmark', () => {
  test('writes B, B-gt, S and test pairs from disjoint scenes, deterministically', async () => {
    const root = mkdtempSync(join(tmpdir(), 'b2b-bench-'));
    try {
      await photos(join(root, 'photos'), 6);
      const before = liveTensors();
      const run = (out: string): Promise<BenchmarkManifest> => generateBenchmark({
        camera: loadCamera('phone-like'), photosDir: join(root, 'photos'), out: join(root, out), seed: 3, size: 32, perPhoto: 2,
      });
      const m = await run('a');
      assert.equal(liveTensors(), before, 'no tensor leaked');
      for (const d of ['B', 'B-gt', 'S', 'test/blur', 'test/sharp']) assert.ok(existsSync(join(root, 'a', d)), d);
      assert.ok(existsSync(join(root, 'a', 'contact-sheet.png')));
      const scenes = [m.splits.test!, m.splits.B!, m.splits.S!];
      assert.equal(new Set(scenes.flat()).size, 6, 'splits are disjoint and cover every scene');
      assert.deepEqual(readdirSync(join(root, 'a', 'B')), readdirSync(join(root, 'a', 'B-gt')), 'B and its ground truth pair up');
      assert.equal(readdirSync(join(root, 'a', 'B')).length, m.counts.B);
      assert.ok(m.samples.B!.every((s) => scenes[1]!.includes(s.scene)));
      await run('b');
      assert.deepEqual(hashTree(join(root, 'b')), hashTree(join(root, 'a')), 'same seed, same bytes');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('known role writes pairs; too-small photos are a clear error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'b2b-bench-'));
    try {
      await photos(join(root, 'photos'), 3);
      const m = await generateBenchmark({ camera: loadCamera('gopro-like'), photosDir: join(root, 'photos'), out: join(root, 'k'), seed: 1, size: 32, perPhoto: 1, role: 'known' });
      assert.deepEqual(readdirSync(join(root, 'k', 'pairs/blur')), readdirSync(join(root, 'k', 'pairs/sharp')));
      assert.equal(m.counts.pairs, 2);
      await assert.rejects(generateBenchmark({ camera: loadCamera('gopro-like'), photosDir: join(root, 'photos'), out: join(root, 'x'), seed: 1, size: 64 }),
        /scene\d\.png: 80×72 is smaller than a 64-pixel crop plus 13-pixel margins \(90\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
