// Test helper: tiny dataset trees in a temporary folder (small PNGs written with writeImage).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeImage } from '../../../src/data/image.js';
import { Generator, rand, type Tensor } from '../../../src/tensor/index.js';

/** A fresh temporary folder; remove it with removeTree. */
export function tempRoot(prefix = 'b2b-datasets-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

let template: Promise<string> | undefined;

/** One small PNG (24×20) written once per process, copied wherever a layout test needs a file. */
function templatePng(): Promise<string> {
  template ??= (async () => {
    const dir = tempRoot('b2b-template-');
    const file = join(dir, 'template.png');
    const t = rand([3, 20, 24], { generator: new Generator(1) });
    try {
      await writeImage(file, t);
    } finally {
      t.dispose();
    }
    process.on('exit', () => removeTree(dir));
    return file;
  })();
  return template;
}

/** Copies the template PNG to each relative path under root (creating folders). */
export async function pngs(root: string, ...rels: string[]): Promise<void> {
  const src = await templatePng();
  for (const r of rels) {
    const f = join(root, r);
    mkdirSync(dirname(f), { recursive: true });
    copyFileSync(src, f);
  }
}

/** Writes a text file (creating folders). */
export function text(root: string, rel: string, content: string): void {
  const f = join(root, rel);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, content);
}

/** Creates empty folders. */
export function dirs(root: string, ...rels: string[]): void {
  for (const r of rels) mkdirSync(join(root, r), { recursive: true });
}

/** Writes `image` as a PNG at root/rel (creating folders). */
export async function png(root: string, rel: string, image: Tensor): Promise<string> {
  const f = join(root, rel);
  mkdirSync(dirname(f), { recursive: true });
  await writeImage(f, image);
  return f;
}
