// b2b view: an HTML page for inspecting restorations side by side: a before/after slider, synchronised
// zoom and pan over every column, per-image scores sortable, best and worst images by gain, error maps.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { hasImages, subdirs } from '../../data/datasets/match.js';
import { buildManifest, type ColumnSource, type SetSource } from '../../report/viewer/build.js';
import { renderViewerPage } from '../../report/viewer/page.js';
import { viewerSetsOf } from '../../experiment/report-build.js';
import type { Results } from '../../experiment/results.js';
import { outputMode, TaskProgress } from '../progress.js';
import { parse, stringFlags, UsageError } from '../usage.js';

const HELP = `usage: b2b view DIR [--out OUT]
       b2b view --input DIR [--method NAME=DIR]... [--gt DIR] [--out OUT] [--title T]
  writes OUT/index.html (default OUT: ./b2b-view): open it from the file system or any static server
  DIR       an evaluation folder: a bench or demo output (results.json: every camera and method), a
            folder written by 'b2b eval --save' (view.json), or any folder whose sub-folders are the
            columns (input, blurry or blur first; gt, sharp or ground-truth as the ground truth)
  --input DIR          the degraded images
  --method NAME=DIR    a method's restorations (repeatable; shown in the order given)
  --gt DIR             the ground truth: PSNR/SSIM and error maps (without it: NIQE)
  --title T            the page's title
  --quiet              no progress
Images are matched by name across folders (a leading blur_/gt_ role word ignored). The page refers to
the images where they are (relative paths); only the error maps are written, under OUT/error-maps.`;

const INPUT_NAMES = ['input', 'blurry', 'blur', 'degraded'];
const GT_NAMES = ['gt', 'sharp', 'ground-truth', 'groundtruth', 'target'];
/** A marker so that a later run may write into the folder again; a folder without it is not ours. */
const MARKER = '.b2b-view';

/** The columns of a plain folder of folders. */
function folderColumns(dir: string): ColumnSource[] {
  const subs = subdirs(dir).filter((s) => hasImages(join(dir, s)));
  if (subs.length === 0) throw new Error(`${dir}: no sub-folders with images (expected input/, one folder per method, gt/)`);
  const role = (s: string): ColumnSource['role'] =>
    INPUT_NAMES.includes(s.toLowerCase()) ? 'input' : GT_NAMES.includes(s.toLowerCase()) ? 'gt' : 'method';
  const rank = { input: 0, method: 1, gt: 2 };
  return subs
    .map((s) => ({ dir: join(dir, s), role: role(s), label: s }))
    .sort((a, b) => rank[a.role] - rank[b.role] || a.label.localeCompare(b.label));
}

interface ViewJson {
  title?: string;
  columns: { dir: string; role: ColumnSource['role']; label?: string; scores?: ColumnSource['scores'] }[];
}

function readViewJson(dir: string): SetSource & { title?: string } {
  const file = join(dir, 'view.json');
  let v: ViewJson;
  try {
    v = JSON.parse(readFileSync(file, 'utf8')) as ViewJson;
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as Error).message})`);
  }
  if (!Array.isArray(v.columns) || v.columns.some((c) => typeof c.dir !== 'string' || !['input', 'method', 'gt'].includes(c.role)))
    throw new Error(`${file}: expected {"columns": [{"dir": …, "role": "input" | "method" | "gt", "label"?: …}]}`);
  return { name: basename(resolve(dir)), title: v.title, columns: v.columns.map((c) => ({ ...c, dir: resolve(dir, c.dir) })) };
}

/** The sets of an evaluation folder, and its title. */
async function folderSets(dir: string, say: (l: string) => void): Promise<{ title: string; sets: SetSource[] }> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
  if (existsSync(join(dir, 'results.json'))) {
    const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    return { title: `${basename(resolve(dir))}: test images`, sets: await viewerSetsOf(dir, r, 'cpu', say) };
  }
  if (existsSync(join(dir, 'view.json'))) {
    const s = readViewJson(dir);
    return { title: s.title ?? s.name, sets: [s] };
  }
  return { title: basename(resolve(dir)), sets: [{ name: basename(resolve(dir)), columns: folderColumns(dir) }] };
}

function methodColumn(spec: string): ColumnSource {
  const at = spec.indexOf('=');
  if (at <= 0 || at === spec.length - 1) throw new UsageError(`view: --method takes NAME=DIR, got '${spec}'`);
  return { label: spec.slice(0, at), dir: spec.slice(at + 1), role: 'method' };
}

/** The output folder: new, empty, or written by b2b view before; never someone else's. */
function claimOut(out: string): void {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new Error(`--out ${out}: exists and is not a folder`);
    if (readdirSync(out).length > 0 && !existsSync(join(out, MARKER)))
      throw new Error(`--out ${out}: a folder with other files in it; b2b view writes only into a new or empty folder, or one it wrote`);
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, MARKER), 'written by b2b view\n');
}

export async function viewCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    { ...stringFlags('input', 'gt', 'out', 'title'), method: { type: 'string', multiple: true }, quiet: { type: 'boolean' } },
    HELP,
  );
  const progress = new TaskProgress('view', outputMode(values), 'images');
  const say = (l: string): void => progress.note(l);
  let title: string, sets: SetSource[];
  if (positionals.length > 0) {
    if (positionals.length > 1) throw new UsageError(`view: one evaluation folder, got ${positionals.length}\n\n${HELP}`);
    if (values.input || values.method || values.gt)
      throw new UsageError(`view: give an evaluation folder or --input/--method/--gt, not both`);
    ({ title, sets } = await folderSets(positionals[0]!, say));
  } else {
    if (!values.input && !values.method?.length)
      throw new UsageError(`view: give an evaluation folder, or --input and --method\n\n${HELP}`);
    const columns: ColumnSource[] = [
      ...(values.input ? [{ dir: values.input, role: 'input' as const, label: 'input' }] : []),
      ...(values.method ?? []).map(methodColumn),
      ...(values.gt ? [{ dir: values.gt, role: 'gt' as const, label: 'ground truth' }] : []),
    ];
    title = 'restorations';
    sets = [{ name: 'images', columns }];
  }
  const out = values.out ?? 'b2b-view';
  claimOut(out);
  const page = join(out, 'index.html');
  const manifest = await buildManifest(values.title ?? title, sets, {
    page,
    assets: join(out, 'error-maps'),
    onImage: (d, t) => progress.update(d, t),
  });
  progress.end();
  writeFileSync(page, renderViewerPage(manifest));
  const images = manifest.sets.reduce((a, s) => a + s.images.length, 0);
  console.log(
    `${page}: ${images} images in ${manifest.sets.length} set${manifest.sets.length > 1 ? 's' : ''}, ${manifest.sets[0]!.columns.length} columns`,
  );
}
