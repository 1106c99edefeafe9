// Scores a camera's test pairs with every method that has a run: D_K alone, the baselines (each a
// deblurrer of its own), and Blur2Blur (the translator's run with D_K behind it). One stage per method.
// Each method's restorations are written to <restored>/<method>/ for the viewer.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readLayout, allPairs, matchKey, type PairedSample } from '../data/datasets/layouts.js';
import { readImage, writeImage } from '../data/image.js';
import { evaluatePairs, pipeline, type ImageScore } from '../eval/pipeline.js';
import { withFormat } from '../infer/outputs.js';
import { loadDeblurrer, loadTranslator } from '../infer/load.js';
import { deblur, type Deblurrer, type MIMOUNet } from '../models/index.js';
import { F, noGrad, scope, type Device, type Tensor } from '../tensor/index.js';
import type { Stages } from './stages.js';
import { LOWPASS_SIGMA, METHODS, type Method, type Results } from './results.js';

/** Where an experiment in `out` keeps a camera's restorations. */
export function restoredDir(out: string, camera: string): string {
  return join(out, 'restored', camera);
}

/** Where a method's restoration of a test image is written. */
export function restoredFile(restored: string, m: Method, p: PairedSample): string {
  return join(restored, m, withFormat(basename(p.blurry), 'png'));
}

/** A method's restore function, and what to dispose after (D_K is shared and stays). */
function methodPipeline(m: Method, run: string, dk: Deblurrer, device: Device): { restore: (y: Tensor) => Tensor; dispose: () => void } {
  // The low-pass reference: D_K after a fixed Gaussian, no model of its own.
  if (m === 'lowpass') return { restore: pipeline((x) => deblur(dk, F.gaussianBlur(x, LOWPASS_SIGMA)), null, device), dispose: () => {} };
  const own: Deblurrer | null = m === 'dk' || m === 'blur2blur' ? null : loadDeblurrer(run, undefined, undefined, device);
  const g: MIMOUNet | null = m === 'blur2blur' ? loadTranslator(run, undefined, device) : null;
  const d = own ?? dk;
  return {
    restore: pipeline((x) => deblur(d, x), g, device),
    dispose: () => {
      own?.dispose();
      g?.dispose();
    },
  };
}

/** Per-image scores of the float outputs beside the saved restorations (the viewer shows these). */
const SCORES = 'scores.json';

function writeScores(dir: string, pairs: readonly PairedSample[], perImage: readonly ImageScore[]): void {
  const byKey = Object.fromEntries(perImage.map((s, i) => [matchKey(pairs[i]!.blurry), { psnr: s.psnr, ssim: s.ssim }]));
  writeFileSync(join(dir, SCORES), JSON.stringify(byKey) + '\n');
}

/** The scores writeScores left in a method's folder, if any. */
export function readScores(dir: string): Record<string, { psnr: number; ssim: number }> | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, SCORES), 'utf8')) as Record<string, { psnr: number; ssim: number }>;
  } catch {
    return undefined;
  }
}

async function save(file: string, t: Tensor): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await writeImage(file, t);
}

export async function evaluateCamera(
  test: string,
  runsOf: Partial<Record<Method, string>>,
  methods: Method[],
  st: Stages,
  device: Device = 'cpu',
  restored?: string,
): Promise<Results['cameras'][string]> {
  const pairs = allPairs(readLayout(test));
  const scores: Results['cameras'][string]['scores'] = {};
  let input: { psnr: number; ssim: number } | undefined;
  // D_K serves two methods (alone, and behind the translator): loaded once.
  const dk = loadDeblurrer(runsOf.dk!, undefined, undefined, device);
  try {
    for (const m of METHODS.filter((x) => methods.includes(x) || x === 'dk')) {
      const run = runsOf[m];
      if (!run) continue;
      await st.run(
        `evaluate ${m} on ${test}`,
        () => false,
        async () => {
          const p = methodPipeline(m, run, dk, device);
          try {
            const s = await evaluatePairs(
              pairs,
              p.restore,
              undefined,
              restored ? (pair, t) => save(restoredFile(restored, m, pair), t) : undefined,
            );
            if (restored) writeScores(join(restored, m), pairs, s.perImage);
            scores[m] = { psnr: s.psnr, ssim: s.ssim, images: s.images };
            input ??= { psnr: s.input_psnr, ssim: s.input_ssim };
          } finally {
            p.dispose();
          }
        },
      );
    }
  } finally {
    dk.dispose();
  }
  return { test, input: input!, scores, runs: { ...runsOf } };
}

/**
 * Writes the restorations of the methods of a scored camera that are not on disk yet (a results folder
 * scored before restorations were kept); returns the methods whose folder is complete.
 */
export async function ensureRestorations(
  cam: Results['cameras'][string],
  dkRun: string,
  restored: string,
  device: Device = 'cpu',
  say?: (line: string) => void,
): Promise<Method[]> {
  const pairs = allPairs(readLayout(cam.test));
  const methods = METHODS.filter((m) => cam.scores[m] && (m === 'dk' ? dkRun : cam.runs[m]));
  const todo = methods.filter((m) => pairs.some((p) => !existsSync(restoredFile(restored, m, p))));
  if (todo.length === 0) return methods;
  const dk = loadDeblurrer(dkRun, undefined, undefined, device);
  try {
    for (const m of todo) {
      say?.(`restoring ${cam.test} with ${m} for the viewer`);
      const p = methodPipeline(m, m === 'dk' ? dkRun : cam.runs[m]!, dk, device);
      try {
        for (const pair of pairs) {
          const file = restoredFile(restored, m, pair);
          if (existsSync(file)) continue;
          const y = (await readImage(pair.blurry)).tensor;
          const out = noGrad(() => scope(() => p.restore(y.unsqueeze(0)).clamp(0, 1).select(0, 0).contiguous()));
          y.dispose();
          await save(file, out).finally(() => out.dispose());
        }
      } finally {
        p.dispose();
      }
    }
  } finally {
    dk.dispose();
  }
  return methods;
}
