// PSNR on RGB in [0, 1], no border crop (the convention of NAFNet and the Blur2Blur tables).
import { noGrad, scope, type Tensor } from '../tensor/index.js';

/** Per-image PSNR (dB) of predictions vs targets, both [N, 3, H, W] or [3, H, W], clamped to [0, 1]. */
export function psnrPerImage(pred: Tensor, target: Tensor): number[] {
  return noGrad(() => scope(() => {
    const p = pred.ndim === 3 ? pred.unsqueeze(0) : pred, t = target.ndim === 3 ? target.unsqueeze(0) : target;
    if (p.shape.join(',') !== t.shape.join(',')) throw new Error(`psnr: shapes differ ([${p.shape.join(', ')}] vs [${t.shape.join(', ')}])`);
    const mse = p.clamp(0, 1).sub(t.clamp(0, 1)).square().mean([1, 2, 3]).toNumbers();
    return mse.map((m) => (m === 0 ? Infinity : -10 * Math.log10(m)));
  }));
}

export function meanPsnr(pred: Tensor, target: Tensor): number {
  const v = psnrPerImage(pred, target);
  return v.reduce((a, b) => a + b, 0) / v.length;
}
