// An unknown-camera domain built from frame-averaged video (b2b data average): the benchmark layout
// B/, B-gt/, S/ and test/{blur,sharp}/ of 'b2b simulate', from real footage instead of the simulator.
//
// Each source is one video's pairs in time order. Its last windows become the test split, a gap of
// windows is dropped so that no training window neighbours a test window, and the training windows
// alternate: even ones give the blurry images B (with their sharp middle frames as B-gt, used only to
// pick a checkpoint), odd ones give the sharp images S. B and S are therefore unpaired, as a user's
// footage would be. Every image is cut into square tiles at seeded random positions; a pair's blurry
// and sharp tiles share a position.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { listImages } from './image.js';
import { Rng } from './rng.js';

export interface VideoDomainOptions {
  /** Folders with blur/ and sharp/ of matching names, in time order (b2b data average writes them). */
  sources: readonly string[];
  out: string;
  /** Tile side in pixels (default 256). */
  tile?: number;
  /**
   * Resize factor applied to every frame before tiling (default 1). Below 1 it shortens the video's blur
   * paths, for instance to bring them into the known camera's range of path lengths.
   */
  scale?: number;
  /** Tiles cut from each window's image (default 4). */
  tilesPerWindow?: number;
  /** Share of each source's windows, taken from its end, that forms the test split (default 0.25). */
  testFraction?: number;
  /** Windows dropped between the training and the test windows of each source (default 2). */
  gap?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface VideoDomainSummary {
  /** Tiles written to each folder. */
  counts: { B: number; S: number; test: number };
  sources: { source: string; windows: number; train: [number, number]; test: [number, number] }[];
}

interface Split {
  name: string;
  blur: string[];
  sharp: string[];
  nTrain: number;
  testStart: number;
}

function splitSource(dir: string, testFraction: number, gap: number): Split {
  const blur = listImages(join(dir, 'blur'));
  const sharpFiles = listImages(join(dir, 'sharp'));
  const names = (fs: string[]): string => fs.map((f) => basename(f)).join('\n');
  if (names(blur) !== names(sharpFiles)) {
    throw new Error(`${dir}: blur/ and sharp/ must hold the same file names (${blur.length} and ${sharpFiles.length} images)`);
  }
  const n = blur.length;
  const nTest = Math.max(1, Math.round(n * testFraction));
  const nTrain = n - nTest - gap;
  if (nTrain < 2) {
    throw new Error(`${dir}: ${n} windows leave ${nTrain} for training after ${nTest} test windows and a gap of ${gap}; need at least 2`);
  }
  return { name: basename(dir), blur, sharp: sharpFiles, nTrain, testStart: n - nTest };
}

async function size(file: string, scale = 1): Promise<{ width: number; height: number }> {
  const m = await sharp(file, { failOn: 'error' }).metadata().catch((e: Error) => {
    throw new Error(`${file}: cannot read image (${e.message})`);
  });
  if (!m.width || !m.height) throw new Error(`${file}: image has no size`);
  return { width: Math.round(m.width * scale), height: Math.round(m.height * scale) };
}

/** The image to cut tiles from: the file itself, or, when resized, its resized PNG (made once per window). */
async function tileSource(file: string, resized: { width: number; height: number } | null): Promise<string | Buffer> {
  if (!resized) return file;
  return sharp(file, { failOn: 'error' }).resize(resized.width, resized.height, { kernel: 'lanczos3', fit: 'fill' }).png().toBuffer();
}

/** Cuts a side² tile at (left, top). */
async function cut(src: string | Buffer, left: number, top: number, side: number, out: string): Promise<void> {
  await sharp(src, { failOn: 'error' }).extract({ left, top, width: side, height: side }).png().toFile(out);
}

/** Writes OUT/B, OUT/B-gt, OUT/S, OUT/test/{blur,sharp} and OUT/manifest.json; returns the counts. */
export async function buildVideoDomain(o: VideoDomainOptions): Promise<VideoDomainSummary> {
  const tile = o.tile ?? 256, scale = o.scale ?? 1, per = o.tilesPerWindow ?? 4, testFraction = o.testFraction ?? 0.25, gap = o.gap ?? 2;
  if (!Number.isInteger(tile) || tile < 8) throw new Error(`video domain: tile must be an integer ≥ 8, got ${tile}`);
  if (!(scale > 0 && scale <= 1)) throw new Error(`video domain: scale must be in (0, 1], got ${scale}`);
  if (!Number.isInteger(per) || per < 1) throw new Error(`video domain: tiles per window must be an integer ≥ 1, got ${per}`);
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`video domain: test fraction must be in (0, 1), got ${testFraction}`);
  if (!Number.isInteger(gap) || gap < 0) throw new Error(`video domain: gap must be an integer ≥ 0, got ${gap}`);
  if (o.sources.length === 0) throw new Error('video domain: give at least one source folder');
  const splits = o.sources.map((s) => splitSource(s, testFraction, gap));
  const dirs = { B: join(o.out, 'B'), Bgt: join(o.out, 'B-gt'), S: join(o.out, 'S'), tb: join(o.out, 'test', 'blur'), ts: join(o.out, 'test', 'sharp') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });

  const rng = new Rng(o.seed ?? 0);
  const summary: VideoDomainSummary = { counts: { B: 0, S: 0, test: 0 }, sources: [] };
  for (const sp of splits) {
    for (let w = 0; w < sp.blur.length; w++) {
      const role = w >= sp.testStart ? 'test' : w < sp.nTrain ? (w % 2 === 0 ? 'B' : 'S') : null;
      if (role === null) continue;
      const blur = sp.blur[w]!, sharpFile = sp.sharp[w]!;
      const { width, height } = await size(blur, scale);
      const s2 = await size(sharpFile, scale);
      if (s2.width !== width || s2.height !== height) {
        throw new Error(`${sharpFile}: ${s2.width}×${s2.height}, but its blurry image ${blur} is ${width}×${height}`);
      }
      if (width < tile || height < tile) {
        throw new Error(`${blur}: ${width}×${height}${scale !== 1 ? ` at scale ${scale}` : ''} is smaller than the ${tile}-px tile`);
      }
      const resized = scale === 1 ? null : { width, height };
      const blurSrc = role === 'S' ? blur : await tileSource(blur, resized); // S tiles come from the sharp frame alone
      const sharpSrc = await tileSource(sharpFile, resized);
      for (let t = 0; t < per; t++) {
        const left = rng.int(0, width - tile + 1), top = rng.int(0, height - tile + 1);
        const name = `${sp.name}--${String(w).padStart(4, '0')}-${t}.png`;
        if (role === 'B') {
          await cut(blurSrc, left, top, tile, join(dirs.B, name));
          await cut(sharpSrc, left, top, tile, join(dirs.Bgt, name));
        } else if (role === 'S') {
          await cut(sharpSrc, left, top, tile, join(dirs.S, name));
        } else {
          await cut(blurSrc, left, top, tile, join(dirs.tb, name));
          await cut(sharpSrc, left, top, tile, join(dirs.ts, name));
        }
        summary.counts[role]++;
      }
    }
    summary.sources.push({ source: sp.name, windows: sp.blur.length, train: [0, sp.nTrain], test: [sp.testStart, sp.blur.length] });
    o.log?.(`${sp.name}: windows 0–${sp.nTrain - 1} for training (even → B, odd → S), ${sp.testStart}–${sp.blur.length - 1} for test`);
  }
  writeFileSync(join(o.out, 'manifest.json'), JSON.stringify({ kind: 'video-domain', tile, scale, tilesPerWindow: per, testFraction, gap, seed: o.seed ?? 0, ...summary }, null, 2) + '\n');
  return summary;
}
