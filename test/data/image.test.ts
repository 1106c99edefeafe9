// Image I/O: formats and bit depths round-trip; grey, RGBA and EXIF-rotated files convert as documented;
// corrupt files and empty folders give errors naming the file.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Generator, liveTensors, rand, scope, type Tensor } from '../../src/tensor/index.js';
import { ImageReadError, listImages, readFolder, readImage, writeImage } from '../../src/data/image.js';

const maxDiff = (a: Tensor, b: Tensor): number => scope(() => a.sub(b).abs().max().item());

describe('image I/O', () => {
  const dir = mkdtempSync(join(tmpdir(), 'b2b-img-'));
  const x = rand([3, 12, 17], { generator: new Generator(1) }).keep();
  test.after(() => {
    x.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('8- and 16-bit PNG, TIFF, lossless WebP round-trip; JPEG is close', async () => {
    const before = liveTensors();
    for (const [name, opts, tol] of [['a.png', {}, 0.5 / 255 + 1e-6], ['b.png', { bitDepth: 16 }, 1e-4], ['c.tif', { bitDepth: 16 }, 1e-4],
      ['d.webp', { quality: 100 }, 0.5 / 255 + 1e-6], ['e.jpg', { quality: 100 }, 0.1]] as const) {
      await writeImage(join(dir, name), x, opts);
      const { tensor, info } = await readImage(join(dir, name));
      assert.deepEqual([...tensor.shape], [3, 12, 17]);
      assert.equal(info.bitDepth, 'bitDepth' in opts ? 16 : 8, name);
      assert.ok(maxDiff(tensor, x) <= tol, `${name}: ${maxDiff(tensor, x)}`);
      tensor.dispose();
    }
    assert.equal(liveTensors(), before);
  });

  test('greyscale is replicated to RGB, alpha is dropped, EXIF orientation is applied', async () => {
    const grey = Buffer.from(Array.from({ length: 6 * 4 }, (_, i) => i * 10));
    await sharp(grey, { raw: { width: 6, height: 4, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'grey.png'));
    const g = await readImage(join(dir, 'grey.png'));
    assert.equal(g.info.channels, 1);
    assert.ok(scope(() => g.tensor.select(0, 0).sub(g.tensor.select(0, 2)).abs().max().item()) === 0);
    assert.ok(Math.abs(scope(() => g.tensor.select(0, 1).select(0, 0).select(0, 1).item()) - 10 / 255) < 1e-6);
    const rgba = Buffer.from(Array.from({ length: 5 * 3 * 4 }, (_, i) => (i % 4 === 3 ? 0 : 200)));
    await sharp(rgba, { raw: { width: 5, height: 3, channels: 4 } }).png().toFile(join(dir, 'rgba.png'));
    const a = await readImage(join(dir, 'rgba.png'));
    assert.equal(a.info.channels, 4);
    assert.deepEqual([...a.tensor.shape], [3, 3, 5]);
    assert.ok(Math.abs(scope(() => a.tensor.mean().item()) - 200 / 255) < 1e-6, 'colour kept, alpha dropped');
    await sharp(Buffer.alloc(8 * 2 * 3, 128), { raw: { width: 8, height: 2, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toFile(join(dir, 'rot.jpg'));
    const r = await readImage(join(dir, 'rot.jpg'));
    assert.deepEqual([...r.tensor.shape], [3, 8, 2], 'orientation 6 turns the 8×2 image upright');
    for (const t of [g.tensor, a.tensor, r.tensor]) t.dispose();
  });

  test('corrupt and truncated files name the file; folders can skip and report them', async () => {
    const bad = join(dir, 'folder');
    const { mkdirSync, readFileSync } = await import('node:fs');
    mkdirSync(bad);
    await writeImage(join(bad, 'good.png'), x);
    writeFileSync(join(bad, 'noise.png'), Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) % 256)));
    writeFileSync(join(bad, 'cut.png'), readFileSync(join(bad, 'good.png')).subarray(0, 60));
    await assert.rejects(readImage(join(bad, 'noise.png')), (e: unknown) => e instanceof ImageReadError && /noise\.png: cannot read image/.test(e.message));
    await assert.rejects(readImage(join(bad, 'cut.png')), /cut\.png: cannot read image/);
    await assert.rejects(readFolder(bad), /cannot read image/);
    const r = await readFolder(bad, { skipBad: true });
    assert.deepEqual(r.images.map((i) => i.file.split('/').pop()), ['good.png']);
    assert.deepEqual(r.skipped.map((s) => s.file.split('/').pop()).sort(), ['cut.png', 'noise.png']);
    for (const i of r.images) i.tensor.dispose();
    mkdirSync(join(dir, 'empty'));
    assert.throws(() => listImages(join(dir, 'empty')), /empty: no images/);
    await assert.rejects(writeImage(join(dir, 'x.gif'), x), /unsupported image extension '\.gif'/);
  });
});
