// JPEG in tensor operations against libjpeg (through sharp): the same artefacts to a fraction of an
// 8-bit step; the IJG table scaling at its fixed points; the quality read back from files libjpeg wrote.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { F, Generator, arange, autocast, cat, liveTensors, rand, scope, type Tensor } from '../../src/tensor/index.js';
import { jpegRoundTrip, writeImage } from '../../src/data/image.js';
import { jpegCompress, jpegQualityOf, jpegQualityRange, quantTables, scaledTable } from '../../src/data/jpeg.js';

const psnr = (a: Tensor, b: Tensor): number => scope(() => -10 * Math.log10(a.sub(b).pow(2).mean().item()));

/** A photo-like test image [3, H, W]: smooth ramps, a few hard edges, fine noise. */
function scene(h: number, w: number, seed: number): Tensor {
  return scope(() => {
    const gen = new Generator(seed);
    const yy = arange(0, h).reshape([1, h, 1]).div(h).expand([1, h, w]);
    const xx = arange(0, w).reshape([1, 1, w]).div(w).expand([1, h, w]);
    const ramps = cat([yy, xx, yy.add(xx).div(2)], 0);
    const edges = xx.gt(0.37).float().mul(0.3).add(yy.gt(0.6).float().mul(0.2));
    const texture = F.gaussianBlur(rand([1, 3, h, w], { generator: gen }), 1).squeeze(0);
    return ramps.mul(0.5).add(edges).add(texture.sub(0.5).mul(0.3)).clamp(0, 1).keep();
  });
}

describe('JPEG', () => {
  const dir = mkdtempSync(join(tmpdir(), 'b2b-jpeg-'));
  test.after(() => rmSync(dir, { recursive: true, force: true }));

  test('the IJG scaling: quality 50 is the standard table, 100 all ones, 1 clamped to 255', () => {
    const { luma, chroma } = quantTables(50);
    assert.deepEqual(luma.slice(0, 8), [16, 11, 10, 16, 24, 40, 51, 61]);
    assert.equal(chroma[63], 99);
    assert.ok(quantTables(100).luma.every((v) => v === 1));
    assert.ok(quantTables(1).luma.every((v) => v === 255));
    assert.deepEqual(scaledTable([16, 99], 75), [8, 50]); // scale 50 %: floor((16·50 + 50)/100), floor((99·50 + 50)/100)
  });

  test('matches libjpeg (4:2:0) to a fraction of an 8-bit step, and removes as much as libjpeg does', async () => {
    const before = liveTensors();
    const x = scene(64, 96, 1);
    for (const q of [35, 60, 90]) {
      const ref = await jpegRoundTrip(x, q);
      const sim = scope(() => jpegCompress(x.unsqueeze(0), q).squeeze(0).keep());
      const agree = psnr(sim, ref),
        lost = psnr(ref, x),
        simLost = psnr(sim, x);
      assert.ok(agree > 45, `quality ${q}: simulation vs libjpeg ${agree.toFixed(2)} dB`);
      assert.ok(lost < 45, `quality ${q}: libjpeg loses something (${lost.toFixed(2)} dB)`);
      assert.ok(Math.abs(simLost - lost) < 0.3, `quality ${q}: ${simLost.toFixed(2)} vs libjpeg ${lost.toFixed(2)} dB`);
      ref.dispose();
      sim.dispose();
    }
    x.dispose();
    assert.equal(liveTensors(), before);
  });

  test('one quality per image in a batch; sizes that are no multiple of 16; values on 8-bit steps', () => {
    scope(() => {
      const a = scene(37, 50, 2),
        b = scene(37, 50, 3);
      const both = jpegCompress(cat([a.unsqueeze(0), b.unsqueeze(0)], 0), [30, 90]);
      assert.deepEqual([...both.shape], [2, 3, 37, 50]);
      assert.ok(both.sub(jpegCompress(a.unsqueeze(0), 30).squeeze(0)).narrow(0, 0, 1).abs().max().item() === 0);
      assert.ok(both.sub(jpegCompress(b.unsqueeze(0), 90).squeeze(0)).narrow(0, 1, 1).abs().max().item() === 0);
      assert.ok(psnr(both.narrow(0, 0, 1), a.unsqueeze(0)) < psnr(both.narrow(0, 1, 1), b.unsqueeze(0)), 'quality 30 loses more than 90');
      assert.ok(both.mul(255).sub(both.mul(255).round()).abs().max().item() < 1e-4);
      assert.throws(() => jpegCompress(a.unsqueeze(0), [30, 40]), /2 qualities for 1 images/);
      a.dispose();
      b.dispose();
    });
  });

  test('float32 inside a bfloat16 autocast region: the same values as outside it', () => {
    scope(() => {
      const x = scene(32, 32, 5).unsqueeze(0);
      const plain = jpegCompress(x, 40);
      const amp = autocast('cpu', 'bfloat16', () => jpegCompress(x, 40));
      assert.equal(amp.dtype, 'float32');
      assert.equal(amp.sub(plain).abs().max().item(), 0);
    });
  });

  test('the quality a file was written at, read from its table; none for other files', async () => {
    const files: string[] = [];
    for (const q of [12, 47, 75, 95]) {
      const f = join(dir, `q${q}.jpg`);
      writeFileSync(f, await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).jpeg({ quality: q }).toBuffer());
      assert.equal(jpegQualityOf(f), q);
      files.push(f);
    }
    assert.deepEqual(jpegQualityRange(files, dir), [12, 95]);
    const png = join(dir, 'a.png');
    const img = scene(8, 8, 4);
    await writeImage(png, img);
    img.dispose();
    assert.equal(jpegQualityOf(png), null);
    const broken = join(dir, 'broken.jpg');
    writeFileSync(broken, Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x00, 0x12, 0x34]));
    assert.equal(jpegQualityOf(broken), null, 'a cut-off table section: none, and no endless loop');
    assert.throws(() => jpegQualityOf(join(dir, 'missing.jpg')), /missing\.jpg/);
    assert.throws(() => jpegQualityRange([png], dir), (e: Error) => e.message.includes(dir) && /none of its 1 images is a JPEG/.test(e.message));
  });
});
