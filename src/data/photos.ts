// Real photographs from Debian packages: the sharp scenes every simulated dataset starts from.
// data/photo-sources.tsv lists them (package, path in the package, size, licence). `b2b data photos`
// downloads the packages with `apt-get download` and unpacks them with `dpkg-deb -x` (no root needed),
// then copies the listed photos into a folder with a manifest. The CC0 subset is committed as
// data/photos (the embedded default set).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_DATA = fileURLToPath(new URL('../../../data/', import.meta.url));
export const EMBEDDED_PHOTOS = join(REPO_DATA, 'photos');
export const PHOTO_SOURCES = join(REPO_DATA, 'photo-sources.tsv');

export interface PhotoSource {
  package: string;
  path: string;
  width: number;
  height: number;
  licence: string;
  content: string;
}

export function readPhotoSources(file = PHOTO_SOURCES): PhotoSource[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split('\t') ?? [];
  if (header[0] !== 'debian_package' || header[1] !== 'path_in_package') {
    throw new Error(`${file}: expected a header 'debian_package<TAB>path_in_package<TAB>width<TAB>height<TAB>license<TAB>content'`);
  }
  return lines.slice(1).map((l, i) => {
    const [pkg, path, w, h, licence, content] = l.split('\t');
    if (!pkg || !path || !w || !h || !licence) throw new Error(`${file}: line ${i + 2} has missing fields`);
    return { package: pkg, path, width: Number(w), height: Number(h), licence, content: content ?? '' };
  });
}

/** Whether the whole package's photos are CC0 (the licence column starts with CC0; mixed entries are not). */
export function isCC0(s: PhotoSource): boolean {
  return /^CC0/i.test(s.licence);
}

const slug = (x: string): string => x.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * A stable file name for a photo: package prefix + sanitised base name. Where several listed photos of
 * one package share a base name (KDE wallpapers are all `contents/images/2560x1600.jpg`), the nearest
 * folder name that tells them apart is put in front of it (`…--next-2560x1600.jpg`); the others keep
 * their plain names, so scene names (and benchmark splits) do not change.
 */
export function photoFileName(s: PhotoSource, all: readonly PhotoSource[] = [s]): string {
  const base = slug(basename(s.path, extname(s.path)));
  const plain = `${s.package}--${base}${extname(s.path).toLowerCase()}`;
  const twins = all.filter((t) => t.package === s.package && slug(basename(t.path, extname(t.path))) === base);
  if (twins.length < 2) return plain;
  const dirs = (t: PhotoSource): string[] => t.path.split('/').slice(0, -1).reverse();
  const mine = dirs(s);
  const i = mine.findIndex((d, k) => twins.some((t) => t !== s && dirs(t)[k] !== d));
  if (i < 0) throw new Error(`${s.package}: ${s.path} is listed twice in photo-sources.tsv`);
  return `${s.package}--${slug(mine[i]!)}-${base}${extname(s.path).toLowerCase()}`;
}

export interface PhotoManifestEntry {
  file: string;
  package: string;
  pathInPackage: string;
  licence: string;
  content: string;
  sha256: string;
}

export interface FetchOptions {
  out: string;
  /** Which photos: 'cc0' (default) or 'all'. */
  select?: 'cc0' | 'all';
  sources?: string;
  log?: (line: string) => void;
}

/** Downloads the listed Debian packages and copies their photos into `out` with manifest.json. */
export function fetchPhotos(o: FetchOptions): PhotoManifestEntry[] {
  const wanted = readPhotoSources(o.sources).filter((s) => o.select === 'all' || isCC0(s));
  return fetchFromPackages(wanted, o.out, o.log ?? (() => {}));
}

export const VIDEO_SOURCES = join(REPO_DATA, 'video-sources.tsv');

/** Real video clips in Debian packages (data/video-sources.tsv), for frame-averaged blur. */
export function fetchVideos(o: { out: string; log?: (line: string) => void }): PhotoManifestEntry[] {
  const lines = readFileSync(VIDEO_SOURCES, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(1);
  const wanted = lines.map((l) => {
    const [pkg, path, licence, content] = l.split('\t');
    return { package: pkg!, path: path!, width: 0, height: 0, licence: licence!, content: content ?? '' };
  });
  return fetchFromPackages(wanted, o.out, o.log ?? (() => {}));
}

/** apt-get download + dpkg-deb -x each package once, copy the listed files, write manifest.json. */
function fetchFromPackages(wanted: PhotoSource[], out: string, log: (line: string) => void): PhotoManifestEntry[] {
  const packages = [...new Set(wanted.map((s) => s.package))];
  const work = mkdtempSync(join(tmpdir(), 'b2b-debs-'));
  const manifest: PhotoManifestEntry[] = [];
  const o = { out };
  try {
    for (const pkg of packages) {
      log(`downloading ${pkg}`);
      try {
        execFileSync('apt-get', ['download', pkg], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (e) {
        throw new Error(`apt-get download ${pkg} failed (run 'apt-get update' once on a new machine): ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`);
      }
      const deb = readdirSync(work).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
      if (!deb) throw new Error(`apt-get download ${pkg}: no .deb file appeared`);
      execFileSync('dpkg-deb', ['-x', join(work, deb), join(work, 'root')]);
    }
    mkdirSync(o.out, { recursive: true });
    for (const s of wanted) {
      const src = join(work, 'root', s.path);
      if (!existsSync(src)) throw new Error(`${s.package}: ${s.path} is not in the package (photo-sources.tsv is out of date?)`);
      const file = photoFileName(s, wanted);
      copyFileSync(src, join(o.out, file));
      const sha256 = createHash('sha256').update(readFileSync(src)).digest('hex');
      manifest.push({ file, package: s.package, pathInPackage: s.path, licence: s.licence, content: s.content, sha256 });
    }
    writeFileSync(join(o.out, 'manifest.json'), JSON.stringify({ files: manifest }, null, 2) + '\n');
    log(`wrote ${manifest.length} files to ${o.out}`);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
