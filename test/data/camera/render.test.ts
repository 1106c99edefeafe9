// Camera simulation: determinism, a still camera reproduces the scene, brightness is preserved, a known
// motion moves a pattern where the pinhole model says, a rolling shutter slants verticals.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, liveTensors, noGrad, scope, tensor, zeros, type Tensor } from '../../../src/tensor/index.js';
import { CAMERA_PRESETS, type CameraConfig } from '../../../src/data/camera/config.js';
import { render, srgbToLinear, linearToSrgb } from '../../../src/data/camera/render.js';
import { stillTrajectory, type Trajectory } from '../../../src/data/camera/trajectory.js';
import { Rng } from '../../../src/data/rng.js';

const clean = (over: Partial<CameraConfig> = {}): CameraConfig => ({
  ...structuredClone(CAMERA_PRESETS['gopro-like']) as CameraConfig,
  noise: { shot: [0, 0], read: [0, 0] }, crf: { kind: 'srgb' }, ...over,
});

function scene(h = 40, w = 48): Tensor {
  return noGrad(() => scope(() => {
    const v: number[] = [];
    for (let c = 0; c < 3; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v.push(((x >> 2) + (y >> 2)) % 2 ? 0.8 : 0.15 + 0.1 * c);
    return tensor(v, { shape: [1, 3, h, w] });
  }));
}

/** A trajectory with a constant offset of the image centre (pixels) and no roll. */
function constant(dx: number, dy = 0): Trajectory {
  const t = stillTrajectory();
  t.x.fill(dx);
  t.y.fill(dy);
  return t;
}

describe('render', () => {
  test('the same seeds give the same images; another seed differs', async () => {
    const photo = scene();
    const cam = structuredClone(CAMERA_PRESETS['phone-like']) as CameraConfig;
    const run = async (seed: number): Promise<number[]> => {
      const r = await render(cam, photo, { rng: new Rng(seed), generator: new Generator(seed) });
      const v = r.blurry.toNumbers();
      for (const t of [r.blurry, r.sharp, r.sharpCamera]) t.dispose();
      return v;
    };
    assert.deepEqual(await run(3), await run(3));
    assert.notDeepEqual(await run(3), await run(4));
    photo.dispose();
  });

  test('a still camera without noise returns the scene (sRGB response)', async () => {
    const photo = scene();
    const before = liveTensors();
    const r = await render(clean({ exposureGain: [1, 1] }), photo, { rng: new Rng(0), generator: new Generator(0), trajectory: stillTrajectory() });
    const err = (a: Tensor): number => scope(() => a.sub(photo).abs().max().item());
    assert.ok(err(r.blurry) < 1e-4, `blurry differs by ${err(r.blurry)}`);
    assert.ok(err(r.sharp) < 1e-4);
    for (const t of [r.blurry, r.sharp, r.sharpCamera]) t.dispose();
    assert.equal(liveTensors(), before);
    photo.dispose();
  });

  test('motion blur preserves mean brightness in linear light', async () => {
    const photo = scene(64, 64);
    const r = await render(clean({ exposureGain: [1, 1] }), photo, { rng: new Rng(1), generator: new Generator(1) });
    noGrad(() => scope(() => {
      const a = srgbToLinear(r.blurry).mean().item(), b = srgbToLinear(r.sharp).mean().item();
      assert.ok(Math.abs(a - b) / b < 0.02, `linear means ${a} vs ${b}`);
      assert.ok(r.blurry.sub(r.sharp).abs().mean().item() > 0.01, 'and the image is blurred');
    }));
    for (const t of [r.blurry, r.sharp, r.sharpCamera, photo]) t.dispose();
  });

  test('a yaw that moves the image centre by 6 px moves a dot 6 px right', async () => {
    const h = 33, w = 41;
    const photo = noGrad(() => zeros([1, 3, h, w]).keep());
    noGrad(() => photo.slice(2, 16, 17).slice(3, 20, 21).fill_(1));
    const cam = clean({ subframes: 1 });
    const r = await render(cam, photo, { rng: new Rng(0), generator: new Generator(0), trajectory: constant(6) });
    const g = noGrad(() => scope(() => r.blurry.select(0, 0).select(0, 1).toNumbers()));
    const at = g.indexOf(Math.max(...g));
    assert.deepEqual([Math.floor(at / w), at % w], [16, 26]);
    for (const t of [r.blurry, r.sharp, r.sharpCamera, photo]) t.dispose();
  });

  test('a rolling shutter slants a vertical line under horizontal motion', async () => {
    const h = 41, w = 41;
    const photo = noGrad(() => zeros([1, 3, h, w]).keep());
    noGrad(() => photo.slice(3, 20, 21).fill_(1));
    const t = { ...stillTrajectory(), exposureMs: 10 };
    for (let i = 0; i < t.x.length; i++) t.x[i] = 16 * (i / (t.x.length - 1) - 0.5);
    const r = await render(clean({ subframes: 1, rollingShutterMs: 8 }), photo, { rng: new Rng(0), generator: new Generator(0), trajectory: t });
    const col = (row: number): number => {
      const v = noGrad(() => scope(() => r.blurry.select(0, 0).select(0, 1).select(0, row).toNumbers()));
      return v.indexOf(Math.max(...v));
    };
    assert.ok(Math.abs(col(2) - col(38)) >= 8, `top row at ${col(2)}, bottom row at ${col(38)}`);
    for (const x of [r.blurry, r.sharp, r.sharpCamera, photo]) x.dispose();
  });

  test('sRGB curves invert each other', () => {
    noGrad(() => scope(() => {
      const x = tensor([0, 0.001, 0.02, 0.2, 0.5, 0.9, 1]);
      assert.ok(linearToSrgb(srgbToLinear(x)).sub(x).abs().max().item() < 1e-6);
    }));
  });
});
