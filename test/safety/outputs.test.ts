// Nothing a user owns is written over: an output that resolves to an input is refused before any work
// (same path, symlink, --format onto the input, the input folder as --out, a video), two inputs that
// would share an output are refused, and images are written atomically with errors that name the file.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NAFNet } from '../../src/models/index.js';
import { readImage } from '../../src/data/image.js';
import { writeRandomImage } from '../helpers/images.js';
import { restorePath, type Restorer } from '../../src/infer/restore.js';
import { planOutputs, withFormat } from '../../src/infer/outputs.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-safety-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

async function image(file: string, seed = 0, bitDepth: 8 | 16 = 8): Promise<Buffer> {
  await writeRandomImage(file, 24, 20, seed, { scale: 0.5 + seed * 0.1, bitDepth });
  return readFileSync(file);
}

const restorer = (): Restorer => ({
  deblurrer: new NAFNet({ width: 4, encBlocks: [1], middleBlocks: 1, decBlocks: [1] }).eval(),
  translator: null,
});

describe('deblur never writes over its input', () => {
  test('an image onto itself, through a symlink, and by --format', async () => {
    const dir = join(root, 'same');
    mkdirSync(dir);
    const a = await image(join(dir, 'a.png'));
    const b = await image(join(dir, 'b.jpg'), 1);
    symlinkSync(join(dir, 'a.png'), join(dir, 'link.png'));
    const r = restorer();
    try {
      await assert.rejects(
        restorePath(r, join(dir, 'a.png'), join(dir, 'a.png')),
        /a\.png is the input .*a\.png: deblur never writes over its input/,
      );
      await assert.rejects(restorePath(r, join(dir, 'a.png'), join(dir, 'link.png')), /never writes over its input/);
      await assert.rejects(restorePath(r, join(dir, 'b.jpg'), join(dir, 'b.png'), { format: 'jpg' }), /b\.jpg is the input .*b\.jpg/);
      await assert.rejects(restorePath(r, dir, dir), /is the input folder/);
      await assert.rejects(restorePath(r, dir, join(dir, '..', 'same')), /is the input folder/);
      assert.deepEqual(readFileSync(join(dir, 'a.png')), a, 'the input is untouched');
      assert.deepEqual(readFileSync(join(dir, 'b.jpg')), b);
      // A separate output works, and --format changes only the output's extension.
      const rep = await restorePath(r, join(dir, 'b.jpg'), join(root, 'out', 'b-deblurred.png'), { format: 'webp' });
      assert.deepEqual(rep.written, [join(root, 'out', 'b-deblurred.webp')]);
    } finally {
      r.deblurrer.dispose();
    }
  });

  test('a video onto itself is refused before it is decoded', async () => {
    const dir = join(root, 'video');
    mkdirSync(dir);
    writeFileSync(join(dir, 'clip.mp4'), 'not even a video');
    const r = restorer();
    try {
      await assert.rejects(restorePath(r, join(dir, 'clip.mp4'), join(dir, 'clip.mp4')), /never writes over its input/);
      assert.equal(readFileSync(join(dir, 'clip.mp4'), 'utf8'), 'not even a video');
    } finally {
      r.deblurrer.dispose();
    }
  });

  test('two inputs that map to one output are refused before any work', async () => {
    const dir = join(root, 'collide');
    mkdirSync(dir);
    await image(join(dir, 'y.jpg'));
    await image(join(dir, 'y.png'), 1);
    assert.throws(
      () => planOutputs(dir, [join(dir, 'y.jpg'), join(dir, 'y.png')], join(root, 'collide-out'), { folder: true, format: 'png' }),
      /y\.jpg and .*y\.png would both be written to .*y\.png/,
    );
    const r = restorer();
    try {
      await assert.rejects(restorePath(r, dir, join(root, 'collide-out'), { format: 'png' }), /would both be written/);
      assert.equal(existsSync(join(root, 'collide-out')), false, 'nothing was made');
    } finally {
      r.deblurrer.dispose();
    }
    assert.equal(withFormat('a/b.c/d', 'png'), 'a/b.c/d.png');
    assert.equal(withFormat('x.jpeg', '.tif'), 'x.tif');
  });

  test('16-bit inputs stay 16-bit in PNG, and are reported when written as 8-bit', async () => {
    const dir = join(root, 'deep');
    mkdirSync(dir);
    await image(join(dir, 'd.png'), 0, 16);
    const r = restorer();
    try {
      const png = await restorePath(r, join(dir, 'd.png'), join(root, 'deep-out', 'd.png'));
      assert.deepEqual(png.notes, []);
      assert.equal((await readImage(join(root, 'deep-out', 'd.png'))).info.bitDepth, 16);
      const jpg = await restorePath(r, join(dir, 'd.png'), join(root, 'deep-out', 'd.jpg'));
      assert.match(jpg.notes.join('\n'), /d\.png is 16-bit; .*d\.jpg holds 8 bits/);
    } finally {
      r.deblurrer.dispose();
    }
  });
});

describe('image writes are atomic', () => {
  test('a failed write names the file and leaves nothing behind', async () => {
    const dir = join(root, 'atomic');
    mkdirSync(dir);
    // The target is a folder: the rename fails after the encode, and the temporary file is removed.
    mkdirSync(join(dir, 'taken.png'));
    await assert.rejects(writeRandomImage(join(dir, 'taken.png'), 8, 8, 0), /taken\.png: cannot write \(E\w+/);
    assert.deepEqual(readdirSync(dir), ['taken.png']);
    await assert.rejects(writeRandomImage(join(dir, 'missing', 'x.png'), 8, 8, 0), /missing\/x\.png: cannot write/);
    if (process.getuid?.() !== 0) {
      // (Root ignores permissions, so this part runs only as an ordinary user.)
      chmodSync(dir, 0o500);
      await assert.rejects(writeRandomImage(join(dir, 'ro.png'), 8, 8, 0), /ro\.png: cannot write \(EACCES/);
      chmodSync(dir, 0o700);
    }
  });
});
