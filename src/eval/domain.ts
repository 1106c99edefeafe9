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
 * The mean tile logit of an image [3, H, W], moved to the classifier's device and first passed through
 * `transform` ([1, 3, H, W] → [1, 3, H, W], e.g. the translator G; the result clamped to [0, 1]) when
 * one is given.
 */
export function judgedLogit(clf: BlurClassifier, crop: number, img: Tensor, transform?: (x: Tensor) => Tensor): number {
  return noGrad(() =>
    scope(() => {
      const x = img.to(clf.head.weight.device);
      return imageLogit(clf, transform ? transform(x.unsqueeze(0)).clamp(0, 1).select(0, 0) : x, crop);
    }),
  );
}

/** The verdict over images' mean logits: the share with a positive one, the mean sigmoid. */
export function verdictOf(logits: readonly number[]): DomainVerdict {
  const n = logits.length;
  return {
    images: n,
    knownShare: logits.filter((z) => z > 0).length / n,
    meanProbability: logits.reduce((a, z) => a + 1 / (1 + Math.exp(-z)), 0) / n,
  };
}

/** The classifier's verdict on images already in memory ([3, H, W] each), after `transform` when given. */
export function imagesVerdict(
  clf: BlurClassifier,
  crop: number,
  images: readonly Tensor[],
  transform?: (x: Tensor) => Tensor,
): DomainVerdict {
  return verdictOf(images.map((x) => judgedLogit(clf, crop, x, transform)));
}

/**
 * The classifier's verdict on image files, each read in turn and first passed through `transform`
 * (e.g. the translator G: [1, 3, H, W] → [1, 3, H, W]), or as they are. Errors name the file.
 */
export async function domainVerdict(
  clf: BlurClassifier,
  crop: number,
  files: readonly string[],
  transform?: (x: Tensor) => Tensor,
  onImage?: (done: number) => void,
): Promise<DomainVerdict> {
  if (files.length === 0) throw new Error('domain check: no images');
  const logits: number[] = [];
  for (const [i, f] of files.entries()) {
    const img = (await readImage(f)).tensor;
    try {
      logits.push(judgedLogit(clf, crop, img, transform));
    } catch (e) {
      throw new Error(`${f}: ${(e as Error).message}`);
    } finally {
      img.dispose();
    }
    onImage?.(i + 1);
  }
  return verdictOf(logits);
}
