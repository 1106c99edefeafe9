// Folder helpers shared by the dataset layouts: listing sub-folders, pairing the images of two folders
// by name, and reading "gt_path blur_path" list files. Only paths: nothing is decoded here.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { IMAGE_EXTENSIONS, listImages } from '../image.js';

/** A blurry image, its sharp ground truth, and the scene (sequence) they come from. */
export interface PairedSample {
  blurry: string;
  sharp: string;
  /** Scene or sequence name: samples sharing it are frames of one scene (keep them in one split). */
  scene: string;
}

/** Images without ground truth. */
export interface UnpairedSet {
  files: string[];
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Entry names of a folder, sorted; throws naming the folder if it cannot be listed. */
export function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (e) {
    throw new Error(`${dir}: cannot list folder (${(e as Error).message})`);
  }
}

/** Names of the sub-folders of `dir`, sorted. */
export function subdirs(dir: string): string[] {
  return entries(dir).filter((n) => isDir(join(dir, n)));
}

/** Whether `dir` holds at least one image file directly. */
export function hasImages(dir: string): boolean {
  return listImages(dir, { allowEmpty: true }).length > 0;
}

/** A short list for messages: the first `max` items, then how many more. */
export function brief(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} … and ${items.length - max} more`;
}

// Files of the two sides may carry their role in the name (RealBlur: blur/blur_1.png ↔ gt/gt_1.png),
// so the key used for matching drops one such leading word.
const ROLE_PREFIX = /^(real_blur|blurry|blurred|blur|sharp|gt|input|target)(?:[_-]|$)/i;

/** The name used to match a blurry file with its sharp file: the stem without a leading role word. */
export function matchKey(file: string): string {
  const stem = basename(file, extname(file));
  const key = stem.replace(ROLE_PREFIX, '');
  return key === '' ? stem : key;
}

/** Files of a folder by matchKey; throws naming the folder when two share a key. */
export function keyed(dir: string, files: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of files) {
    const k = matchKey(f);
    const other = m.get(k);
    if (other !== undefined) {
      throw new Error(`${dir}: ${basename(other)} and ${basename(f)} have the same name apart from the extension or role prefix; cannot tell which one pairs`);
    }
    m.set(k, f);
  }
  return m;
}

/**
 * Pairs the images of `blurDir` and `sharpDir` by name (see matchKey). A folder holding a single image
 * pairs with the other's single image whatever their names (RSBlur: real_blur.png ↔ gt_sharp.png).
 * Throws naming the parent folder when a folder is empty or some images have no partner.
 */
export function pairFolders(blurDir: string, sharpDir: string, scene: string): PairedSample[] {
  const blurs = listImages(blurDir);
  const sharps = listImages(sharpDir);
  if (blurs.length === 1 && sharps.length === 1) return [{ blurry: blurs[0]!, sharp: sharps[0]!, scene }];
  const b = keyed(blurDir, blurs);
  const s = keyed(sharpDir, sharps);
  const parent = dirname(blurDir) === dirname(sharpDir) ? dirname(blurDir) : `${blurDir} + ${sharpDir}`;
  const bn = basename(blurDir), sn = basename(sharpDir);
  const unmatched = [
    ...[...b].filter(([k]) => !s.has(k)).map(([, f]) => `${bn}/${basename(f)}`),
    ...[...s].filter(([k]) => !b.has(k)).map(([, f]) => `${sn}/${basename(f)}`),
  ];
  if (unmatched.length > 0) {
    const counts = blurs.length === sharps.length
      ? `'${bn}' and '${sn}' both have ${blurs.length} images but their names differ`
      : `'${bn}' has ${blurs.length} images but '${sn}' has ${sharps.length}`;
    throw new Error(`${parent}: ${counts}; unmatched: ${brief(unmatched)}`);
  }
  return [...b].map(([k, blurry]) => ({ blurry, sharp: s.get(k)!, scene }));
}

/** Lists a folder's images as an UnpairedSet (throws naming the folder when it has none). */
export function imageSet(dir: string): UnpairedSet {
  return { files: listImages(dir) };
}

/**
 * Reads a list file whose lines are "gt_path blur_path" (extra columns ignored, blank lines and '#'
 * comments skipped). Relative paths are resolved against the first of `bases` under which the line's
 * files exist. `sceneOf` names the scene from the sharp path. Throws naming the list file and line.
 */
export function readPairList(listFile: string, bases: readonly string[], sceneOf: (sharpRel: string) => string): PairedSample[] {
  let text: string;
  try {
    text = readFileSync(listFile, 'utf8');
  } catch (e) {
    throw new Error(`${listFile}: cannot read list file (${(e as Error).message})`);
  }
  const out: PairedSample[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(/\s+/);
    const where = `${listFile}:${i + 1}`;
    if (cols.length < 2) throw new Error(`${where}: expected "gt_path blur_path", got "${line}"`);
    const [gtRel, blurRel] = [cols[0]!, cols[1]!];
    for (const p of [gtRel, blurRel]) {
      if (!(IMAGE_EXTENSIONS as readonly string[]).includes(extname(p).toLowerCase())) {
        throw new Error(`${where}: '${p}' is not an image path (${IMAGE_EXTENSIONS.join(', ')})`);
      }
    }
    const resolveIn = (base: string, p: string): string => (isAbsolute(p) ? p : resolve(base, p));
    const base = bases.find((b) => existsSync(resolveIn(b, gtRel)) && existsSync(resolveIn(b, blurRel)));
    if (base === undefined) {
      const missing = [gtRel, blurRel].filter((p) => !bases.some((b) => existsSync(resolveIn(b, p))));
      const shown = missing.length > 0 ? missing : [gtRel, blurRel];
      throw new Error(`${where}: missing ${shown.join(' and ')} (looked under ${bases.join(', ')})`);
    }
    out.push({ blurry: resolveIn(base, blurRel), sharp: resolveIn(base, gtRel), scene: sceneOf(gtRel) });
  }
  if (out.length === 0) throw new Error(`${listFile}: list file has no entries`);
  return out;
}
