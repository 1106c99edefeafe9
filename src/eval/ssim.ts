// SSIM (Wang et al., IEEE TIP 2004) with the paper's constants: an 11×11 Gaussian window of σ 1.5,
// K1 0.01, K2 0.03 on [0, 1] images (L = 1), the window applied without padding ("valid"), computed per
// RGB channel and averaged over channels and positions.
import { F, noGrad, scope, tensor, type Tensor } from '../tensor/index.js';

const C1 = 0.01 ** 2,
  C2 = 0.03 ** 2;

/** Per-image SSIM of predictions vs targets, both [N, C, H, W] or [C, H, W], clamped to [0, 1]; H, W ≥ 11. */
export function ssimPerImage(pred: Tensor, target: Tensor): number[] {
  return noGrad(() =>
    scope(() => {
      const p = (pred.ndim === 3 ? pred.unsqueeze(0) : pred).float().clamp(0, 1),
        t = (target.ndim === 3 ? target.unsqueeze(0) : target).float().clamp(0, 1);
      if (p.shape.join(',') !== t.shape.join(','))
        throw new Error(`ssim: shapes differ ([${p.shape.join(', ')}] vs [${t.shape.join(', ')}])`);
      const [, c, h, w] = p.shape as [number, number, number, number];
      if (h < 11 || w < 11) throw new Error(`ssim: images must be at least 11×11, got ${w}×${h}`);
      const g = F.gaussianKernel1d(1.5); // radius ⌈4.5⌉ = 5: 11 taps
      const k1 = tensor(g, { device: p.device });
      const win = k1
        .view([11, 1])
        .mul(k1.view([1, 11]))
        .view([1, 1, 11, 11])
        .expand([c, 1, 11, 11])
        .contiguous();
      const filt = (x: Tensor): Tensor => F.conv2d(x, win, undefined, { groups: c });
      const mp = filt(p),
        mt = filt(t);
      const spp = filt(p.square()).sub(mp.square()),
        stt = filt(t.square()).sub(mt.square()),
        spt = filt(p.mul(t)).sub(mp.mul(mt));
      const num = mp.mul(mt).mul(2).add(C1).mul(spt.mul(2).add(C2));
      const den = mp.square().add(mt.square()).add(C1).mul(spp.add(stt).add(C2));
      return num.div(den).mean([1, 2, 3]).toNumbers();
    }),
  );
}

/** The mean SSIM of predictions against targets. */
export function meanSsim(pred: Tensor, target: Tensor): number {
  const v = ssimPerImage(pred, target);
  return v.reduce((a, b) => a + b, 0) / v.length;
}
