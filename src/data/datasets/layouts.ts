// Sample discovery for the folder layouts users bring: plain folders, GoPro, REDS, RSBlur, RealBlur and
// the official Blur2Blur layout. Everything here returns file paths (nothing is decoded); every problem
// (missing sub-folder, empty folder, unmatched pair, list entry without its file) is an error naming the
// folder or file. Pairs are matched by file name (see matchKey in match.ts).
import { basename, dirname, join, sep } from 'node:path';
import {
  brief, entries, hasImages, imageSet, isDir, isFile, pairFolders, readPairList, subdirs,
  type PairedSample, type UnpairedSet,
} from './match.js';

export type { PairedSample, UnpairedSet } from './match.js';
export { matchKey, pairFolders } from './match.js';

export type SplitName = 'train' | 'val' | 'test' | 'all';
/** Paired samples per split; only the splits the dataset has are present ('all' when it has no split). */
export type Splits = Partial<Record<SplitName, PairedSample[]>>;

/** Names of the blurry and sharp folders of a plain paired folder, in the order they are tried. */
export const PAIR_FOLDER_NAMES: readonly (readonly [string, string])[] = [
  ['blur', 'sharp'], ['input', 'target'], ['blurry', 'gt'], ['blur', 'gt'], ['blurry', 'sharp'], ['B', 'B-gt'],
];

function missing(dir: string, names: readonly string[], expected: string): never {
  const found = subdirs(dir);
  const what = names.length === 1 ? `sub-folder '${names[0]}'` : `sub-folders ${names.map((n) => `'${n}'`).join(', ')}`;
  throw new Error(`${dir}: missing ${what} (expected ${expected}; found: ${found.length ? brief(found, 8) : 'no folders'})`);
}

// ---- plain folders -------------------------------------------------------------------------------

/** A folder of images (unpaired), sorted by name. */
export function readImageFolder(dir: string): UnpairedSet {
  if (!isDir(dir)) throw new Error(`${dir}: not a folder`);
  return imageSet(dir);
}

/** The first PAIR_FOLDER_NAMES pair whose two folders exist in `dir`, if any. */
function pairNamesIn(dir: string): readonly [string, string] | undefined {
  return PAIR_FOLDER_NAMES.find(([b, s]) => isDir(join(dir, b)) && isDir(join(dir, s)));
}

/**
 * Two folders `blur`/`sharp` (or `input`/`target`, `blurry`/`gt`, …) matched by file name. Each pair
 * is its own scene (named by its file stem): plain folders carry no grouping.
 */
export function readPairedFolder(dir: string, scene?: string): PairedSample[] {
  const names = pairNamesIn(dir);
  if (names === undefined) {
    const present = [...new Set(PAIR_FOLDER_NAMES.flat())].filter((n) => isDir(join(dir, n)));
    const expected = PAIR_FOLDER_NAMES.map(([b, s]) => `${b}/ + ${s}/`).join(', ');
    if (present.length > 0) throw new Error(`${dir}: has ${present.map((n) => `'${n}'`).join(', ')} but not its partner folder (expected one of ${expected})`);
    missing(dir, ['blur', 'sharp'], `one of ${expected}`);
  }
  const pairs = pairFolders(join(dir, names[0]), join(dir, names[1]), scene ?? '');
  return scene !== undefined ? pairs : pairs.map((p) => ({ ...p, scene: basename(p.blurry).replace(/\.[^.]*$/, '') }));
}

/** ROOT/<scene>/{blur,sharp | blur,gt | input,target …}: paired folders per scene (scene = folder name). */
export function readSceneFolders(root: string): PairedSample[] {
  const scenes = subdirs(root);
  if (scenes.length === 0) throw new Error(`${root}: no scene folders (expected <scene>/blur/ + <scene>/sharp/ or gt/)`);
  return scenes.flatMap((s) => readPairedFolder(join(root, s), s));
}

// ---- GoPro ---------------------------------------------------------------------------------------

export interface GoProOptions {
  /** Which blurry images: 'blur' (default) or 'blur_gamma' (averaged in a gamma-corrected space). */
  blur?: 'blur' | 'blur_gamma';
}

/** GoPro: ROOT/{train,test}/<sequence>/{blur,blur_gamma,sharp}/*.png; scene = sequence. */
export function readGoPro(root: string, o: GoProOptions = {}): Splits {
  const blur = o.blur ?? 'blur';
  const present = (['train', 'test'] as const).filter((s) => isDir(join(root, s)));
  if (present.length === 0) missing(root, ['train', 'test'], 'GoPro: train/<sequence>/{blur,sharp}/');
  const out: Splits = {};
  for (const split of present) {
    const dir = join(root, split);
    const seqs = subdirs(dir);
    if (seqs.length === 0) throw new Error(`${dir}: no sequence folders (expected ${split}/<sequence>/{${blur},sharp}/)`);
    out[split] = seqs.flatMap((seq) => {
      const sd = join(dir, seq);
      for (const n of [blur, 'sharp']) if (!isDir(join(sd, n))) missing(sd, [n], `GoPro: <sequence>/{${blur},sharp}/`);
      return pairFolders(join(sd, blur), join(sd, 'sharp'), seq);
    });
  }
  return out;
}

// ---- REDS ----------------------------------------------------------------------------------------

export interface RedsOptions {
  /** Which blurry images: 'blur' (default), 'blur_jpeg' or 'blur_comp'. */
  blur?: 'blur' | 'blur_jpeg' | 'blur_comp';
}

/** The folder `ROOT/<split>/<split>_<what>` or `ROOT/<split>_<what>`, whichever exists. */
function redsDir(root: string, split: string, what: string): string | undefined {
  return [join(root, split, `${split}_${what}`), join(root, `${split}_${what}`)].find(isDir);
}

/** REDS: ROOT/{train,val}/{train_blur,train_sharp}/<seq>/*.png (or without the split level); scene = seq. */
export function readReds(root: string, o: RedsOptions = {}): Splits {
  const blur = o.blur ?? 'blur';
  const out: Splits = {};
  for (const split of ['train', 'val'] as const) {
    const b = redsDir(root, split, blur), s = redsDir(root, split, 'sharp');
    if (b === undefined && s === undefined) continue;
    if (b === undefined || s === undefined) {
      const [have, lack] = b === undefined ? [s!, `${split}_${blur}`] : [b, `${split}_sharp`];
      throw new Error(`${root}: REDS has ${have} but no '${lack}' folder next to it`);
    }
    const bs = subdirs(b), ss = subdirs(s);
    if (bs.length === 0) throw new Error(`${b}: no sequence folders (expected ${basename(b)}/<seq>/*.png)`);
    const unmatched = [...bs.filter((q) => !ss.includes(q)).map((q) => `${basename(b)}/${q}`),
      ...ss.filter((q) => !bs.includes(q)).map((q) => `${basename(s)}/${q}`)];
    if (unmatched.length > 0) {
      throw new Error(`${dirname(b)}: '${basename(b)}' has ${bs.length} sequences but '${basename(s)}' has ${ss.length}; unmatched: ${brief(unmatched)}`);
    }
    out[split] = bs.flatMap((q) => pairFolders(join(b, q), join(s, q), q));
  }
  if (Object.keys(out).length === 0) missing(root, [`train/train_${blur}`, 'train/train_sharp'], 'REDS: train/train_blur/<seq>/ + train/train_sharp/<seq>/');
  return out;
}

// ---- RSBlur --------------------------------------------------------------------------------------

export interface RsblurOptions {
  /** The blurry folder below each sequence; default 'real_blur', else 'blur'. */
  blur?: string;
}

const RSBLUR_LIST = /^RSBlur_real_(train|val|test)\.txt$/;

/** The blurry folder of an RSBlur sequence, or throws naming it. */
function rsblurBlurDir(seqDir: string, o: RsblurOptions): string {
  const names = o.blur !== undefined ? [o.blur] : ['real_blur', 'blur'];
  const found = names.find((n) => isDir(join(seqDir, n)));
  if (found === undefined) missing(seqDir, names.length === 1 ? names : ['real_blur (or blur)'], 'RSBlur: <scene>/<seq>/{real_blur,gt}/');
  return join(seqDir, found);
}

/**
 * RSBlur: the list files RSBlur_real_{train,val,test}.txt ("gt_path blur_path", relative to ROOT or
 * its parent) when present, else ROOT/<scene>/<seq>/{real_blur|blur, gt}/ as split 'all'. scene = <scene>.
 */
export function readRsblur(root: string, o: RsblurOptions = {}): Splits {
  const lists = entries(root).filter((n) => RSBLUR_LIST.test(n) && isFile(join(root, n)));
  const out: Splits = {};
  if (lists.length > 0) {
    for (const name of lists) {
      const split = RSBLUR_LIST.exec(name)![1] as SplitName;
      out[split] = readPairList(join(root, name), [root, dirname(root)], (gt) => segmentFromEnd(gt, 4));
    }
    return out;
  }
  const scenes = subdirs(root);
  if (scenes.length === 0) throw new Error(`${root}: no scene folders and no RSBlur_real_train.txt (expected <scene>/<seq>/{real_blur,gt}/)`);
  out.all = scenes.flatMap((scene) => {
    const sd = join(root, scene);
    const seqs = subdirs(sd);
    if (seqs.length === 0) throw new Error(`${sd}: no sequence folders (expected <seq>/{real_blur,gt}/)`);
    return seqs.flatMap((seq) => {
      const qd = join(sd, seq);
      const b = rsblurBlurDir(qd, o);
      if (!isDir(join(qd, 'gt'))) missing(qd, ['gt'], 'RSBlur: <scene>/<seq>/{real_blur,gt}/');
      return pairFolders(b, join(qd, 'gt'), scene);
    });
  });
  return out;
}

/** The n-th path segment from the end (1 = file name), '' when too short. */
function segmentFromEnd(p: string, n: number): string {
  const parts = p.split(/[\\/]+/).filter((x) => x !== '');
  return parts[parts.length - n] ?? '';
}

// ---- RealBlur ------------------------------------------------------------------------------------

export interface RealBlurOptions {
  /** 'J' (JPEG, default when present) or 'R' (raw). */
  variant?: 'J' | 'R';
}

const REALBLUR_DIR = /^RealBlur-([JR])_/;
const REALBLUR_LIST = /^RealBlur_([JR])_(train|test)_list\.txt$/;

/**
 * RealBlur: the official lists RealBlur_J_{train,test}_list.txt ("gt_path blur_path" relative to ROOT)
 * when present; else the scenes of ROOT/RealBlur-J_ECC_IMCORR_centroid_itensity_ref/<scene>/{blur,gt}/
 * as split 'all' (ROOT may also be that folder itself). Names blur_N ↔ gt_N match. scene = <scene>.
 */
export function readRealBlur(root: string, o: RealBlurOptions = {}): Splits {
  if (REALBLUR_DIR.test(basename(root))) return { all: readSceneFolders(root) };
  const names = entries(root);
  const variants = new Set(names.flatMap((n) => {
    const m = REALBLUR_DIR.exec(n) ?? REALBLUR_LIST.exec(n);
    return m ? [m[1] as 'J' | 'R'] : [];
  }));
  const v = o.variant ?? (variants.has('J') || variants.size === 0 ? 'J' : 'R');
  const lists = names.filter((n) => REALBLUR_LIST.exec(n)?.[1] === v && isFile(join(root, n)));
  const out: Splits = {};
  if (lists.length > 0) {
    for (const name of lists) {
      const split = REALBLUR_LIST.exec(name)![2] as SplitName;
      out[split] = readPairList(join(root, name), [root], (gt) => segmentFromEnd(gt, 3));
    }
    return out;
  }
  const dirs = names.filter((n) => REALBLUR_DIR.exec(n)?.[1] === v && isDir(join(root, n)));
  if (dirs.length === 0) {
    throw new Error(`${root}: no RealBlur-${v} data (expected RealBlur_${v}_train_list.txt or a RealBlur-${v}_ECC_IMCORR_centroid_itensity_ref/ folder; found: ${brief(names, 8) || 'nothing'})`);
  }
  out.all = dirs.flatMap((d) => readSceneFolders(join(root, d)));
  return out;
}

// ---- Blur2Blur -----------------------------------------------------------------------------------

/** The official Blur2Blur layout. */
export interface Blur2BlurSet {
  /** trainA: blurry images of the unknown camera. */
  unknownBlurry: UnpairedSet;
  /** trainB: sharp images of the unknown domain (not paired with trainA). */
  unknownSharp: UnpairedSet;
  /** trainC/trainD: known-blur blurry/sharp pairs, matched by name. */
  knownPairs?: PairedSample[];
  /** testA: blurry test images. */
  test?: UnpairedSet;
  /** testA/testB: test images with their ground truth, when testB exists. */
  testPairs?: PairedSample[];
}

const B2B_FOLDERS = ['trainA', 'trainB', 'trainC', 'trainD', 'testA', 'testB'] as const;

/** ROOT/trainA, trainB (required), trainC + trainD (optional, together), testA (+ optional testB). */
export function readBlur2Blur(root: string): Blur2BlurSet {
  const has = (n: string): boolean => isDir(join(root, n));
  const need = ['trainA', 'trainB'].filter((n) => !has(n));
  if (need.length > 0) missing(root, need, 'Blur2Blur: trainA/ (unknown blurry), trainB/ (unknown sharp), optional trainC/ + trainD/, testA/ (+ testB/)');
  if (has('trainC') !== has('trainD')) {
    throw new Error(`${root}: has '${has('trainC') ? 'trainC' : 'trainD'}' but not '${has('trainC') ? 'trainD' : 'trainC'}' (known blurry/sharp pairs need both)`);
  }
  if (has('testB') && !has('testA')) throw new Error(`${root}: has 'testB' (ground truth) but no 'testA' (test images)`);
  const set: Blur2BlurSet = { unknownBlurry: imageSet(join(root, 'trainA')), unknownSharp: imageSet(join(root, 'trainB')) };
  const stem = (p: PairedSample): PairedSample => ({ ...p, scene: basename(p.blurry).replace(/\.[^.]*$/, '') });
  if (has('trainC')) set.knownPairs = pairFolders(join(root, 'trainC'), join(root, 'trainD'), '').map(stem);
  if (has('testA')) set.test = imageSet(join(root, 'testA'));
  if (has('testB')) set.testPairs = pairFolders(join(root, 'testA'), join(root, 'testB'), '').map(stem);
  return set;
}

// ---- detection -----------------------------------------------------------------------------------

export type LayoutKind = 'blur2blur' | 'realblur' | 'rsblur' | 'gopro' | 'reds' | 'paired-folder' | 'scenes' | 'folder';

/** What detectLayout looks for, in order (used in its error message). */
export const LAYOUT_SIGNS: Readonly<Record<LayoutKind, string>> = {
  'blur2blur': 'Blur2Blur: trainA/, trainB/ (+ trainC/, trainD/, testA/, testB/)',
  'realblur': 'RealBlur: RealBlur-J_ECC_IMCORR_centroid_itensity_ref/<scene>/{blur,gt}/ or RealBlur_J_train_list.txt',
  'rsblur': 'RSBlur: RSBlur_real_train.txt or <scene>/<seq>/{real_blur,gt}/',
  'gopro': 'GoPro: train|test/<sequence>/{blur,sharp}/',
  'reds': 'REDS: train/train_blur/<seq>/ + train/train_sharp/<seq>/ (or val/val_blur, val/val_sharp)',
  'paired-folder': 'paired folders: blur/ + sharp/ (or input/ + target/, blurry/ + gt/)',
  'scenes': 'scene folders: <scene>/blur/ + <scene>/sharp/ (or gt/)',
  'folder': 'images directly in the folder',
};

const PAIR_NAMES = new Set(PAIR_FOLDER_NAMES.flat());

/** Recognises the layout of `root`; throws listing what it looked for when nothing matches. */
export function detectLayout(root: string): LayoutKind {
  if (!isDir(root)) throw new Error(`${root}: not a folder`);
  const names = entries(root);
  const dirs = names.filter((n) => isDir(join(root, n)));
  const has = (n: string): boolean => dirs.includes(n);
  if (B2B_FOLDERS.some(has)) return 'blur2blur';
  if (REALBLUR_DIR.test(basename(root)) || dirs.some((n) => REALBLUR_DIR.test(n)) || names.some((n) => REALBLUR_LIST.test(n))) return 'realblur';
  if (names.some((n) => RSBLUR_LIST.test(n))) return 'rsblur';
  const goproSplits = ['train', 'test'].filter(has);
  const goproSeq = (seqDir: string): boolean => ['blur', 'blur_gamma', 'sharp'].some((n) => isDir(join(seqDir, n)));
  if (goproSplits.some((s) => subdirs(join(root, s)).some((q) => goproSeq(join(root, s, q))))) return 'gopro';
  if (['train', 'val'].some((s) => ['blur', 'sharp'].some((w) => redsDir(root, s, w) !== undefined))) return 'reds';
  if (dirs.some((n) => PAIR_NAMES.has(n))) return 'paired-folder';
  if (dirs.some((d) => pairNamesIn(join(root, d)) !== undefined)) return 'scenes';
  if (dirs.some((d) => subdirs(join(root, d)).slice(0, 4).some((q) => isDir(join(root, d, q, 'gt'))))) return 'rsblur';
  if (hasImages(root)) return 'folder';
  const looked = Object.values(LAYOUT_SIGNS).map((s) => `  - ${s}`).join('\n');
  const found = names.length ? brief(names.map((n) => (has(n) ? `${n}${sep}` : n)), 10) : 'an empty folder';
  throw new Error(`${root}: unrecognised dataset layout; looked for:\n${looked}\nfound: ${found}`);
}

// ---- one entry point -----------------------------------------------------------------------------

export interface LayoutOptions {
  gopro?: GoProOptions;
  reds?: RedsOptions;
  rsblur?: RsblurOptions;
  realblur?: RealBlurOptions;
}

export type Dataset =
  | { kind: 'folder'; root: string; images: UnpairedSet }
  | { kind: 'paired-folder' | 'scenes'; root: string; pairs: PairedSample[] }
  | { kind: 'gopro' | 'reds' | 'rsblur' | 'realblur'; root: string; splits: Splits }
  | { kind: 'blur2blur'; root: string; set: Blur2BlurSet };

/** Detects the layout of `root` (or uses `kind`) and lists its samples. */
export function readLayout(root: string, o: LayoutOptions & { kind?: LayoutKind } = {}): Dataset {
  const kind = o.kind ?? detectLayout(root);
  switch (kind) {
    case 'folder': return { kind, root, images: readImageFolder(root) };
    case 'paired-folder': return { kind, root, pairs: readPairedFolder(root) };
    case 'scenes': return { kind, root, pairs: readSceneFolders(root) };
    case 'gopro': return { kind, root, splits: readGoPro(root, o.gopro) };
    case 'reds': return { kind, root, splits: readReds(root, o.reds) };
    case 'rsblur': return { kind, root, splits: readRsblur(root, o.rsblur) };
    case 'realblur': return { kind, root, splits: readRealBlur(root, o.realblur) };
    case 'blur2blur': return { kind, root, set: readBlur2Blur(root) };
  }
}

/** Every paired sample of a dataset, all splits together (blur2blur: trainC/trainD pairs). */
export function allPairs(d: Dataset): PairedSample[] {
  switch (d.kind) {
    case 'folder': return [];
    case 'paired-folder': case 'scenes': return d.pairs;
    case 'blur2blur': return d.set.knownPairs ?? [];
    default: return Object.values(d.splits).flat();
  }
}
