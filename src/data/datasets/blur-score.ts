// Blur score: the variance of the Laplacian of the luminance (Pech-Pacheco et al., 2000), the usual
// no-reference sharpness measure. A sharp image has strong second derivatives at edges, hence a large
// variance; blur removes them. Lower = blurrier. It depends on content (a flat sky scores low even when
// in focus), so compare scores across images of similar scenes, or of one scene.
//
// Conventions: Rec. 601 luminance Y = 0.299 R + 0.587 G + 0.114 B of the [0, 1] image; the 4-neighbour
// kernel [[0, 1, 0], [1, −4, 1], [0, 1, 0]] (OpenCV's Laplacian with ksize 1) applied without padding
// (border pixels excluded, so padding does not add fake edges); population variance (divide by count).
// Values are on the [0, 1] scale: multiply by 255² to compare with thresholds quoted for 8-bit images.
import { F, noGrad, scope, tensor, type Tensor } from '../../tensor/index.js';

function checkImages(x: Tensor, batched: boolean): void {
  const s = x.shape;
  const want = batched ? 4 : 3;
  const c = s[s.length - 3];
  if (s.length !== want || (c !== 1 && c !== 3)) {
    const shape = batched ? '[N, 3, H, W] (or [N, 1, H, W])' : '[3, H, W] (or [1, H, W])';
    throw new Error(`laplacianVariance: expected ${shape}, got [${s.join(', ')}]`);
  }
  if (s[s.length - 2]! < 3 || s[s.length - 1]! < 3) throw new Error(`laplacianVariance: image must be at least 3×3, got [${s.join(', ')}]`);
}

/** Blur scores of a batch [N, 3, H, W] (or [N, 1, H, W] luminance): a float32 tensor [N]. */
export function laplacianVarianceBatch(images: Tensor): Tensor {
  checkImages(images, true);
  return noGrad(() => scope(() => {
    const x = images.float();
    const y = x.shape[1] === 1
      ? x
      : x.mul(tensor([0.299, 0.587, 0.114], { device: x.device }).view([1, 3, 1, 1])).sum(1, { keepdim: true });
    const k = tensor([0, 1, 0, 1, -4, 1, 0, 1, 0], { device: x.device }).view([1, 1, 3, 3]);
    return F.conv2d(y, k).var([1, 2, 3], { correction: 0 });
  }));
}

/** Blur score of one image [3, H, W] (or [1, H, W]): higher = sharper, ~0 for a flat image. */
export function laplacianVariance(img: Tensor): number {
  checkImages(img, false);
  return scope(() => laplacianVarianceBatch(img.unsqueeze(0)).item());
}

/**
 * Indices ordered for a curriculum from easiest to hardest: the sharpest (highest score, least blurred)
 * first, the blurriest last. Ties keep their original order; NaN scores go last.
 */
export function sortByBlur(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  const key = (i: number): number => {
    const v = scores[i]!;
    return Number.isNaN(v) ? -Infinity : v;
  };
  return idx.sort((a, b) => key(b) - key(a) || a - b);
}
