// Validation by a blur-domain classifier (no ground truth): images spread over a folder, and the mean
// probability the classifier gives them of carrying the known blur, after a transform (G, or none).
// The classifier's own trainer and the translator's `--final domain` use it.
import { noGrad, scope, type Device, type Tensor } from '../tensor/index.js';
import { imageLogit } from '../eval/domain.js';
import type { BlurClassifier } from '../models/index.js';
import { readImage } from '../data/image.js';

/** Images held for validation, released together. */
export interface HeldImages {
  images: Tensor[];
  [Symbol.dispose](): void;
}

/**
 * Up to `n` images spread evenly over the list, on `device`; each cut to its centre square of at most
 * `maxSide` pixels (a multiple of 4, as MIMO-UNet needs) when `maxSide` is given.
 */
export async function spreadImages(files: readonly string[], n: number, device: Device, maxSide?: number): Promise<HeldImages> {
  const m = Math.min(n, files.length);
  const images: Tensor[] = [];
  const held: HeldImages = { images, [Symbol.dispose]: () => images.forEach((t) => t.dispose()) };
  try {
    for (let i = 0; i < m; i++) {
      const img = (await readImage(files[Math.floor((i * files.length) / m)]!)).tensor;
      const [, h, w] = img.shape as [number, number, number];
      const s = maxSide ? Math.min(maxSide, h, w) & ~3 : 0;
      const cut = maxSide
        ? scope(() =>
            img
              .slice(1, (h - s) >> 1, ((h - s) >> 1) + s)
              .slice(2, (w - s) >> 1, ((w - s) >> 1) + s)
              .to(device)
              .contiguous(),
          )
        : device === 'cpu'
          ? img
          : img.to(device);
      if (cut !== img) img.dispose();
      images.push(cut.keep());
    }
  } catch (e) {
    held[Symbol.dispose]();
    throw e;
  }
  return held;
}

/** The mean over `images` [3, H, W] of the classifier's P(known blur) of `transform([1, 3, H, W])`. */
export function knownProbability(
  clf: { model: BlurClassifier; crop: number },
  images: readonly Tensor[],
  transform: (x: Tensor) => Tensor,
): number {
  let sum = 0;
  for (const x of images) {
    const z = noGrad(() => scope(() => imageLogit(clf.model, transform(x.unsqueeze(0)).clamp(0, 1).select(0, 0), clf.crop)));
    sum += 1 / (1 + Math.exp(-z));
  }
  return sum / images.length;
}
