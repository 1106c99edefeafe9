// PSNR on RGB in [0, 1], no border crop (the convention of NAFNet and the Blur2Blur tables), capped at
// 100 dB: identical images score 100 (as common tools do), so that every image counts in a mean.

/** The most a PSNR can be: identical images (MSE 0) and near-identical ones score this. */
export const PSNR_CAP = 100;
import { noGrad, scope, type Tensor } from '../tensor/index.js';

/** Per-image PSNR (dB) of predictions vs targets, both [N, 3, H, W] or [3, H, W], clamped to [0, 1]. */
export function psnrPerImage(pred: Tensor, target: Tensor): number[] {
  return noGrad(() =>
    scope(() => {
      const p = pred.ndim === 3 ? pred.unsqueeze(0) : pred,
        t = target.ndim === 3 ? target.unsqueeze(0) : target;
      if (p.shape.join(',') !== t.shape.join(','))
        throw new Error(`psnr: shapes differ ([${p.shape.join(', ')}] vs [${t.shape.join(', ')}])`);
      const mse = p.clamp(0, 1).sub(t.clamp(0, 1)).square().mean([1, 2, 3]).toNumbers();
      return mse.map((m) => (m <= 1e-10 ? PSNR_CAP : Math.min(PSNR_CAP, -10 * Math.log10(m))));
    }),
  );
}

/** The mean PSNR (dB) of predictions against targets. */
export function meanPsnr(pred: Tensor, target: Tensor): number {
  const v = psnrPerImage(pred, target);
  return v.reduce((a, b) => a + b, 0) / v.length;
}
