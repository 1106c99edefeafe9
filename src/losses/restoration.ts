// Reconstruction losses of the deblurrers: NAFNet's PSNR loss, MIMO-UNet's multi-scale L1 + FFT loss,
// and the Charbonnier loss of KernelWizard.
import { F, type Tensor } from '../tensor/index.js';

/** NAFNet's PSNRLoss: (10 / ln 10) · mean over images of log(MSE + 1e-8), i.e. −PSNR in dB. */
export function psnrLoss(pred: Tensor, target: Tensor): Tensor {
  return pred
    .sub(target)
    .square()
    .mean([1, 2, 3])
    .add(1e-8)
    .log()
    .mean()
    .mul(10 / Math.LN10);
}

/** Charbonnier: mean of √((x − y)² + ε), ε = 1e-6 (KernelWizard sums; the mean keeps the scale batch-free). */
export function charbonnierLoss(pred: Tensor, target: Tensor, eps = 1e-6): Tensor {
  return pred.sub(target).square().add(eps).sqrt().mean();
}

/**
 * MIMO-UNet: Σ over the ¼, ½, 1 outputs of L1 to the target resized to that scale, plus 0.1 × the same
 * with L1 between 2-D real FFTs (real and imaginary parts).
 */
export function mimoLoss(outputs: readonly [Tensor, Tensor, Tensor], target: Tensor): Tensor {
  const t2 = F.interpolate(target, { scaleFactor: 0.5, mode: 'bilinear' });
  const t4 = F.interpolate(t2, { scaleFactor: 0.5, mode: 'bilinear' });
  const targets = [t4, t2, target];
  let content = outputs[0].sub(t4).abs().mean();
  let freq = F.rfft2(outputs[0]).viewAsReal().sub(F.rfft2(t4).viewAsReal()).abs().mean();
  for (let i = 1; i < 3; i++) {
    content = content.add(outputs[i]!.sub(targets[i]!).abs().mean());
    freq = freq.add(F.rfft2(outputs[i]!).viewAsReal().sub(F.rfft2(targets[i]!).viewAsReal()).abs().mean());
  }
  return content.add(freq.mul(0.1));
}
