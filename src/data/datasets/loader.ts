// A small async batch loader for training: decodes images (optionally once, into a memory cache),
// crops and augments them (pairs identically), and stacks batches. Shuffling is per epoch.
//
// Determinism and resume: the order of epoch e is a Fisher–Yates shuffle drawn from a stream keyed by
// (seed, e), and the augmentation of the j-th sample of epoch e from a stream keyed by (seed, e, j)
// (the project's Rng, src/data/rng.ts, seeded with a hash of the key). So the whole data order is a
// pure function of the seed: `position` ({ epoch, index, seed, size }) is all a trainer needs to save,
// and `restore(position)` continues with exactly the batch that would have come next. No generator
// state is involved.
import { noGrad, scope, stack, type Device, type Tensor } from '../../tensor/index.js';
import { readImage } from '../image.js';
import { augmentPair, augmentImage, type AugmentOptions } from './augment.js';
import type { PairedSample } from './match.js';
import { Rng } from '../rng.js';

/** A training sample: a blurry/sharp pair, or the path of a single image. */
export type Sample = PairedSample | string;

export interface LoaderOptions {
  batchSize: number;
  /** Side of the random square crop taken from every image. */
  crop: number;
  seed: number;
  /** Flips, rotations and colour jitter (the crop comes from `crop`). */
  augment?: Omit<AugmentOptions, 'crop'>;
  /** Keep decoded images in memory after their first use (default false). See also preload(). */
  cache?: boolean;
  /** Shuffle every epoch (default true); false keeps the given order. */
  shuffle?: boolean;
  /** Skip the last incomplete batch of each epoch (default true: every batch has batchSize images). */
  dropLast?: boolean;
  /** Device of the batches (default 'cpu'). */
  device?: Device;
}

/** Where the loader is: the next batch starts at sample `index` of epoch `epoch`'s order. */
export interface LoaderPosition {
  epoch: number;
  index: number;
  /** The seed of the permutations and augmentations. */
  seed: number;
  /** The number of samples (a check that a restored position belongs to the same data). */
  size: number;
}

export interface Batch {
  /** [N, 3, crop, crop]: the blurry images of pairs, or the images of single-image samples. */
  blurry: Tensor;
  /** [N, 3, crop, crop]: the sharp images (pairs only). */
  sharp?: Tensor;
  /** The blurry (or single) image files of the batch, in batch order. */
  files: string[];
  /** The epoch this batch belongs to and the index of its first sample in that epoch's order. */
  epoch: number;
  index: number;
}

const PERM_DOMAIN = 0x7065726d; // 'perm'
const AUG_DOMAIN = 0x61756700; // 'aug'

const isPair = (s: Sample): s is PairedSample => typeof s !== 'string';

/** Murmur3's 32-bit finaliser. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Frees a batch's tensors (the trainer owns each batch). */
export function releaseBatch(b: Batch): void {
  b.blurry.dispose();
  b.sharp?.dispose();
}

/** A stream keyed by several safe integers (both 32-bit halves of each count): distinct keys, distinct streams. */
export function keyedRng(...key: number[]): Rng {
  let h = 0x6a09e667 ^ key.length;
  for (const k of key) {
    if (!Number.isSafeInteger(k)) throw new RangeError(`keyedRng: key ${k} is not a safe integer`);
    for (const w of [k >>> 0, Math.floor(k / 4294967296) >>> 0]) h = fmix32((h ^ w) + 0x9e3779b9);
  }
  return new Rng(h);
}

export class BatchLoader {
  readonly samples: readonly Sample[];
  readonly paired: boolean;
  private readonly o: Required<Omit<LoaderOptions, 'augment' | 'device'>> & Pick<LoaderOptions, 'augment' | 'device'>;
  private epochNo = 0;
  private indexNo = 0;
  private seedNo: number;
  private orderCache: { epoch: number; seed: number; order: number[] } | undefined;
  private readonly cache = new Map<string, Promise<Tensor>>();
  private readonly cached = new Set<Tensor>();

  constructor(samples: readonly Sample[], o: LoaderOptions) {
    if (samples.length === 0) throw new Error('BatchLoader: no samples');
    const pairs = samples.filter(isPair).length;
    if (pairs !== 0 && pairs !== samples.length) {
      throw new Error(`BatchLoader: samples mix ${pairs} pairs and ${samples.length - pairs} single images; use one kind per loader`);
    }
    if (!Number.isInteger(o.batchSize) || o.batchSize <= 0) throw new RangeError(`BatchLoader: batchSize must be a positive integer, got ${o.batchSize}`);
    if (!Number.isInteger(o.crop) || o.crop <= 0) throw new RangeError(`BatchLoader: crop must be a positive integer, got ${o.crop}`);
    if (!Number.isSafeInteger(o.seed)) throw new RangeError(`BatchLoader: seed must be a safe integer, got ${o.seed}`);
    const dropLast = o.dropLast ?? true;
    if (dropLast && samples.length < o.batchSize) {
      throw new Error(`BatchLoader: ${samples.length} samples cannot fill one batch of ${o.batchSize} (lower batchSize or set dropLast: false)`);
    }
    this.samples = [...samples];
    this.paired = pairs > 0;
    this.o = { batchSize: o.batchSize, crop: o.crop, seed: o.seed, cache: o.cache ?? false, shuffle: o.shuffle ?? true, dropLast, augment: o.augment, device: o.device };
    this.seedNo = o.seed;
  }

  get size(): number {
    return this.samples.length;
  }

  /** Samples used per epoch (dropLast leaves out the remainder of a different permutation each epoch). */
  get samplesPerEpoch(): number {
    const n = this.samples.length, b = this.o.batchSize;
    return this.o.dropLast ? n - (n % b) : n;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.samplesPerEpoch / this.o.batchSize);
  }

  get position(): LoaderPosition {
    return { epoch: this.epochNo, index: this.indexNo, seed: this.seedNo, size: this.samples.length };
  }

  /** Continues from a saved position (its seed replaces the constructor's). */
  restore(p: LoaderPosition): void {
    if (p.size !== this.samples.length) {
      throw new Error(`BatchLoader.restore: the saved position is for ${p.size} samples but this loader has ${this.samples.length}`);
    }
    if (!Number.isInteger(p.epoch) || p.epoch < 0 || !Number.isInteger(p.index) || p.index < 0 || p.index > this.samplesPerEpoch) {
      throw new RangeError(`BatchLoader.restore: invalid position epoch ${p.epoch}, index ${p.index} (${this.samplesPerEpoch} samples per epoch)`);
    }
    if (!Number.isSafeInteger(p.seed)) throw new RangeError(`BatchLoader.restore: invalid seed ${p.seed}`);
    this.epochNo = p.epoch;
    this.indexNo = p.index;
    this.seedNo = p.seed;
  }

  /** The sample order of an epoch (indices into `samples`). */
  order(epoch: number): number[] {
    const c = this.orderCache;
    if (c && c.epoch === epoch && c.seed === this.seedNo) return c.order;
    const order = Array.from({ length: this.samples.length }, (_, i) => i);
    if (this.o.shuffle) keyedRng(PERM_DOMAIN, this.seedNo, epoch).shuffle(order);
    this.orderCache = { epoch, seed: this.seedNo, order };
    return order;
  }

  /**
   * The next batch (moving to the next epoch when the current one is done). The caller owns the
   * returned tensors. Concurrent calls are safe: each claims its samples before awaiting.
   */
  async next(): Promise<Batch> {
    if (this.indexNo >= this.samplesPerEpoch) {
      this.epochNo++;
      this.indexNo = 0;
    }
    const epoch = this.epochNo, start = this.indexNo, seed = this.seedNo;
    const end = Math.min(start + this.o.batchSize, this.samplesPerEpoch);
    this.indexNo = end;
    const picks = this.order(epoch).slice(start, end).map((i) => this.samples[i]!);
    return this.build(picks, epoch, start, seed);
  }

  /** The remaining batches of the current epoch (all of it when at its start). */
  async *epoch(): AsyncGenerator<Batch> {
    if (this.indexNo >= this.samplesPerEpoch) {
      this.epochNo++;
      this.indexNo = 0;
    }
    const e = this.epochNo;
    while (this.epochNo === e && this.indexNo < this.samplesPerEpoch) yield await this.next();
  }

  /** Decodes every image into the cache now (turns caching on). */
  async preload(): Promise<void> {
    this.o.cache = true;
    const files = this.samples.flatMap((s) => (isPair(s) ? [s.blurry, s.sharp] : [s]));
    for (const f of files) await this.load(f);
  }

  /** Number of decoded images held in memory. */
  get cachedImages(): number {
    return this.cached.size;
  }

  /** Frees the cached images (the loader can still be used; images are decoded again). */
  /** `using` releases it at the end of the block (as dispose()). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    for (const t of this.cached) t.dispose();
    this.cached.clear();
    this.cache.clear();
  }

  private load(file: string): Promise<Tensor> {
    if (!this.o.cache) return readImage(file).then((r) => r.tensor);
    let p = this.cache.get(file);
    if (p === undefined) {
      // 8-bit images are cached as uint8 (a quarter of the memory; k/255 converts back exactly), deeper ones as float.
      p = readImage(file).then((r) => {
        const t = r.info.bitDepth === 8 ? noGrad(() => scope(() => r.tensor.mul(255).round().to('uint8'))).keep() : r.tensor.keep();
        if (t !== r.tensor) r.tensor.dispose();
        this.cached.add(t);
        return t;
      });
      p.catch(() => this.cache.delete(file));
      this.cache.set(file, p);
    }
    return p;
  }

  private async build(picks: Sample[], epoch: number, start: number, seed: number): Promise<Batch> {
    const files = picks.map((s) => (isPair(s) ? s.blurry : s));
    const settled = await Promise.allSettled(picks.map((s) => (isPair(s)
      ? Promise.all([this.load(s.blurry), this.load(s.sharp)])
      : this.load(s).then((t) => [t] as Tensor[]))));
    const decoded = settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    try {
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const aug: AugmentOptions = { ...this.o.augment, crop: this.o.crop };
      return noGrad(() => scope(() => {
        const blurry: Tensor[] = [], sharp: Tensor[] = [];
        picks.forEach((s, j) => {
          const rng = keyedRng(AUG_DOMAIN, seed, epoch, start + j);
          const imgs = (settled[j] as PromiseFulfilledResult<Tensor[]>).value.map((t) => (t.dtype === 'uint8' ? t.float().div(255) : t));
          if (isPair(s)) {
            const [a, b] = augmentPair(imgs[0]!, imgs[1]!, rng, aug, [s.blurry, s.sharp]);
            blurry.push(a);
            sharp.push(b);
          } else {
            blurry.push(augmentImage(imgs[0]!, rng, aug, s));
          }
        });
        const dev = this.o.device;
        const put = (ts: Tensor[]): Tensor => {
          const t = stack(ts);
          return dev === undefined || dev === 'cpu' ? t : t.to(dev);
        };
        const batch: Batch = { blurry: put(blurry), files, epoch, index: start };
        if (this.paired) batch.sharp = put(sharp);
        return batch;
      }));
    } finally {
      if (!this.o.cache) for (const t of decoded) t.dispose();
    }
  }
}
