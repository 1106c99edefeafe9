// Deblurring images, folders and videos; tiles that blend without seams.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { F, Generator, noGrad, rand, scope, tensor } from '../../src/tensor/index.js';
import { NAFNet, MIMOUNet } from '../../src/models/index.js';
import { readImage, writeImage } from '../../src/data/image.js';
import { probeVideo, writeVideo } from '../../src/data/video.js';
import { tiled, tileStarts } from '../../src/infer/tiles.js';
import { inputKind, restoreImage, restorePath } from '../../src/infer/restore.js';
import { deblur } from '../../src/models/index.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-restore-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function scene(h: number, w: number, seed: number) {
  return noGrad(() =>
    scope(() => {
      const g = new Generator(seed);
      return F.interpolate(rand([1, 3, Math.ceil(h / 8), Math.ceil(w / 8)], { generator: g }), { size: [h, w], mode: 'bilinear' })
        .add(rand([1, 3, h, w], { generator: g }).mul(0.1))
        .clamp(0, 1);
    }),
  );
}

describe('tiles', () => {
  test('tile starts cover the axis with at least the overlap between neighbours', () => {
    assert.deepEqual(tileStarts(100, 128, 16), [0]);
    const s = tileStarts(1000, 256, 64);
    assert.equal(s[0], 0);
    assert.equal(s[s.length - 1]! + 256, 1000);
    for (let i = 1; i < s.length; i++) assert.ok(s[i - 1]! + 256 - s[i]! >= 64);
  });

  test('a local operation tiles exactly (max difference < 1e-6, borders included)', () => {
    scope(() => {
      const x = scene(150, 203, 1);
      const k = tensor([1, 2, 1, 2, 4, 2, 1, 2, 1]).div(16).view([1, 1, 3, 3]).expand([3, 1, 3, 3]).contiguous();
      const fn = (t: ReturnType<typeof tensor>) => F.conv2d(F.pad(t, [1, 1, 1, 1], 'replicate'), k, undefined, { groups: 3 });
      const whole = fn(x),
        parts = tiled(x, fn, { tile: 64, overlap: 16 });
      // Tile edges see padding instead of neighbours; the blend gives them weight 0 (a quarter of the overlap).
      assert.ok(whole.sub(parts).abs().max().item() < 1e-6, `max ${whole.sub(parts).abs().max().item()}`);
    });
  });

  test('a pointwise operation tiles exactly', () => {
    scope(() => {
      const x = scene(130, 190, 2);
      const parts = tiled(x, (t) => t.mul(0.5).add(0.1), { tile: 64, overlap: 16 });
      assert.ok(x.mul(0.5).add(0.1).sub(parts).abs().max().item() < 1e-6);
    });
  });

  test('NAFNet tiled vs whole: bounded differences (its channel attention pools the whole input)', () => {
    scope(() => {
      const m = new NAFNet('small').eval();
      const x = scene(160, 224, 3);
      const whole = noGrad(() => m.forward(x)),
        parts = tiled(x, (t) => m.forward(t), { tile: 128, overlap: 32 });
      const diff = whole.sub(parts).abs();
      assert.deepEqual(parts.shape, whole.shape);
      assert.ok(diff.max().item() < 0.05, `max ${diff.max().item()}`);
      assert.ok(diff.mean().item() < 0.005, `mean ${diff.mean().item()}`);
      m.dispose();
    });
  });
});

describe('restore', () => {
  const d = new NAFNet('small').eval(),
    g = new MIMOUNet('small').eval();
  test.after(() => {
    d.dispose();
    g.dispose();
  });

  test('odd-sized images come back at their size; D_K alone equals deblur()', () => {
    scope(() => {
      const y = scene(37, 51, 4).select(0, 0);
      const out = restoreImage({ deblurrer: d, translator: g }, y);
      assert.deepEqual(out.shape, [3, 37, 51]);
      const alone = restoreImage({ deblurrer: d, translator: null }, y);
      assert.ok(
        alone
          .sub(noGrad(() => deblur(d, y.unsqueeze(0)).clamp(0, 1).select(0, 0)))
          .abs()
          .max()
          .item() < 1e-6,
      );
    });
  });

  test('an image, a folder (unreadable files skipped and reported) and a video (frames, size, rate kept)', async () => {
    const dir = join(root, 'in');
    mkdirSync(dir);
    for (let i = 0; i < 2; i++) {
      const t = scene(40, 48, 10 + i);
      await writeImage(join(dir, `f${i}.png`), t);
      t.dispose();
    }
    writeFileSync(join(dir, 'broken.png'), 'not a png');
    const r = { deblurrer: d, translator: g };
    const one = await restorePath(r, join(dir, 'f0.png'), join(root, 'one.jpg'));
    assert.equal(one.kind, 'image');
    const img = (await readImage(join(root, 'one.jpg'))).tensor;
    assert.deepEqual(img.shape, [3, 40, 48]);
    img.dispose();
    const folder = await restorePath(r, dir, join(root, 'out'), { format: 'webp' });
    assert.deepEqual(readdirSync(join(root, 'out')).sort(), ['f0.webp', 'f1.webp']);
    assert.equal(folder.skipped.length, 1);
    assert.match(folder.skipped[0]!.reason, /broken\.png/);

    const video = join(root, 'clip.mp4');
    const frames = [0, 1, 2].map((i) => scene(48, 64, 20 + i).select(0, 0));
    await writeVideo(video, frames, { fps: 12 });
    for (const f of frames) f.dispose();
    const v = await restorePath(r, video, join(root, 'clip-out.mp4'));
    assert.equal(v.kind, 'video');
    const info = await probeVideo(join(root, 'clip-out.mp4'));
    assert.equal(info.frames, 3);
    assert.equal(info.width, 64);
    assert.equal(info.height, 48);
    assert.equal(info.fps, 12);
    assert.throws(() => inputKind(join(root, 'nothing')), /no such file or folder/);
    writeFileSync(join(root, 'notes.txt'), 'x');
    assert.throws(() => inputKind(join(root, 'notes.txt')), /not an image .* a video .* or a folder/);
  });
});
