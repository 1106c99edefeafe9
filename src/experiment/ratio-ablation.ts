// The B:S ratio ablation (the paper's Table 3): the translator trained on a subset of the camera's
// blurry images B, sized at ratio × |S| (evenly spread over B's sorted files, so over its scenes),
// each evaluated as D_K∘G on the camera's test pairs.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { listImages } from '../data/image.js';
import { readLayout, allPairs } from '../data/datasets/layouts.js';
import { evaluatePairs, pipeline } from '../eval/pipeline.js';
import { loadDeblurrer, loadTranslator } from '../infer/load.js';
import { deblur } from '../models/index.js';
import { finished, type Stages } from './stages.js';
import type { RatioResult } from './results.js';
import type { Device } from '../tensor/index.js';

/** The evenly spread subset of `files` of size n (in order). */
export function spreadSubset<T>(files: readonly T[], n: number): T[] {
  const m = Math.min(n, files.length);
  return Array.from({ length: m }, (_, i) => files[Math.floor((i * files.length) / m)]!);
}

export async function ratioAblation(o: {
  dir: string;
  runs: string;
  K: string;
  dk: string;
  ratios: number[];
  st: Stages;
  device?: Device;
  train: (blurDir: string, out: string, resume: boolean) => Promise<void>;
}): Promise<RatioResult[]> {
  const b = listImages(join(o.dir, 'B')),
    s = listImages(join(o.dir, 'S'));
  const test = allPairs(readLayout(join(o.dir, 'test')));
  const out: RatioResult[] = [];
  for (const ratio of o.ratios) {
    const n = Math.max(1, Math.min(b.length, Math.round(ratio * s.length)));
    const sub = join(o.dir, `B-ratio-${ratio}`);
    if (!existsSync(sub)) {
      mkdirSync(sub, { recursive: true });
      for (const f of spreadSubset(b, n)) copyFileSync(f, join(sub, basename(f)));
    }
    const run = join(o.runs, `translator-ratio-${ratio}`);
    await o.st.run(
      `translator B:S ${ratio} (${n} of ${b.length} B images)`,
      () => finished(run),
      (resume) => o.train(sub, run, resume),
      run,
    );
    const d = loadDeblurrer(o.dk, undefined, undefined, o.device),
      g = loadTranslator(run, undefined, o.device);
    try {
      const r = await evaluatePairs(
        test,
        pipeline((x) => deblur(d, x), g, o.device),
      );
      out.push({ ratio, bImages: n, sImages: s.length, psnr: r.psnr, ssim: r.ssim, run });
    } finally {
      d.dispose();
      g.dispose();
    }
  }
  return out;
}
