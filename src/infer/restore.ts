// Deblurring for users: D_K(G(y)) (or D_K(y) alone) on an image, a folder of images or a video, large
// frames in blended tiles, any size (the models pad and crop back), outputs in the input's format or
// a chosen one. Nothing is overwritten in place: outputs go to a separate path, each written whole.
import { mkdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { noGrad, scope, type Tensor } from '../tensor/index.js';
import type { MIMOUNet } from '../models/index.js';
import { IMAGE_EXTENSIONS, ImageReadError, listImages, readImage, writeImage } from '../data/image.js';
import { probeVideo, readFrames, writeVideo } from '../data/video.js';
import { deblur, type Deblurrer } from '../train/deblur.js';
import { pipeline } from '../eval/pipeline.js';
import { tiled, type TileOptions } from './tiles.js';

export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.mkv', '.m4v', '.avi', '.webm'] as const;

export interface Restorer {
  deblurrer: Deblurrer;
  /** G; null: D_K alone. */
  translator: MIMOUNet | null;
  tiles?: TileOptions;
}

/** One image [3, H, W] → [3, H, W] in [0, 1]. */
export function restoreImage(r: Restorer, y: Tensor): Tensor {
  const restore = pipeline((x) => deblur(r.deblurrer, x), r.translator);
  const fn = (t: Tensor): Tensor => scope(() => restore(t).clamp(0, 1));
  return noGrad(() => scope(() => tiled(y.unsqueeze(0), fn, r.tiles).select(0, 0)));
}

/** Only the translator's output G(y) (what the known-domain deblurrer then sees). */
export function translateImage(g: MIMOUNet, y: Tensor, tiles?: TileOptions): Tensor {
  return noGrad(() => scope(() => tiled(y.unsqueeze(0), (t) => scope(() => g.forwardAnySize(t)[2].clamp(0, 1)), tiles).select(0, 0)));
}

export type InputKind = 'image' | 'folder' | 'video';

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

export interface RestoreReport {
  kind: InputKind;
  written: string[];
  skipped: { file: string; reason: string }[];
  seconds: number;
}

/** The output file for an input file: in `outDir` (a folder) or `out` itself, with `format`'s extension if given. */
function outputName(input: string, format: string | undefined): string {
  const ext = format ? `.${format.replace(/^\./, '')}` : extname(input);
  return basename(input, extname(input)) + ext;
}

/**
 * Deblurs `input` (image, folder or video) into `out`: a file for an image or video, a folder for a
 * folder. Unreadable images of a folder are skipped and reported; nothing already there is read back.
 */
export async function restorePath(r: Restorer, input: string, out: string, o: { format?: string; onProgress?: (done: number, total: number) => void } = {}): Promise<RestoreReport> {
  const t0 = performance.now();
  const kind = inputKind(input);
  const report: RestoreReport = { kind, written: [], skipped: [], seconds: 0 };
  if (kind === 'image') {
    const target = o.format ? `${out.replace(/\.[^./]*$/, '')}.${o.format.replace(/^\./, '')}` : out;
    const y = (await readImage(input)).tensor;
    const x = restoreImage(r, y);
    await writeImage(target, x);
    for (const t of [x, y]) t.dispose();
    report.written.push(target);
  } else if (kind === 'folder') {
    const files = listImages(input);
    mkdirSync(out, { recursive: true });
    for (const [i, f] of files.entries()) {
      let y: Tensor;
      try {
        y = (await readImage(f)).tensor;
      } catch (e) {
        if (!(e instanceof ImageReadError)) throw e;
        report.skipped.push({ file: f, reason: e.message });
        continue;
      }
      const x = restoreImage(r, y);
      const target = join(out, outputName(f, o.format));
      await writeImage(target, x);
      for (const t of [x, y]) t.dispose();
      report.written.push(target);
      o.onProgress?.(i + 1, files.length);
    }
  } else {
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
