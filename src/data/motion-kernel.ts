// Random linear motion-blur kernels, the synthetic-blur baseline of the Blur2Blur paper (imgaug's
// MotionBlur): a straight line of length k through the kernel's centre at a random angle, its weights
// ramped along the line by a direction parameter d ∈ [−1, 1] (0: uniform, ±1: all weight at one end),
// normalised to sum 1.
import { F, noGrad, scope, tensor, type Tensor } from '../tensor/index.js';
import type { Rng } from './rng.js';

export interface MotionKernelRange {
  /** Line length in pixels, [min, max] (inclusive). */
  length: [number, number];
  /** Largest |direction| (imgaug's direction range is [−1, 1]). */
  direction: number;
}

/** A k×k kernel (k odd, ≥ length) as row-major numbers: a line at `angleDeg` with ramp `direction`. */
export function motionKernel(length: number, angleDeg: number, direction: number): { size: number; weights: number[] } {
  const size = Math.max(3, Math.ceil(length) | 1);
  const c = (size - 1) / 2, r = (length - 1) / 2;
  const w = new Array<number>(size * size).fill(0);
  const a = (angleDeg * Math.PI) / 180, dx = Math.cos(a), dy = Math.sin(a);
  const samples = Math.max(8, 8 * size);
  for (let i = 0; i < samples; i++) {
    const t = samples === 1 ? 0 : -1 + (2 * i) / (samples - 1);
    const x = c + t * r * dx, y = c + t * r * dy;
    const weight = Math.max(0, 1 + direction * t);
    // Bilinear splat of the sample.
    const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
    for (const [xx, yy, f] of [[x0, y0, (1 - fx) * (1 - fy)], [x0 + 1, y0, fx * (1 - fy)], [x0, y0 + 1, (1 - fx) * fy], [x0 + 1, y0 + 1, fx * fy]] as const) {
      if (xx >= 0 && yy >= 0 && xx < size && yy < size) w[yy * size + xx]! += weight * f;
    }
  }
  const s = w.reduce((p, q) => p + q, 0);
  return { size, weights: w.map((v) => v / s) };
}

/** A random kernel from the range (uniform length, angle in [0, 360), direction in [−d, d]). */
export function randomMotionKernel(rng: Rng, range: MotionKernelRange): { size: number; weights: number[] } {
  const length = rng.uniform(range.length[0], range.length[1]);
  return motionKernel(length, rng.uniform(0, 360), rng.uniform(-range.direction, range.direction));
}

/** Blurs one image [3, H, W] (or a batch [N, 3, H, W], each image by the same kernel) with reflect padding. */
export function applyKernel(img: Tensor, k: { size: number; weights: number[] }): Tensor {
  return noGrad(() => scope(() => {
    const x = img.ndim === 3 ? img.unsqueeze(0) : img;
    const p = (k.size - 1) / 2;
    const w = tensor(k.weights).view([1, 1, k.size, k.size]).expand([3, 1, k.size, k.size]).contiguous();
    const padMode = x.shape[2]! > p && x.shape[3]! > p ? 'reflect' : 'replicate';
    const y = F.conv2d(F.pad(x, [p, p, p, p], padMode), w, undefined, { groups: 3 });
    return img.ndim === 3 ? y.select(0, 0) : y;
  }));
}
