// The known-blur set K: the target camera's sharp images S re-blurred with the known domain's blur, so
// that K and the camera's blurry images B differ in blur only (same scenes' statistics, colours, noise,
// optics) and the discriminator can judge nothing but blur. Two routes:
//  - kernel (default when a KernelWizard is given): for each s ∈ S, a random known pair (x, y) (seeded),
//    cropped to s's size; K ∋ F(s, E(x, y)).
//  - simulator: when the known domain is a simulated camera, blur S with that camera's motion (its
//    trajectories, exposure and sub-frames, averaged in linear light) and nothing else of it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { F, Generator, noGrad, scope, type Device, type Tensor } from '../tensor/index.js';
import { buildKernelWizard, parseArch, type KernelWizard } from '../models/index.js';
import { loadWeights, readWeightsMetadata } from '../io/weights.js';
import { listImages, readImage, writeImage } from '../data/image.js';
import { readLayout, allPairs } from '../data/datasets/layouts.js';
import { Rng } from '../data/rng.js';
import type { CameraConfig } from '../data/camera/config.js';
import { linearToSrgb, render, srgbToLinear } from '../data/camera/render.js';

export interface KnownEntry {
  file: string;
  sharp: string;
  pair?: { blurry: string; sharp: string; x: number; y: number };
}

/** How a known-blur set was made: the route, its source, the seed and each image's origin. */
export interface KnownManifest {
  route: 'kernel' | 'simulator';
  source: string;
  seed: number;
  /** Simulator route: S was averaged over downscale × downscale blocks before blurring. */
  downscale?: number;
  entries: KnownEntry[];
}

/** A trained KernelWizard from a run folder (model.safetensors) or a weights file with an arch. */
export function loadKernelWizard(spec: string): KernelWizard {
  const file = spec.endsWith('.safetensors') || spec.endsWith('.pth') ? spec : join(spec, 'model.safetensors');
  const arch = spec.endsWith('.pth') ? 'kernel-wizard' : (readWeightsMetadata(file).arch ?? 'kernel-wizard');
  const kw = buildKernelWizard(parseArch(arch));
  scope(() => kw.loadStateDict(loadWeights(file), {}, file));
  return kw.eval();
}

/** Crops an image [3, H, W] to the largest size the KernelWizard accepts (multiples of 128, ≥ 256), centred. */
function cropTo128(img: Tensor, file: string): Tensor {
  const [, h, w] = img.shape as [number, number, number];
  const H = Math.floor(h / 128) * 128,
    W = Math.floor(w / 128) * 128;
  if (H < 256 || W < 256) throw new Error(`${file}: ${w}×${h} is too small for the KernelWizard route (needs 256×256)`);
  const y = (h - H) >> 1,
    x = (w - W) >> 1;
  return noGrad(() =>
    scope(() =>
      img
        .slice(1, y, y + H)
        .slice(2, x, x + W)
        .contiguous(),
    ),
  );
}

/** The known-blur set K by the KernelWizard route: each sharp image gets the blur of a random known pair, F(s, E(x, y)). */
export async function makeKnownWithKernel(o: {
  kernel: string;
  pairs: string;
  sharp: string;
  out: string;
  seed: number;
  log?: (l: string) => void;
  /** Called after each image with the images done and their total. */
  onProgress?: (done: number, total: number) => void;
  /** Where KernelWizard runs ('cpu' default). */
  device?: Device;
}): Promise<KnownManifest> {
  const device = o.device ?? 'cpu';
  const kw = loadKernelWizard(o.kernel);
  if (device !== 'cpu') kw.to(device);
  const pairs = allPairs(readLayout(o.pairs));
  const rng = new Rng(o.seed);
  mkdirSync(o.out, { recursive: true });
  const entries: KnownEntry[] = [];
  try {
    const files = listImages(o.sharp);
    for (const [done, file] of files.entries()) {
      const raw = (await readImage(file)).tensor;
      const s = cropTo128(raw, file);
      raw.dispose();
      const [, H, W] = s.shape as [number, number, number];
      const p = pairs[rng.int(0, pairs.length)]!;
      const x = (await readImage(p.sharp)).tensor,
        y = (await readImage(p.blurry)).tensor;
      const [, ph, pw] = x.shape as [number, number, number];
      if (ph < H || pw < W) throw new Error(`${p.sharp}: ${pw}×${ph} is smaller than the sharp image ${basename(file)} (${W}×${H})`);
      const cy = rng.int(0, ph - H + 1),
        cx = rng.int(0, pw - W + 1);
      const k = noGrad(() =>
        scope(() => {
          const crop = (t: Tensor): Tensor =>
            t
              .slice(1, cy, cy + H)
              .slice(2, cx, cx + W)
              .unsqueeze(0)
              .to(device);
          return kw
            .adaptKernel(s.unsqueeze(0).to(device), kw.extractKernel(crop(x), crop(y)).mean)
            .clamp(0, 1)
            .select(0, 0);
        }),
      );
      const name = basename(file).replace(/\.[^.]+$/, '.png');
      await writeImage(join(o.out, name), k);
      for (const t of [k, s, x, y]) t.dispose();
      entries.push({ file: name, sharp: file, pair: { blurry: p.blurry, sharp: p.sharp, x: cx, y: cy } });
      o.log?.(`${name} ← blur of ${basename(p.blurry)}`);
      o.onProgress?.(done + 1, files.length);
    }
  } finally {
    kw.dispose();
  }
  const m: KnownManifest = { route: 'kernel', source: o.kernel, seed: o.seed, entries };
  writeFileSync(join(o.out, 'manifest.json'), JSON.stringify(m, null, 1) + '\n');
  return m;
}

/** The known camera's motion alone: no noise, response curve or processing of its own (S keeps the target's). */
export function motionOnly(cam: CameraConfig): CameraConfig {
  return {
    ...cam,
    crf: { kind: 'srgb' },
    exposureGain: [1, 1],
    noise: { shot: [0, 0], read: [0, 0] },
    sharpen: 0,
    jpeg: null,
    whiteBalance: [1, 1, 1],
  };
}

/**
 * S averaged over `f`×`f` blocks in linear light: an image of the same scene with its noise divided by
 * `f` (the way real-world super-resolution makes clean high-resolution images from noisy photos). A
 * K made from it is close to the known camera's clean images, which D_K deblurs, rather than carrying
 * the target camera's noise. [1, 3, H, W] → [1, 3, ⌊H/f⌋, ⌊W/f⌋]
 */
export function downscaleLinear(s: Tensor, f: number, file: string): Tensor {
  const [, , h, w] = s.shape as [number, number, number, number];
  if (f === 1) return noGrad(() => s.clone());
  if (Math.floor(h / f) < 32 || Math.floor(w / f) < 32)
    throw new Error(`${file}: ${w}×${h} is too small to downscale by ${f} (at least 32 pixels must remain on each side)`);
  return noGrad(() => scope(() => linearToSrgb(F.avgPool2d(srgbToLinear(s.slice(2, 0, h - (h % f)).slice(3, 0, w - (w % f))), [f, f]))));
}

/** The known-blur set K by the simulator route: the known camera's motion blur on the target camera's sharp images S. */
export async function makeKnownWithSimulator(o: {
  camera: CameraConfig;
  sharp: string;
  out: string;
  seed: number;
  downscale?: number;
  log?: (l: string) => void;
  /** Called after each image with the images done and their total. */
  onProgress?: (done: number, total: number) => void;
  /** Where the renderer runs ('cpu' default; another device draws its own noise stream). */
  device?: Device;
}): Promise<KnownManifest> {
  const device = o.device ?? 'cpu';
  const cam = motionOnly(o.camera);
  const f = o.downscale ?? 1;
  if (!Number.isInteger(f) || f < 1) throw new Error(`make-known: downscale must be a positive integer, got ${f}`);
  const rng = new Rng(o.seed),
    generator = new Generator(o.seed, device);
  mkdirSync(o.out, { recursive: true });
  const entries: KnownEntry[] = [];
  const files = listImages(o.sharp);
  for (const [done, file] of files.entries()) {
    const s = (await readImage(file)).tensor;
    const one = noGrad(() => scope(() => s.unsqueeze(0).to(device)));
    const batch = downscaleLinear(one, f, file); // borders: reflection padding inside the renderer
    one.dispose();
    const r = await render(cam, batch, { rng, generator });
    const name = basename(file).replace(/\.[^.]+$/, '.png');
    const k = noGrad(() => r.blurry.select(0, 0));
    await writeImage(join(o.out, name), k);
    for (const t of [k, s, batch, r.blurry, r.sharp, r.sharpCamera]) t.dispose();
    entries.push({ file: name, sharp: file });
    o.log?.(`${name} ← ${cam.name} motion`);
    o.onProgress?.(done + 1, files.length);
  }
  const m: KnownManifest = { route: 'simulator', source: o.camera.name, seed: o.seed, ...(f > 1 ? { downscale: f } : {}), entries };
  writeFileSync(join(o.out, 'manifest.json'), JSON.stringify(m, null, 1) + '\n');
  return m;
}
