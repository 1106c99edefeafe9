// Training pairs rendered on the fly: every batch is a fresh draw of photo, crop, flips, trajectory,
// exposure and noise from the photo pool, through a simulated camera (the data never runs out).
//
// Determinism and resume: batch s is drawn from a stream keyed by (seed, s) only, so the data is a pure
// function of the seed and the step; `position` is the next step, and a restored run (or a prefetching
// worker process, src/data/render-prefetch.ts) renders exactly the batches the original would have.
//
// Validation never sees a training pixel: every photo keeps a held-out square (one validation crop plus
// the blur margin on each side, at a position drawn from the seed and the photo's scene name) that no
// training crop overlaps; the validation pairs are rendered once from those squares with their own key.
// (A fixed corner was tried first: photo corners are mostly smooth background, and validation there
// read +3.5 dB where random crops of the same scenes read +1.0; docs/experiments.md §6.)
import { basename, extname, join } from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { F, Generator, cat, emptyCache, noGrad, scope, stack, type Device, type Tensor } from '../tensor/index.js';
import { listImages, readImage } from './image.js';
import { hflip, rot90, vflip } from './datasets/augment.js';
import { keyedRng } from './datasets/loader.js';
import type { Rng } from './rng.js';
import { maxPathPx, type CameraConfig } from './camera/config.js';
import { render } from './camera/render.js';

const TRAIN_DOMAIN = 0x726e6472; // 'rndr'
const VAL_DOMAIN = 0x72766c64; // 'rvld'
const SQUARE_DOMAIN = 0x7271736b; // 'rqsk'

/** FNV-1a of a string: a stable 32-bit key for a scene name. */
function nameKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export interface PoolPhoto {
  scene: string;
  file: string;
  /** uint8 [3, H, W] (sRGB). */
  image: Tensor;
}

export interface PhotoPoolOptions {
  /** Scenes (file names without extension) never to load: e.g. a benchmark's test scenes. */
  exclude?: ReadonlySet<string>;
  /** Photos whose longer side exceeds this are downscaled to it (area filter), as the test photos' scale. */
  maxSide?: number;
  /** Photos smaller than this in either side are refused with an error naming them. */
  minSide?: number;
  /** Where the pool is kept (and so where batches are rendered): 'cpu' (default) or a GPU. */
  device?: Device;
}

/** The scene of a photo or benchmark crop file: its name without extension. */
export const sceneOf = (file: string): string => basename(file, extname(file));

/**
 * The test scenes of a benchmark folder made by `b2b simulate` (its manifest.json's test split), or the
 * scene names listed one per line in a text file.
 */
export function readExcludedScenes(path: string): Set<string> {
  const manifest = existsSync(path) && statSync(path).isDirectory() ? join(path, 'manifest.json') : path;
  if (!existsSync(manifest)) throw new Error(`${manifest}: not found (give a folder made by 'b2b simulate', or a text file of scene names)`);
  const text = readFileSync(manifest, 'utf8');
  if (manifest.endsWith('.json')) {
    let m: { splits?: { test?: unknown } };
    try {
      m = JSON.parse(text) as typeof m;
    } catch (e) {
      throw new Error(`${manifest}: not JSON (${(e as Error).message})`);
    }
    const test = m.splits?.test;
    if (!Array.isArray(test) || test.some((s) => typeof s !== 'string')) throw new Error(`${manifest}: has no splits.test list of scene names`);
    return new Set(test as string[]);
  }
  return new Set(text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
}

/** Decodes every photo of the folders (first folder wins for a scene seen twice), as uint8. */
export async function loadPhotoPool(dirs: readonly string[], o: PhotoPoolOptions = {}): Promise<PoolPhoto[]> {
  const seen = new Set<string>();
  const out: PoolPhoto[] = [];
  for (const dir of dirs) {
    for (const file of listImages(dir)) {
      const scene = sceneOf(file);
      if (seen.has(scene) || o.exclude?.has(scene)) continue;
      seen.add(scene);
      const { tensor: img, info } = await readImage(file);
      const longer = Math.max(info.width, info.height);
      const image = noGrad(() => scope(() => {
        let x = img;
        if (o.maxSide && longer > o.maxSide) {
          const f = o.maxSide / longer;
          x = F.adaptiveAvgPool2d(x.unsqueeze(0), [Math.round(info.height * f), Math.round(info.width * f)]).squeeze(0); // area filter
        }
        const u8 = x.clamp(0, 1).mul(255).round().to('uint8');
        return (o.device && o.device !== 'cpu' ? u8.to(o.device) : u8).keep();
      }));
      img.dispose();
      const [, h, w] = image.shape as [number, number, number];
      if (o.minSide && Math.min(h, w) < o.minSide) {
        image.dispose();
        for (const p of out) p.image.dispose();
        throw new Error(`${file}: ${w}×${h} is smaller than the ${o.minSide}-pixel square that rendering needs (a training crop beside the held-out square)`);
      }
      out.push({ scene, file, image });
    }
  }
  emptyCache(); // full-size decodes (up to ~250 MB each) are gone; keep only the pool
  if (out.length === 0) throw new Error(`${dirs.join(', ')}: no photos left to render from${o.exclude?.size ? ` after excluding ${o.exclude.size} scenes` : ''}`);
  return out;
}

export interface RenderedPairsOptions {
  camera: CameraConfig;
  batchSize: number;
  /** Side of the training crops. */
  crop: number;
  /** Side of the validation crops (the held-out square of every photo is this plus the margins). */
  valCrop: number;
  seed: number;
}

export interface RenderedBatch {
  blurry: Tensor;
  sharp: Tensor;
  /** The step this batch was drawn for. */
  step: number;
}

/** Position of a rendered stream: the next step and what it was drawn from (checked on restore). */
export interface RenderedPosition {
  step: number;
  seed: number;
  photos: number;
}

/** A saved position must come from the same seed and photo pool as the run restoring it. */
export function checkPosition(p: RenderedPosition, seed: number, photos: number): void {
  if (p.seed !== seed || p.photos !== photos) {
    throw new Error(`rendered data: the checkpoint was drawn with seed ${p.seed} from ${p.photos} photos, this run has seed ${seed} and ${photos}`);
  }
}

/** Pixels of blur room around each crop: half the camera's longest path, plus 4. */
export const renderMargin = (cam: CameraConfig): number => Math.ceil(maxPathPx(cam) / 2) + 4;

/** A pure function of (seed, step): rendered blurry/sharp training batches and held-out validation pairs. */
export class RenderedPairs {
  private stepNo = 0;
  private readonly margin: number;
  private readonly generator: Generator;
  /** Top-left corner of each photo's held-out square. */
  private readonly squares: { x: number; y: number }[];

  constructor(readonly pool: readonly PoolPhoto[], readonly o: RenderedPairsOptions) {
    if (pool.length === 0) throw new Error('RenderedPairs: no photos');
    // The noise generator lives on the pool's device: a GPU renders its own noise stream (the same for
    // every run on that device; a CPU and a GPU run of one seed see different noise).
    this.generator = new Generator(0, pool[0]!.image.device);
    for (const [k, v] of [['batchSize', o.batchSize], ['crop', o.crop], ['valCrop', o.valCrop]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`RenderedPairs: ${k} must be a positive integer, got ${v}`);
    }
    this.margin = renderMargin(o.camera);
    const need = Math.max(o.crop, o.valCrop) + 2 * this.margin + o.valCrop; // a training window beside the corner
    for (const p of pool) {
      const [, h, w] = p.image.shape as [number, number, number];
      if (Math.max(h, w) < need || Math.min(h, w) < Math.max(o.crop, o.valCrop) + 2 * this.margin) {
        throw new Error(`${p.file}: ${w}×${h} is too small for ${o.crop}-pixel training and ${o.valCrop}-pixel validation crops with ${this.margin}-pixel margins`);
      }
    }
    const t = o.crop + 2 * this.margin, v = o.valCrop + 2 * this.margin;
    this.squares = pool.map((p) => {
      const [, h, w] = p.image.shape as [number, number, number];
      const rng = keyedRng(SQUARE_DOMAIN, o.seed, nameKey(p.scene));
      for (let tries = 0; tries < 1000; tries++) {
        const x = rng.int(0, w - v + 1), y = rng.int(0, h - v + 1);
        if (x >= t || y >= t || w - x - v >= t || h - y - v >= t) return { x, y }; // room for a training window beside it
      }
      return { x: w - v, y: h - v }; // the corner always leaves room (checked above)
    });
  }

  get position(): RenderedPosition {
    return { step: this.stepNo, seed: this.o.seed, photos: this.pool.length };
  }

  /** Photo k's held-out square (validation only): its top-left corner and side, in pixels. */
  heldOut(k: number): { x: number; y: number; side: number } {
    return { ...this.squares[k]!, side: this.o.valCrop + 2 * this.margin };
  }

  restore(p: RenderedPosition): void {
    checkPosition(p, this.o.seed, this.pool.length);
    this.stepNo = p.step;
  }

  /** The next training batch (advances the position). */
  async next(): Promise<RenderedBatch> {
    const b = await this.batchAt(this.stepNo);
    this.stepNo++;
    return b;
  }

  /** The training batch of step s: [N, 3, crop, crop] blurry and sharp. */
  async batchAt(step: number): Promise<RenderedBatch> {
    const rng = keyedRng(TRAIN_DOMAIN, this.o.seed, step);
    const side = this.o.crop + 2 * this.margin;
    const crops = Array.from({ length: this.o.batchSize }, () => this.trainingWindow(rng, side));
    return { ...(await this.renderWindows(crops, rng)), step };
  }

  /**
   * n validation pairs of valCrop² from the held-out squares (photo i mod pool size; a photo gets a
   * second pair only when n exceeds the pool, with another trajectory and noise).
   */
  async validation(n: number): Promise<{ blurry: Tensor; sharp: Tensor }> {
    const side = this.o.valCrop + 2 * this.margin;
    const blurry: Tensor[] = [], sharp: Tensor[] = [];
    for (let i = 0; i < n; i += 8) {
      const rng = keyedRng(VAL_DOMAIN, this.o.seed, i);
      const windows = Array.from({ length: Math.min(8, n - i) }, (_, j) => {
        const k = (i + j) % this.pool.length, { x, y } = this.squares[k]!;
        return noGrad(() => scope(() => this.pool[k]!.image.slice(1, y, y + side).slice(2, x, x + side).to('float32').div(255).keep()));
      });
      const r = await this.renderWindows(windows, rng);
      blurry.push(r.blurry);
      sharp.push(r.sharp);
    }
    const out = noGrad(() => ({ blurry: cat(blurry, 0).keep(), sharp: cat(sharp, 0).keep() }));
    for (const t of [...blurry, ...sharp]) t.dispose();
    return out;
  }

  /** A random side² window of a random photo outside its held-out square, flipped/rotated: float [3, side, side]. */
  private trainingWindow(rng: Rng, side: number): Tensor {
    const k = rng.int(0, this.pool.length);
    const image = this.pool[k]!.image, sq = this.squares[k]!;
    const [, h, w] = image.shape as [number, number, number];
    const v = this.o.valCrop + 2 * this.margin;
    let x = 0, y = 0;
    for (let tries = 0; ; tries++) {
      x = rng.int(0, w - side + 1);
      y = rng.int(0, h - side + 1);
      const overlaps = x < sq.x + v && x + side > sq.x && y < sq.y + v && y + side > sq.y;
      if (!overlaps) break;
      if (tries > 10000) throw new Error(`${this.pool[k]!.file}: no training window outside the held-out square`); // unreachable: the square leaves room
    }
    const flips = rng.int(0, 8);
    return noGrad(() => scope(() => {
      let t = image.slice(1, y, y + side).slice(2, x, x + side).to('float32').div(255);
      if (flips & 1) t = hflip(t);
      if (flips & 2) t = vflip(t);
      if (flips & 4) t = rot90(t, 1);
      return t.contiguous().keep();
    }));
  }

  private async renderWindows(windows: Tensor[], rng: Rng): Promise<{ blurry: Tensor; sharp: Tensor }> {
    const photos = noGrad(() => stack(windows));
    for (const t of windows) t.dispose();
    this.generator.manualSeed(rng.int(0, 2 ** 31));
    const r = await render(this.o.camera, photos, { rng, generator: this.generator, margin: this.margin });
    photos.dispose();
    r.sharpCamera.dispose();
    return { blurry: r.blurry, sharp: r.sharp };
  }

  /** `using` releases it at the end of the block (as dispose()). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    for (const p of this.pool) p.image.dispose();
  }
}
