// Images held in memory for validation by a blur-domain classifier (no ground truth): the
// classifier's own held-out scenes, and the images of B the translator's `--final domain` judges.
import { scope, type Device, type Tensor } from '../tensor/index.js';
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
