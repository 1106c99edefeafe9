// The benchmark generator: simulated datasets made the way the paper's were, from real photos.
// Scenes (photos) are split by seed into test scenes and training scenes; training scenes split 0.6/0.4
// into the unknown-blur set B and the sharp set S (disjoint, as in the paper). Layout of OUT:
//   role 'unknown' (default):  B/ (blurry)  B-gt/ (their ground truth: simulation only, for validation
//                              and the upper bound)  S/ (the camera's own sharp images)  test/{blur,sharp}/
//   role 'known':              pairs/{blur,sharp}/ (all training scenes)  test/{blur,sharp}/
// plus manifest.json (camera, seed, photo hashes, splits, per-sample parameters) and contact-sheet.png.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Generator, cat, noGrad, scope, stack, type Tensor } from '../tensor/index.js';
import { listImages, readImage, writeImage } from './image.js';
import { Rng } from './rng.js';
import { maxPathPx, type CameraConfig } from './camera/config.js';
import { render, type SampleParams } from './camera/render.js';

/** What to simulate: the camera, the photos, where to write, the seed, the role (unknown: B, S, test; known: pairs, test), crop size and count. */
export interface BenchmarkOptions {
  camera: CameraConfig;
  photosDir: string;
  out: string;
  seed: number;
  role?: 'unknown' | 'known';
  /** Crop size of every sample (pixels). */
  size?: number;
  /** Crops per photo (training scenes; test scenes get half as many). */
  perPhoto?: number;
  /** Fraction of scenes held out for testing. */
  testFraction?: number;
  batch?: number;
  log?: (line: string) => void;
  /** Called after each photo with the photos done and their total. */
  onProgress?: (done: number, total: number) => void;
}

export interface SampleRecord extends SampleParams {
  file: string;
  scene: string;
  x: number;
  y: number;
}

/** What a simulated benchmark holds: camera, seed, photos (hashed), splits and every sample's parameters. */
export interface BenchmarkManifest {
  camera: CameraConfig;
  seed: number;
  role: 'unknown' | 'known';
  size: number;
  photos: { scene: string; file: string; sha256: string }[];
  splits: Record<string, string[]>;
  counts: Record<string, number>;
  samples: Record<string, SampleRecord[]>;
}

const sceneName = (file: string): string => basename(file, extname(file));

/** Splits scenes: test (testFraction), then the rest 0.6 / 0.4 into B and S (seeded, disjoint). */
export function splitScenes(scenes: string[], seed: number, testFraction: number): { test: string[]; b: string[]; s: string[] } {
  const order = new Rng(seed ^ 0x5eed).shuffle([...scenes]);
  const nTest = Math.max(1, Math.round(order.length * testFraction));
  const test = order.slice(0, nTest), train = order.slice(nTest);
  const nB = Math.round(train.length * 0.6);
  return { test: test.sort(), b: train.slice(0, nB).sort(), s: train.slice(nB).sort() };
}

interface Job {
  split: string;
  scene: string;
  photo: Tensor;
  count: number;
  /** Which rendered outputs to write, by folder. */
  outputs: [folder: string, kind: 'blurry' | 'sharp' | 'sharpCamera'][];
}

/** Simulates a camera on a folder of photos (as `b2b simulate`): scenes split into test, B and S, the pairs and sets written under `o.out` with a manifest. */
export async function generateBenchmark(o: BenchmarkOptions): Promise<BenchmarkManifest> {
  const size = o.size ?? 256, perPhoto = o.perPhoto ?? 8, role = o.role ?? 'unknown', batch = o.batch ?? 8;
  const log = o.log ?? (() => {});
  const files = listImages(o.photosDir);
  if (files.length < 3) throw new Error(`${o.photosDir}: needs at least 3 photos (test, B and S scenes), found ${files.length}`);
  const scenes = files.map(sceneName);
  const split = splitScenes(scenes, o.seed, o.testFraction ?? 0.25);
  const rng = new Rng(o.seed);
  const generator = new Generator(o.seed);
  const margin = Math.ceil(maxPathPx(o.camera) / 2) + 4;
  const manifest: BenchmarkManifest = {
    camera: o.camera, seed: o.seed, role, size, photos: [],
    splits: role === 'unknown' ? { test: split.test, B: split.b, S: split.s } : { test: split.test, pairs: [...split.b, ...split.s].sort() },
    counts: {}, samples: {},
  };
  const plan: Omit<Job, 'photo'>[] = [];
  for (const scene of split.test) plan.push({ split: 'test', scene, count: Math.max(1, perPhoto >> 1), outputs: [['test/blur', 'blurry'], ['test/sharp', 'sharp']] });
  if (role === 'unknown') {
    for (const scene of split.b) plan.push({ split: 'B', scene, count: perPhoto, outputs: [['B', 'blurry'], ['B-gt', 'sharp']] });
    for (const scene of split.s) plan.push({ split: 'S', scene, count: perPhoto, outputs: [['S', 'sharpCamera']] });
  } else {
    for (const scene of manifest.splits.pairs!) plan.push({ split: 'pairs', scene, count: perPhoto, outputs: [['pairs/blur', 'blurry'], ['pairs/sharp', 'sharp']] });
  }
  for (const folder of new Set(plan.flatMap((p) => p.outputs.map(([f]) => f)))) mkdirSync(join(o.out, folder), { recursive: true });

  // Crops of every job, rendered in batches of the same size.
  const queue: { job: Omit<Job, 'photo'>; crop: Tensor; x: number; y: number; k: number }[] = [];
  const flush = async (): Promise<void> => {
    if (queue.length === 0) return;
    const items = queue.splice(0, queue.length);
    const photos = noGrad(() => stack(items.map((i) => i.crop)));
    const r = await render(o.camera, photos, { rng, generator, margin });
    const kinds = { blurry: r.blurry, sharp: r.sharp, sharpCamera: r.sharpCamera };
    for (let i = 0; i < items.length; i++) {
      const { job, x, y, k } = items[i]!;
      const file = `${job.scene}_${String(k).padStart(2, '0')}.png`;
      for (const [folder, kind] of job.outputs) {
        const img = noGrad(() => kinds[kind].select(0, i));
        await writeImage(join(o.out, folder, file), img);
        img.dispose();
      }
      (manifest.samples[job.split] ??= []).push({ file, scene: job.scene, x, y, ...r.params[i]! });
    }
    for (const t of [photos, r.blurry, r.sharp, r.sharpCamera, ...items.map((i) => i.crop)]) t.dispose();
  };
  for (const [done, job] of plan.entries()) {
    const file = files[scenes.indexOf(job.scene)]!;
    const { tensor: photo, info } = await readImage(file);
    manifest.photos.push({ scene: job.scene, file: basename(file), sha256: createHash('sha256').update(readFileSync(file)).digest('hex') });
    const need = size + 2 * margin;
    if (info.width < need || info.height < need) {
      photo.dispose();
      throw new Error(`${file}: ${info.width}×${info.height} is smaller than a ${size}-pixel crop plus ${margin}-pixel margins (${need})`);
    }
    for (let k = 0; k < job.count; k++) {
      const x = rng.int(0, info.width - need + 1), y = rng.int(0, info.height - need + 1);
      const crop = noGrad(() => scope(() => photo.slice(1, y, y + need).slice(2, x, x + need).contiguous()));
      queue.push({ job, crop, x, y, k });
      if (queue.length >= batch) await flush();
    }
    photo.dispose();
    log(`${job.split} ${job.scene}: ${job.count} samples`);
    o.onProgress?.(done + 1, plan.length);
  }
  await flush();
  for (const [k, v] of Object.entries(manifest.samples)) manifest.counts[k] = v.length;
  writeFileSync(join(o.out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  await writeContactSheet(o.out);
  return manifest;
}

/** contact-sheet.png: up to 6 test samples, each a row of sharp | white gap | blurry (full size). */
export async function writeContactSheet(dir: string): Promise<void> {
  const names = listImages(join(dir, 'test/blur')).slice(0, 6).map((f) => basename(f));
  const rows: Tensor[] = [];
  for (const n of names) {
    const a = (await readImage(join(dir, 'test/sharp', n))).tensor;
    const b = (await readImage(join(dir, 'test/blur', n))).tensor;
    rows.push(noGrad(() => scope(() => cat([a, b.mul(0).add(1).slice(2, 0, 4), b], 2))));
    a.dispose();
    b.dispose();
  }
  const sheet = noGrad(() => cat(rows, 1));
  await writeImage(join(dir, 'contact-sheet.png'), sheet);
  for (const t of [sheet, ...rows]) t.dispose();
}
