// Writing test images without holding tensors across an await (scopes are synchronous).
import { Generator, noGrad, rand, scope, type Tensor } from '../../src/tensor/index.js';
import { writeImage, type WriteOptions } from '../../src/data/image.js';

/** Writes `make()`'s image to `file` and releases it. */
export async function writeMade(file: string, make: () => Tensor, o: WriteOptions = {}): Promise<void> {
  const t = noGrad(() => scope(make));
  try {
    await writeImage(file, t, o);
  } finally {
    t.dispose();
  }
}

/** A seeded random image [3, h, w] times `scale`, written to `file`. */
export function writeRandomImage(
  file: string,
  h: number,
  w: number,
  seed: number,
  o: WriteOptions & { scale?: number } = {},
): Promise<void> {
  return writeMade(file, () => rand([3, h, w], { generator: new Generator(seed) }).mul(o.scale ?? 1), o);
}
