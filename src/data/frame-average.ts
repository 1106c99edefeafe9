// Blur synthesised from video the way GoPro and REDS were made: consecutive sharp frames are taken to
// linear light (inverse camera response), averaged (a longer exposure), and re-encoded; the sharp
// ground truth is the middle frame. `interpolate` approximates a higher capture frame rate by inserting
// blended frames between neighbours (REDS interpolated to a high frame rate before averaging).
import { noGrad, scope, where, type Tensor } from '../tensor/index.js';
import { readFrames } from './video.js';

/** A response curve: a power law (2.2 by default) or the exact piecewise sRGB curve. */
export type Gamma = number | 'srgb';

export interface AverageOptions {
  /** Encoding of the frames: gamma exponent (default 2.2) or 'srgb' for the exact sRGB curve. */
  gamma?: Gamma;
  /**
   * k ≥ 1: between each consecutive pair (a, b), insert the k−1 frames a + (b − a)·j/k, j = 1…k−1,
   * blended in the frames' own (encoded) space as a frame interpolator would output them, before
   * averaging. 1 (default) inserts nothing. n frames become (n − 1)·k + 1.
   */
  interpolate?: number;
}

function checkGamma(g: Gamma): void {
  if (g !== 'srgb' && !(typeof g === 'number' && g > 0 && Number.isFinite(g))) {
    throw new Error(`gamma must be a positive number or 'srgb', got ${String(g)}`);
  }
}

/** Encoded [0, 1] values → linear light (values are clamped to [0, 1] first). */
export function toLinear(x: Tensor, gamma: Gamma = 2.2): Tensor {
  checkGamma(gamma);
  return scope(() => {
    const c = x.clamp(0, 1);
    if (gamma !== 'srgb') return c.pow(gamma);
    return where(c.le(0.04045), c.div(12.92), c.add(0.055).div(1.055).pow(2.4));
  });
}

/** Linear light → encoded [0, 1] values (values are clamped to [0, 1] first). */
export function fromLinear(y: Tensor, gamma: Gamma = 2.2): Tensor {
  checkGamma(gamma);
  return scope(() => {
    const c = y.clamp(0, 1);
    if (gamma !== 'srgb') return c.pow(1 / gamma);
    return where(c.le(0.0031308), c.mul(12.92), c.pow(1 / 2.4).mul(1.055).sub(0.055));
  });
}

/**
 * Averages frames in linear light. Returns new tensors owned by the caller: `blurry`, the average
 * re-encoded, and `sharp`, a copy of the middle frame (index floor(n / 2)). Inputs are not disposed.
 */
export function averageFrames(frames: readonly Tensor[], opts: AverageOptions = {}): { blurry: Tensor; sharp: Tensor } {
  const gamma = opts.gamma ?? 2.2;
  const k = opts.interpolate ?? 1;
  checkGamma(gamma);
  if (!Number.isInteger(k) || k < 1) throw new Error(`averageFrames: interpolate must be an integer ≥ 1, got ${k}`);
  if (frames.length === 0) throw new Error('averageFrames: needs at least one frame');
  const shape = frames[0]!.shape;
  frames.forEach((f, i) => {
    if (f.shape.length !== shape.length || f.shape.some((s, d) => s !== shape[d])) {
      throw new Error(`averageFrames: frame ${i} is [${f.shape.join(', ')}], frame 0 is [${shape.join(', ')}]`);
    }
  });
  return noGrad(() => {
    // One running sum; every sub-frame's temporaries are freed as soon as they are added.
    const sum = scope(() => toLinear(frames[0]!.float(), gamma));
    for (let i = 1; i < frames.length; i++) {
      const a = frames[i - 1]!, b = frames[i]!;
      for (let j = 1; j < k; j++) scope(() => { sum.add_(toLinear(a.float().lerp(b.float(), j / k), gamma)); });
      scope(() => { sum.add_(toLinear(b.float(), gamma)); });
    }
    const count = (frames.length - 1) * k + 1;
    try {
      return scope(() => ({
        blurry: fromLinear(sum.div(count), gamma).contiguous(),
        sharp: frames[Math.floor(frames.length / 2)]!.clone(),
      }));
    } finally {
      sum.dispose();
    }
  });
}

export interface BlurPairOptions extends AverageOptions {
  /** Frames averaged into one blurry image (≥ 1). */
  window: number;
  /** Frames between the first frames of consecutive windows (≥ 1; < window overlaps, > window skips). */
  stride: number;
}

export interface BlurPair {
  blurry: Tensor;
  sharp: Tensor;
  /** Ordinal of the pair (0, 1, 2, …). */
  index: number;
  /** Index in the video of the window's first frame (index × stride). */
  firstFrame: number;
}

/**
 * Blurry/sharp pairs from a video: windows of `window` consecutive frames starting every `stride`
 * frames, each averaged by averageFrames. Decodes the video once, holding at most `window` frames.
 * The caller owns (and disposes) each pair's tensors. An incomplete last window is dropped.
 */
export async function* blurPairsFromVideo(file: string, opts: BlurPairOptions): AsyncGenerator<BlurPair, void, undefined> {
  const { window, stride } = opts;
  if (!Number.isInteger(window) || window < 1) throw new Error(`${file}: window must be an integer ≥ 1, got ${window}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`${file}: stride must be an integer ≥ 1, got ${stride}`);
  checkGamma(opts.gamma ?? 2.2);
  const avg: AverageOptions = {};
  if (opts.gamma !== undefined) avg.gamma = opts.gamma;
  if (opts.interpolate !== undefined) avg.interpolate = opts.interpolate;

  const held: { n: number; t: Tensor }[] = [];
  let next = 0; // first frame of the next window
  let index = 0;
  let n = 0;
  try {
    for await (const t of readFrames(file)) {
      const frameIndex = n++;
      if (frameIndex < next) {
        t.dispose();
        continue;
      }
      held.push({ n: frameIndex, t });
      if (held.length < window) continue;
      const pair = averageFrames(held.map((h) => h.t), avg);
      const first = next;
      next += stride;
      while (held.length > 0 && held[0]!.n < next) held.shift()!.t.dispose();
      yield { ...pair, index: index++, firstFrame: first };
    }
  } finally {
    for (const h of held) h.t.dispose();
  }
}
