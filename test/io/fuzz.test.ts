// Seeded mutations of valid files fed to the readers: a PNG, a JPEG, a zip .pth, a legacy .pth, a
// .safetensors and a camera JSON, 50 each. Every case must end in a correct result or in an error that
// names the file; either way within a size budget (what was decoded, live tensors, memory growth), and
// leaving no tensor behind. Sizes and counts are checked, never time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveTensors, rand, scope, type Tensor } from '../../src/tensor/index.js';
import { readImage } from '../../src/data/image.js';
import { writeRandomImage } from '../helpers/images.js';
import { loadWeights, saveWeights } from '../../src/io/weights.js';
import { CAMERA_PRESETS, loadCamera } from '../../src/data/camera/config.js';
import { Rng } from '../../src/data/rng.js';
import { fixturePath } from '../helpers/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-fuzz-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** A seeded mutation: byte flips, a truncation, an inserted or repeated run, or a field set to 0xff…. */
function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  const b = Uint8Array.from(src);
  const at = (): number => rng.int(0, Math.max(1, b.length));
  switch (rng.int(0, 5)) {
    case 0: {
      for (let i = 0, n = rng.int(1, 9); i < n; i++) b[at()] = rng.int(0, 256);
      return b;
    }
    case 1:
      return b.slice(0, at());
    case 2: {
      const p = at(),
        extra = Uint8Array.from({ length: rng.int(1, 64) }, () => rng.int(0, 256));
      return Uint8Array.from([...b.slice(0, p), ...extra, ...b.slice(p)]);
    }
    case 3: {
      const p = at(),
        len = rng.int(1, 256);
      return Uint8Array.from([...b.slice(0, p), ...b.slice(p, p + len), ...b.slice(p)]);
    }
    default: {
      const p = at();
      for (let i = 0; i < 4 && p + i < b.length; i++) b[p + i] = 0xff;
      return b;
    }
  }
}

const MAX_BYTES = 64 * 2 ** 20; // what one small file may decode to

/** Bytes held by a reader's result: tensors, and tensors inside maps. */
function resultBytes(r: unknown): number {
  if (r instanceof Map) return [...r.values()].reduce((a: number, t: Tensor) => a + t.numel * 4, 0);
  if (r && typeof r === 'object' && 'tensor' in r) return (r as { tensor: Tensor }).tensor.numel * 4;
  return 0;
}

function release(r: unknown): void {
  if (r instanceof Map) for (const t of r.values()) (t as Tensor).dispose();
  else if (r && typeof r === 'object' && 'tensor' in r) (r as { tensor: Tensor }).tensor.dispose();
}

async function fuzz(name: string, source: string, ext: string, read: (file: string) => unknown, cases = 50): Promise<void> {
  const bytes = readFileSync(source);
  const rng = new Rng(0x5afe ^ (name.length * 7919));
  let ok = 0,
    refused = 0;
  for (let i = 0; i < cases; i++) {
    const file = join(root, `${name}-${i}${ext}`);
    writeFileSync(file, mutate(bytes, rng));
    const tensors = liveTensors(),
      rss = process.memoryUsage().rss;
    try {
      const r = await read(file);
      assert.ok(resultBytes(r) <= MAX_BYTES, `${file}: decoded ${resultBytes(r)} bytes`);
      release(r);
      ok++;
    } catch (e) {
      assert.ok(e instanceof Error, `${file}: threw a non-Error`);
      assert.ok(e.message.includes(file), `the error names the file: ${e.message.slice(0, 300)}`);
      refused++;
    }
    assert.equal(liveTensors(), tensors, `${file}: no tensor left behind`);
    assert.ok(process.memoryUsage().rss - rss < 512 * 2 ** 20, `${file}: memory grew by ${process.memoryUsage().rss - rss} bytes`);
    rmSync(file);
  }
  assert.equal(ok + refused, cases);
  assert.ok(refused > 0, `${name}: some mutations are refused`);
}

describe('readers under seeded mutations', () => {
  test('PNG and JPEG', async () => {
    await writeRandomImage(join(root, 'src.png'), 24, 32, 4);
    await writeRandomImage(join(root, 'src.jpg'), 24, 32, 4);
    await fuzz('png', join(root, 'src.png'), '.png', readImage);
    await fuzz('jpeg', join(root, 'src.jpg'), '.jpg', readImage);
  });

  test('.pth (zip and legacy) and .safetensors', async () => {
    copyFileSync(fixturePath('pth/deflated.pth'), join(root, 'src.pth'));
    await fuzz('pth', join(root, 'src.pth'), '.pth', (f) => loadWeights(f));
    await fuzz('legacy', fixturePath('pth/legacy.pth'), '.pth', (f) => loadWeights(f));
    scope(() =>
      saveWeights(
        join(root, 'src.safetensors'),
        new Map([
          ['a.weight', rand([4, 3, 3, 3])],
          ['a.bias', rand([4])],
        ]),
      ),
    );
    await fuzz('safetensors', join(root, 'src.safetensors'), '.safetensors', (f) => loadWeights(f));
  });

  test('camera JSON', async () => {
    writeFileSync(join(root, 'cam.json'), JSON.stringify(CAMERA_PRESETS['phone-like'], null, 1));
    await fuzz('camera', join(root, 'cam.json'), '.json', loadCamera);
  });
});
