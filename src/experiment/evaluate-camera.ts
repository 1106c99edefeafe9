// Scores a camera's test pairs with every method that has a run: D_K alone, the baselines (each a
// deblurrer of its own), and Blur2Blur (the translator's run with D_K behind it). One stage per method.
import { readLayout, allPairs } from '../data/datasets/layouts.js';
import { evaluatePairs, pipeline } from '../eval/pipeline.js';
import { loadDeblurrer, loadTranslator } from '../infer/load.js';
import { deblur } from '../models/index.js';
import type { Stages } from './stages.js';
import type { Device } from '../tensor/index.js';
import { METHODS, type Method, type Results } from './results.js';

export async function evaluateCamera(
  test: string,
  runsOf: Partial<Record<Method, string>>,
  methods: Method[],
  st: Stages,
  device: Device = 'cpu',
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
          const own = m === 'dk' || m === 'blur2blur' ? null : loadDeblurrer(run, undefined, undefined, device);
          const g = m === 'blur2blur' ? loadTranslator(run, undefined, device) : null;
          const d = own ?? dk;
          try {
            const s = await evaluatePairs(
              pairs,
              pipeline((x) => deblur(d, x), g, device),
            );
            scores[m] = { psnr: s.psnr, ssim: s.ssim, images: s.images };
            input ??= { psnr: s.input_psnr, ssim: s.input_ssim };
          } finally {
            own?.dispose();
            g?.dispose();
          }
        },
      );
    }
  } finally {
    dk.dispose();
  }
  return { test, input: input!, scores, runs: { ...runsOf } };
}
