// Checking a translator without ground truth: the share of images a blur-domain classifier (B against
// K) calls known-blur, before and after translation. An image's verdict is the mean of its tiles'
// logits (tiles of the classifier's training crop, up to 16 spread over the image).
import { noGrad, scope, stack, type Tensor } from '../tensor/index.js';
import type { BlurClassifier } from '../models/index.js';
import { readImage } from '../data/image.js';

/** The mean logit over tiles of an image [3, H, W] (positive: known blur). */
export function imageLogit(clf: BlurClassifier, img: Tensor, crop: number, maxTiles = 16): number {
  return noGrad(() =>
    scope(() => {
      const [, h, w] = img.shape as [number, number, number];
      const s = Math.min(crop, h, w);
      const ny = Math.max(1, Math.floor(h / s)),
        nx = Math.max(1, Math.floor(w / s));
      // Tiles on a grid, thinned evenly to at most maxTiles.
      const all: [number, number][] = [];
      for (let i = 0; i < ny; i++)
        for (let j = 0; j < nx; j++)
          all.push([Math.round((i * (h - s)) / Math.max(1, ny - 1)), Math.round((j * (w - s)) / Math.max(1, nx - 1))]);
      const picks =
        all.length <= maxTiles ? all : Array.from({ length: maxTiles }, (_, k) => all[Math.floor((k * all.length) / maxTiles)]!);
      const tiles = stack(
        picks.map(([y, x]) => img.slice(1, y, y + s).slice(2, x, x + s)),
        0,
      );
      return clf.forward(tiles).mean().item();
    }),
  );
}

/** How a classifier sees a set of images: the share it calls known-blur and the mean probability. */
export interface DomainVerdict {
  images: number;
  /** Share of images whose mean logit is positive (called known-blur). */
  knownShare: number;
  /** Mean of the images' sigmoid(mean logit). */
  meanProbability: number;
}

/**
 * The classifier's verdict on image files, each first passed through `transform` (e.g. the translator
 * G: [1, 3, H, W] → [1, 3, H, W]), or as they are.
 */
export async function domainVerdict(
  clf: BlurClassifier,
  crop: number,
  files: readonly string[],
  transform?: (x: Tensor) => Tensor,
  onImage?: (done: number) => void,
): Promise<DomainVerdict> {
  if (files.length === 0) throw new Error('domain check: no images');
  let known = 0,
    prob = 0;
  for (const [i, f] of files.entries()) {
    const img = (await readImage(f)).tensor;
    let z: number;
    try {
      z = noGrad(() =>
        scope(() => {
          const x = transform ? transform(img.unsqueeze(0)).clamp(0, 1).select(0, 0) : img;
          return imageLogit(clf, x.to(clf.head.weight.device), crop);
        }),
      );
    } catch (e) {
      throw new Error(`${f}: ${(e as Error).message}`);
    } finally {
      img.dispose();
    }
    if (z > 0) known++;
    prob += 1 / (1 + Math.exp(-z));
    onImage?.(i + 1);
  }
  return { images: files.length, knownShare: known / files.length, meanProbability: prob / files.length };
}
