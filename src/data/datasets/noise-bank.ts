// Noise patches of a camera taken from its own blurry images, with no clean image: in the flattest
// patches of an image (least left over once a plane is fitted to each), what the plane leaves is the
// camera's noise as it comes out of the camera: shot and read noise through its response curve, its
// sharpening, its compression residue. The translator's denoising term adds such noise to known-blur
// crops and asks G to give the crops back (src/train/translator-step.ts). Noise grows with brightness
// in linear light and shrinks or grows with it after a response curve, so every patch keeps its mean
// brightness and a field drawn for an image takes, cell by cell, patches of about the cell's brightness.
// Limit: fine texture, at a brightness where an image has nothing flatter, passes for noise; blurry
// images have little of it (motion blur removes fine texture first).
import { F, arange, cat, fromArray, scope, type Tensor } from '../../tensor/index.js';
import type { Rng } from '../rng.js';
import { readImage } from '../image.js';

export interface NoiseBankOptions {
  /** Side of the square patches in pixels (default 8: larger ones let more of the image in, docs/experiments.md §7j). */
  patch?: number;
  /** The share of each image's unsaturated patches kept per brightness bin, the least varied first (default 0.15). */
  keep?: number;
  /** Brightness bins the patches are sorted into (default 8). */
  bins?: number;
}

const DEFAULTS: Required<NoiseBankOptions> = { patch: 8, keep: 0.15, bins: 8 };

const binOf = (b: number, bins: number): number => Math.min(bins - 1, Math.max(0, Math.floor(b * bins)));

/** One image's patches, cut on a P × P grid from its top-left corner: the noise, brightness and cell index (row-major) of the flattest (per brightness bin). */
export interface ImageNoise {
  /** [m, 3, P, P] */
  noise: Tensor;
  brightness: number[];
  cells: number[];
}

/** One image's flattest patches (per brightness bin): residual noise [m, 3, P, P] and their mean brightness. */
export function noisePatches(image: Tensor, o: NoiseBankOptions = {}): ImageNoise {
  const { patch: p, keep, bins } = { ...DEFAULTS, ...o };
  const [c, h0, w0] = image.shape as [number, number, number];
  const gh = Math.floor(h0 / p),
    gw = Math.floor(w0 / p),
    m = gh * gw;
  if (c !== 3 || gh === 0 || gw === 0) throw new Error(`noise patches need an RGB image of at least ${p}×${p}, got [${image.shape.join(', ')}]`);
  return scope(() => {
    // [3, gh·P, gw·P] → [m, 3, P, P]
    const x = image.slice(1, 0, gh * p).slice(2, 0, gw * p);
    const raw = x.reshape([3, gh, p, gw, p]).permute([1, 3, 0, 2, 4]).reshape([m, 3, p, p]);
    // A plane a + b·u + c·v fitted per patch and channel (u, v centred: the three terms are orthogonal);
    // the noise is what the plane leaves. Nothing outside the patch enters, so edges next to a flat
    // patch do not leak into its noise, and smooth ramps (what blur leaves of edges) go.
    const u = arange(0, p).sub((p - 1) / 2),
      uu = u.reshape([1, 1, 1, p]),
      vv = u.reshape([1, 1, p, 1]);
    const norm = u.square().sum().item() * p;
    const mean = raw.mean([2, 3], { keepdim: true });
    const bu = raw.mul(uu).sum([2, 3], { keepdim: true }).div(norm),
      bv = raw.mul(vv).sum([2, 3], { keepdim: true }).div(norm);
    const noise = raw.sub(mean).sub(bu.mul(uu)).sub(bv.mul(vv));
    const variance = noise.reshape([m, 3 * p * p]).var(1).toArray() as Float32Array;
    const brightness = mean.reshape([m, 3]).mean(1).toArray() as Float32Array;
    // The plane's lowest and highest value over the patch, per patch (over channels).
    const reach = bu.abs().add(bv.abs()).mul((p - 1) / 2);
    const lo = mean.sub(reach).reshape([m, 3]).amin(1).toArray() as Float32Array;
    const hi = mean.add(reach).reshape([m, 3]).amax(1).toArray() as Float32Array;
    // Saturated patches carry no noise where they clip: left out (judged on the plane, which noise near
    // black or white does not push over the edge). Among patches of about the same brightness the noise
    // is about the same, so the least varied are the least textured: kept, per brightness bin.
    const byBin = new Map<number, number[]>();
    for (let i = 0; i < m; i++) {
      if (!(lo[i]! > 0.01 && hi[i]! < 0.99)) continue;
      const b = binOf(brightness[i]!, bins);
      const ids = byBin.get(b);
      if (ids) ids.push(i);
      else byBin.set(b, [i]);
    }
    const chosen = [...byBin.values()].flatMap((ids) =>
      ids.sort((a, b) => variance[a]! - variance[b]!).slice(0, Math.round(keep * ids.length)),
    );
    if (chosen.length === 0) return { noise: raw.slice(0, 0, 0), brightness: [], cells: [] };
    const idx = fromArray(Int32Array.from(chosen), [chosen.length]);
    return { noise: noise.indexSelect(0, idx), brightness: chosen.map((i) => brightness[i]!), cells: chosen };
  });
}

/** Noise patches of a set of images, sorted into brightness bins, drawn into fields the size of a batch. */
export class NoiseBank implements Disposable {
  readonly patch: number;
  /** All patches [N, 3, P, P]. */
  readonly noise: Tensor;
  /** Patch indices by brightness bin (bin b holds brightness in [b/bins, (b+1)/bins)). */
  private readonly byBin: number[][];

  private constructor(parts: ImageNoise[], what: string, o: Required<NoiseBankOptions>) {
    this.patch = o.patch;
    const brightness = parts.flatMap((q) => q.brightness);
    if (brightness.length === 0) {
      for (const q of parts) q.noise.dispose();
      throw new Error(`${what}: no flat, unsaturated ${o.patch}×${o.patch} patches to take the camera's noise from`);
    }
    this.noise = scope(() => cat(parts.map((q) => q.noise), 0));
    for (const q of parts) q.noise.dispose();
    this.byBin = Array.from({ length: o.bins }, () => []);
    brightness.forEach((b, i) => this.byBin[binOf(b, o.bins)]!.push(i));
  }

  /** The bank of images [3, H, W] in memory. */
  static fromImages(images: readonly Tensor[], o: NoiseBankOptions = {}): NoiseBank {
    const opts = { ...DEFAULTS, ...o };
    return new NoiseBank(
      images.map((im) => noisePatches(im, opts)),
      `${images.length} images`,
      opts,
    );
  }

  /** The bank of image files, read one at a time (errors name the file). */
  static async fromFiles(files: readonly string[], what: string, o: NoiseBankOptions = {}): Promise<NoiseBank> {
    const opts = { ...DEFAULTS, ...o };
    const parts: ImageNoise[] = [];
    try {
      for (const f of files) {
        const { tensor } = await readImage(f);
        try {
          parts.push(noisePatches(tensor, opts));
        } finally {
          tensor.dispose();
        }
      }
    } catch (e) {
      for (const q of parts) q.noise.dispose();
      throw e;
    }
    return new NoiseBank(parts, what, opts);
  }

  get size(): number {
    return this.noise.shape[0]!;
  }

  /** A patch index for a cell of mean brightness `b`: from b's bin, or the nearest bin that has patches. */
  private pick(b: number, rng: Rng): number {
    const bins = this.byBin.length;
    const home = binOf(b, bins);
    for (let d = 0; d < bins; d++) {
      const near = [home - d, home + d].filter((k) => k >= 0 && k < bins && this.byBin[k]!.length > 0);
      if (near.length > 0) {
        const bin = this.byBin[near[Math.floor(rng.next() * near.length)]!]!;
        return bin[Math.floor(rng.next() * bin.length)]!;
      }
    }
    throw new Error('noise bank is empty');
  }

  /**
   * A noise field for `images` [n, 3, H, W]: patches laid cell by cell, each of about its cell's
   * brightness, each with a random sign (noise is symmetric; twice the patterns). Deterministic in `rng`.
   */
  field(images: Tensor, rng: Rng): Tensor {
    const [n, , h, w] = images.shape as [number, number, number, number];
    const p = this.patch,
      gh = Math.ceil(h / p),
      gw = Math.ceil(w / p);
    return scope(() => {
      // Mean brightness of every P × P cell (edge cells: of what lies inside the image).
      const means = F.avgPool2d(images.mean(1, { keepdim: true }), p, { ceilMode: true }).toArray() as Float32Array;
      const idx = new Int32Array(n * gh * gw),
        sign = new Float32Array(n * gh * gw);
      for (let i = 0; i < idx.length; i++) {
        idx[i] = this.pick(means[i]!, rng);
        sign[i] = rng.next() < 0.5 ? -1 : 1;
      }
      // Chosen where the bank lives; only the field's patches go to the images' device.
      const patches = this.noise
        .indexSelect(0, fromArray(idx, [idx.length], { device: this.noise.device }))
        .to(images.device)
        .mul(fromArray(sign, [idx.length, 1, 1, 1], { device: images.device }));
      // [n·gh·gw, 3, P, P] → [n, 3, gh·P, gw·P], cut to H × W
      const f = patches.reshape([n, gh, gw, 3, p, p]).permute([0, 3, 1, 4, 2, 5]).reshape([n, 3, gh * p, gw * p]);
      return f.slice(2, 0, h).slice(3, 0, w).contiguous();
    });
  }

  dispose(): void {
    this.noise.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
