// Deblurring for users: D_K(G(y)) (or D_K(y) alone) on an image, a folder of images or a video, large
// frames in blended tiles, any size (the models pad and crop back), outputs in the input's format or
// a chosen one. Nothing is overwritten in place: outputs go to a separate path, each written whole.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { noGrad, scope, type Tensor } from '../tensor/index.js';
import { deblur, deviceOf, type Deblurrer, type MIMOUNet } from '../models/index.js';
import { IMAGE_EXTENSIONS, ImageReadError, listImages, readImage, writeImage } from '../data/image.js';
import { probeVideo, readFrames, writeVideo } from '../data/video.js';
import { pipeline } from '../eval/pipeline.js';
import { tiled, type TileOptions } from './tiles.js';
import { planOutputs, type PlannedOutput } from './outputs.js';

/** Output formats that hold 16 bits per channel. */
const SIXTEEN_BIT = ['.png', '.tif', '.tiff'];

export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.mkv', '.m4v', '.avi', '.webm'] as const;

/** What deblurs: D_K, the translator G (or null for D_K alone) and the tiling of large frames. */
export interface Restorer {
  deblurrer: Deblurrer;
  /** G; null: D_K alone. */
  translator: MIMOUNet | null;
  tiles?: TileOptions;
}

/** One image [3, H, W] → [3, H, W] in [0, 1]. */
export function restoreImage(r: Restorer, y: Tensor): Tensor {
  const restore = pipeline((x) => deblur(r.deblurrer, x), r.translator, deviceOf(r.deblurrer));
  const fn = (t: Tensor): Tensor => scope(() => restore(t).clamp(0, 1));
  return noGrad(() => scope(() => tiled(y.unsqueeze(0), fn, r.tiles).select(0, 0)));
}

/** Only the translator's output G(y) (what the known-domain deblurrer then sees). */
export function translateImage(g: MIMOUNet, y: Tensor, tiles?: TileOptions): Tensor {
  const device = deviceOf(g);
  const fn = (t: Tensor): Tensor => scope(() => g.forwardAnySize(t.to(device))[2].clamp(0, 1).to(t.device));
  return noGrad(() => scope(() => tiled(y.unsqueeze(0), fn, tiles).select(0, 0)));
}

/** An image, a folder of images, or a video. */
export type InputKind = 'image' | 'folder' | 'video';

/** Whether a path is an image, a folder or a video (an error names what it is not). */
export function inputKind(path: string): InputKind {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`${path}: no such file or folder`);
  }
  if (st.isDirectory()) return 'folder';
  const ext = extname(path).toLowerCase();
  if ((IMAGE_EXTENSIONS as readonly string[]).includes(ext)) return 'image';
  if ((VIDEO_EXTENSIONS as readonly string[]).includes(ext)) return 'video';
  throw new Error(`${path}: not an image (${IMAGE_EXTENSIONS.join(', ')}), a video (${VIDEO_EXTENSIONS.join(', ')}) or a folder`);
}

/** What restorePath did: the files written, the inputs skipped and why, notes (16-bit inputs), seconds. */
export interface RestoreReport {
  kind: InputKind;
  written: string[];
  skipped: { file: string; reason: string }[];
  /** Things the user should know about what was written (16-bit inputs stored as 8-bit, …). */
  notes: string[];
  seconds: number;
}

/**
 * Deblurs `input` (image, folder or video) into `out`: a file for an image or video, a folder for a
 * folder. Unreadable images of a folder are skipped and reported; nothing already there is read back.
 */
export async function restorePath(
  r: Restorer,
  input: string,
  out: string,
  o: { format?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<RestoreReport> {
  const t0 = performance.now();
  const kind = inputKind(input);
  const report: RestoreReport = { kind, written: [], skipped: [], notes: [], seconds: 0 };
  // 16-bit inputs keep their depth where the output format can hold it, and are reported where it cannot.
  const write = async (source: string, bitDepth: 8 | 16, target: string, x: Tensor): Promise<void> => {
    const deep = bitDepth === 16 && SIXTEEN_BIT.includes(extname(target).toLowerCase());
    if (bitDepth === 16 && !deep) report.notes.push(`${source} is 16-bit; ${target} holds 8 bits (use --format png or tif to keep 16)`);
    mkdirSync(dirname(target), { recursive: true });
    await writeImage(target, x, { bitDepth: deep ? 16 : 8 });
    report.written.push(target);
  };
  if (kind === 'image') {
    const [{ target }] = planOutputs(input, [input], out, { folder: false, format: o.format }) as [PlannedOutput];
    const { tensor: y, info } = await readImage(input);
    const x = restoreImage(r, y);
    y.dispose();
    try {
      await write(input, info.bitDepth, target, x);
    } finally {
      x.dispose();
    }
  } else if (kind === 'folder') {
    const files = listImages(input);
    const plan = planOutputs(input, files, out, { folder: true, format: o.format });
    mkdirSync(out, { recursive: true });
    for (const [i, { input: f, target }] of plan.entries()) {
      let read: Awaited<ReturnType<typeof readImage>>;
      try {
        read = await readImage(f);
      } catch (e) {
        if (!(e instanceof ImageReadError)) throw e;
        report.skipped.push({ file: f, reason: e.message });
        continue;
      }
      const x = restoreImage(r, read.tensor);
      read.tensor.dispose();
      try {
        await write(f, read.info.bitDepth, target, x);
      } finally {
        x.dispose();
      }
      o.onProgress?.(i + 1, files.length);
    }
  } else {
    planOutputs(input, [input], out, { folder: false });
    mkdirSync(dirname(resolve(out)), { recursive: true });
    const info = await probeVideo(input);
    let done = 0;
    async function* restored(): AsyncGenerator<Tensor> {
      for await (const frame of readFrames(input)) {
        const x = restoreImage(r, frame);
        frame.dispose();
        yield x;
        x.dispose();
        o.onProgress?.(++done, info.frames);
      }
    }
    await writeVideo(out, restored(), { fps: info.fps, audioFrom: input });
    report.written.push(out);
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}
