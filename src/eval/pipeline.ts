// Evaluating a deblurring pipeline on test pairs: D(y), or D(G(y)) with a translator, on whole images,
// one at a time. PSNR and SSIM on RGB in [0, 1], no border crop (src/eval/psnr.ts, src/eval/ssim.ts).
import { basename } from 'node:path';
import { noGrad, scope, type Device, type Tensor } from '../tensor/index.js';
import type { MIMOUNet } from '../models/index.js';
import { readImage } from '../data/image.js';
import type { PairedSample } from '../data/datasets/match.js';
import { psnrPerImage } from './psnr.js';
import { ssimPerImage } from './ssim.js';

/** One image's PSNR and SSIM, of the output and of the input. */
export interface ImageScore {
  image: string;
  psnr: number;
  ssim: number;
  input_psnr: number;
  input_ssim: number;
}

/** Scores over test pairs: the means of output and input PSNR/SSIM, the image count, the conventions, per-image scores. */
export interface EvalSummary {
  images: number;
  psnr: number;
  ssim: number;
  input_psnr: number;
  input_ssim: number;
  conventions: string;
  perImage: ImageScore[];
}

/** How every score here is computed, in one line (printed under every table). */
export const CONVENTIONS =
  'PSNR and SSIM on RGB in [0, 1], no border crop, PSNR capped at 100 dB; SSIM: 11×11 Gaussian window σ 1.5, per channel, averaged';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function summarise(perImage: ImageScore[]): EvalSummary {
  // Every image counts in every mean (PSNR is capped, so none is infinite).
  const all = (k: keyof ImageScore): number[] => perImage.map((s) => s[k] as number);
  return {
    images: perImage.length,
    psnr: mean(all('psnr')),
    ssim: mean(all('ssim')),
    input_psnr: mean(all('input_psnr')),
    input_ssim: mean(all('input_ssim')),
    conventions: CONVENTIONS,
    perImage,
  };
}

/**
 * Scores `restore` (an image [1, 3, H, W] → restored, any size) over test pairs. `save`, when given, gets
 * each restored image [3, H, W] in [0, 1] (to write it; the tensor is disposed after).
 */
export async function evaluatePairs(
  pairs: readonly PairedSample[],
  restore: (y: Tensor) => Tensor,
  onImage?: (i: number, s: ImageScore) => void,
  save?: (pair: PairedSample, restored: Tensor) => Promise<void>,
): Promise<EvalSummary> {
  if (pairs.length === 0) throw new Error('evaluate: no test pairs');
  const scores: ImageScore[] = [];
  for (const [i, p] of pairs.entries()) {
    const y = (await readImage(p.blurry)).tensor,
      x = (await readImage(p.sharp)).tensor;
    if (y.shape.join(',') !== x.shape.join(','))
      throw new Error(`${p.blurry}: size [${y.shape.join(', ')}] differs from its ground truth ${p.sharp} [${x.shape.join(', ')}]`);
    let s: ImageScore;
    let out: Tensor | null = null;
    try {
      ({ s, out } = noGrad(() =>
        scope(() => {
          const o = restore(y.unsqueeze(0)).clamp(0, 1);
          const score = {
            image: basename(p.blurry),
            psnr: psnrPerImage(o, x)[0]!,
            ssim: ssimPerImage(o, x)[0]!,
            input_psnr: psnrPerImage(y, x)[0]!,
            input_ssim: ssimPerImage(y, x)[0]!,
          };
          return { s: score, out: save ? o.select(0, 0).contiguous() : null };
        }),
      ));
    } catch (e) {
      throw new Error(`${p.blurry}: ${(e as Error).message}`);
    } finally {
      y.dispose();
      x.dispose();
    }
    if (out) await save!(p, out).finally(() => out!.dispose());
    scores.push(s);
    onImage?.(i, s);
  }
  return summarise(scores);
}

/** D_K(G(y)) (or D_K(y) without a translator) as a restore function. */
export function pipeline(deblur: (x: Tensor) => Tensor, translator?: MIMOUNet | null, device: Device = 'cpu'): (y: Tensor) => Tensor {
  const run = translator ? (y: Tensor) => deblur(translator.forwardAnySize(y)[2].clamp(0, 1)) : deblur;
  // On another device the image goes there and its result comes back to the caller's device.
  return device === 'cpu' ? run : (y) => run(y.to(device)).to(y.device);
}
