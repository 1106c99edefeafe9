// Builds a viewer set from folders: images matched by name across the columns (input, methods, ground
// truth), scored per image (PSNR/SSIM against the ground truth, or NIQE without one), and an absolute-
// error map written per restored image. Nothing is copied: the page refers to the images where they are.
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { listImages, readImage, writeImage } from '../../data/image.js';
import { keyed } from '../../data/datasets/match.js';
import { psnrPerImage } from '../../eval/psnr.js';
import { ssimPerImage } from '../../eval/ssim.js';
import { CONVENTIONS } from '../../eval/pipeline.js';
import { DEFAULT_NIQE_MODEL, niqe, readNiqeModel, type NiqeModel } from '../../eval/niqe.js';
import { noGrad, scope, stack, type Tensor } from '../../tensor/index.js';
import type { CellScore, ColumnRole, ViewColumn, ViewImage, ViewManifest, ViewSet } from './manifest.js';

/** One column of a set: a folder of images in one role. */
export interface ColumnSource {
  dir: string;
  role: ColumnRole;
  /** Defaults to the folder's name. */
  label?: string;
  /** Short id for file names (default: from the label or folder name). */
  id?: string;
  /**
   * Scores measured where the images were made (on the float output, before 8-bit saving), by match
   * key: used instead of scoring the saved files, so that the page's means are the results table's.
   */
  scores?: Record<string, CellScore>;
}

export interface SetSource {
  name: string;
  columns: ColumnSource[];
}

export interface BuildOptions {
  /** The HTML file the paths are made relative to. */
  page: string;
  /** Where error maps go (a folder the viewer owns). */
  assets: string;
  /** NIQE pristine model for sets without ground truth (default: the shipped one). */
  niqeModel?: string;
  /** Error-map gain (default 4: an error of 1/4 of the range is white). */
  errorGain?: number;
  /** Called after each image. */
  onImage?: (done: number, total: number) => void;
}

export const DEFAULT_ERROR_GAIN = 4;

/** A path as a URL relative to the page (each segment percent-encoded). */
export function pageUrl(page: string, file: string): string {
  return relative(dirname(page), file).split(sep).map(encodeURIComponent).join('/');
}

/** Short ids safe in file names and unique in the set. */
function columnIds(columns: readonly ColumnSource[]): string[] {
  const seen = new Set<string>();
  return columns.map((c) => {
    const base = (c.id ?? c.label ?? c.dir.split(/[\\/]/).filter(Boolean).pop() ?? 'column').replace(/[^\w.-]+/g, '_') || 'column';
    let id = base;
    for (let i = 2; seen.has(id); i++) id = `${base}_${i}`;
    seen.add(id);
    return id;
  });
}

/** |a − b| averaged over RGB, times `gain`, in a black→red→yellow→white scale: [3, H, W]. */
export function errorMap(a: Tensor, b: Tensor, gain: number): Tensor {
  return noGrad(() =>
    scope(() => {
      const e = a
        .sub(b)
        .abs()
        .mean(0)
        .mul(gain * 3);
      return stack([e.clamp(0, 1), e.sub(1).clamp(0, 1), e.sub(2).clamp(0, 1)], 0);
    }),
  );
}

function checkColumns(s: SetSource): void {
  if (s.columns.length === 0) throw new Error(`${s.name}: no columns to view`);
  const gts = s.columns.filter((c) => c.role === 'gt');
  if (gts.length > 1) throw new Error(`${s.name}: more than one ground-truth column (${gts.map((c) => c.dir).join(', ')})`);
  if (!s.columns.some((c) => c.role !== 'gt')) throw new Error(`${s.name}: only a ground truth, nothing to compare with it`);
}

/** Reads every image of the set once, scores it and writes its error map. */
export async function buildViewSet(s: SetSource, o: BuildOptions): Promise<ViewSet> {
  checkColumns(s);
  const ids = columnIds(s.columns);
  const columns: ViewColumn[] = s.columns.map((c, i) => ({
    id: ids[i]!,
    label: c.label ?? ids[i]!,
    role: c.role,
  }));
  const files = s.columns.map((c) => keyed(c.dir, listImages(c.dir)));
  const keys = [...new Set(files.flatMap((m) => [...m.keys()]))].sort();
  const gtIndex = s.columns.findIndex((c) => c.role === 'gt');
  const gain = o.errorGain ?? DEFAULT_ERROR_GAIN;
  let model: NiqeModel | null = null;
  const images: ViewImage[] = [];
  for (const [n, key] of keys.entries()) {
    const img: ViewImage = { name: key, width: 0, height: 0, files: {}, errors: {}, scores: {} };
    const gtFile = gtIndex >= 0 ? files[gtIndex]!.get(key) : undefined;
    const gt = gtFile ? (await readImage(gtFile)).tensor : null;
    try {
      for (const [i, c] of columns.entries()) {
        const file = files[i]!.get(key);
        if (!file) continue;
        img.files[c.id] = pageUrl(o.page, file);
        if (c.role === 'gt') continue;
        const t = (await readImage(file)).tensor;
        try {
          const [, h, w] = t.shape as [number, number, number];
          if (img.width === 0) [img.width, img.height] = [w, h];
          if (gt) {
            if (gt.shape.join() !== t.shape.join())
              throw new Error(`${file}: ${w}×${h} differs from its ground truth ${gtFile} (${gt.shape[2]}×${gt.shape[1]})`);
            img.scores[c.id] =
              s.columns[i]!.scores?.[key] ?? noGrad(() => ({ psnr: psnrPerImage(t, gt)[0]!, ssim: ssimPerImage(t, gt)[0]! }));
            const target = join(o.assets, s.name.replace(/[^\w.-]+/g, '_'), c.id, `${key}.png`);
            mkdirSync(dirname(target), { recursive: true });
            const e = errorMap(t, gt, gain);
            await writeImage(target, e).finally(() => e.dispose());
            img.errors[c.id] = pageUrl(o.page, target);
          } else {
            model ??= readNiqeModel(o.niqeModel ?? DEFAULT_NIQE_MODEL);
            const score: CellScore = {};
            if (h >= 96 && w >= 96) score.niqe = niqe(t, model);
            img.scores[c.id] = score;
          }
        } finally {
          t.dispose();
        }
      }
      if (img.width === 0 && gt) [img.height, img.width] = [gt.shape[1]!, gt.shape[2]!];
    } finally {
      gt?.dispose();
    }
    images.push(img);
    o.onImage?.(n + 1, keys.length);
  }
  return { name: s.name, columns, images, referenced: gtIndex >= 0 };
}

/** The conventions line for a manifest. */
export function viewConventions(gain: number): string {
  return `${CONVENTIONS}. Without ground truth: NIQE (lower is more natural; this project's pristine model). Error maps: |restored − truth| averaged over RGB, ×${gain}, black → red → yellow → white.`;
}

/** Builds every set into one manifest. */
export async function buildManifest(title: string, sets: readonly SetSource[], o: BuildOptions): Promise<ViewManifest> {
  const total = sets.reduce((a, s) => a + Math.max(...s.columns.map((c) => listImages(c.dir).length)), 0);
  let before = 0;
  const built: ViewSet[] = [];
  for (const s of sets) {
    const set = await buildViewSet(s, { ...o, onImage: (d) => o.onImage?.(before + d, Math.max(total, before + d)) });
    before += set.images.length;
    built.push(set);
  }
  const gain = o.errorGain ?? DEFAULT_ERROR_GAIN;
  return { title, sets: built, conventions: viewConventions(gain), errorGain: gain };
}
