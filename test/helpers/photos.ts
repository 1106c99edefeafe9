// A folder holding the first n embedded photos, for end-to-end tests on little data.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EMBEDDED_PHOTOS } from '../../src/data/photos.js';

export function fewPhotos(dir: string, n: number): string {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(EMBEDDED_PHOTOS)
    .filter((x) => x.endsWith('.jpg'))
    .slice(0, n))
    copyFileSync(join(EMBEDDED_PHOTOS, f), join(dir, f));
  return dir;
}
