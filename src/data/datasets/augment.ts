// Paired augmentations: one set of random parameters is drawn, then applied identically to the blurry
// and the sharp image of a pair (or to a single image). Images are [3, H, W] or [N, 3, H, W]; on a batch
// the same parameters apply to every image of it.
//
// Randomness: all draws come from the project's seeded JS generator (Rng, src/data/rng.ts: sfc32),
// never from Math.random or libtorch's global generator, so the same seed gives the same crops, flips,
// rotations and jitter factors. Draw order: crop top, crop left, horizontal flip, vertical flip,
// rotation, brightness, contrast, saturation (only the enabled ones draw).
//
// Order of application: crop → flips → rotation by k·90° → brightness → contrast → saturation.
// Colour jitter follows torchvision's definitions (Rec. 601 luminance; clamped to [0, 1] after each).
import { noGrad, scope, tensor, type Tensor } from '../../tensor/index.js';
import type { Rng } from '../rng.js';

export { Rng } from '../rng.js';

/** [lo, hi] ranges of multiplicative factors (1 = unchanged). */
export interface JitterRanges {
  brightness?: readonly [number, number];
  contrast?: readonly [number, number];
  saturation?: readonly [number, number];
}

export interface AugmentOptions {
  /** Side of a random square crop; omitted = no crop. */
  crop?: number;
  /** Flip left–right with probability 1/2. */
  hflip?: boolean;
  /** Flip top–bottom with probability 1/2. */
  vflip?: boolean;
  /** Rotate by k·90°, k uniform in {0, 1, 2, 3}. */
  rot90?: boolean;
  jitter?: JitterRanges;
}

/** One draw of augmentation parameters (apply it with applyAugment). */
export interface AugmentParams {
  crop?: { top: number; left: number; size: number };
  hflip: boolean;
  vflip: boolean;
  /** Counter-clockwise quarter turns (as torch.rot90 over dims [H, W]). */
  k: 0 | 1 | 2 | 3;
  brightness: number;
  contrast: number;
  saturation: number;
}

/** Throws unless `img` is [3, H, W] or [N, 3, H, W]; returns [H, W]. */
export function imageSize(img: Tensor, label = 'image'): [number, number] {
  const s = img.shape;
  if ((s.length !== 3 && s.length !== 4) || s[s.length - 3] !== 3) {
    throw new Error(`${label}: expected an image [3, H, W] or a batch [N, 3, H, W], got [${s.join(', ')}]`);
  }
  return [s[s.length - 2]!, s[s.length - 1]!];
}

function checkRange(name: string, r: readonly [number, number] | undefined): void {
  if (r === undefined) return;
  if (r.length !== 2 || !(r[0] >= 0) || !(r[1] >= r[0]) || !Number.isFinite(r[1])) {
    throw new RangeError(`augment: jitter.${name} must be [lo, hi] with 0 <= lo <= hi, got [${r.join(', ')}]`);
  }
}

/**
 * Draws augmentation parameters for an image of height × width. Throws naming `label` when the image
 * is smaller than the crop.
 */
export function drawAugment(rng: Rng, height: number, width: number, o: AugmentOptions, label = 'image'): AugmentParams {
  const p: AugmentParams = { hflip: false, vflip: false, k: 0, brightness: 1, contrast: 1, saturation: 1 };
  if (o.crop !== undefined) {
    const s = o.crop;
    if (!Number.isInteger(s) || s <= 0) throw new RangeError(`augment: crop must be a positive integer, got ${s}`);
    if (height < s || width < s) throw new Error(`${label}: image is ${width}×${height} (W×H), smaller than the ${s}×${s} crop`);
    p.crop = { top: rng.int(0, height - s + 1), left: rng.int(0, width - s + 1), size: s };
  }
  if (o.hflip) p.hflip = rng.next() < 0.5;
  if (o.vflip) p.vflip = rng.next() < 0.5;
  if (o.rot90) p.k = rng.int(0, 4) as 0 | 1 | 2 | 3;
  const j = o.jitter ?? {};
  checkRange('brightness', j.brightness);
  checkRange('contrast', j.contrast);
  checkRange('saturation', j.saturation);
  if (j.brightness) p.brightness = rng.uniform(j.brightness[0], j.brightness[1]);
  if (j.contrast) p.contrast = rng.uniform(j.contrast[0], j.contrast[1]);
  if (j.saturation) p.saturation = rng.uniform(j.saturation[0], j.saturation[1]);
  return p;
}

// ---- geometric ops -------------------------------------------------------------------------------

/** Crops rows [top, top+h) and columns [left, left+w) (a view). */
export function cropImage(img: Tensor, top: number, left: number, h: number, w = h): Tensor {
  const [H, W] = imageSize(img);
  if (top < 0 || left < 0 || top + h > H || left + w > W) {
    throw new RangeError(`cropImage: window ${w}×${h} at (${left}, ${top}) is outside the ${W}×${H} image`);
  }
  return img.narrow(-2, top, h).narrow(-1, left, w);
}

export function hflip(img: Tensor): Tensor {
  return img.flip([-1]);
}

export function vflip(img: Tensor): Tensor {
  return img.flip([-2]);
}

/** Rotates counter-clockwise by k·90° (k any integer), as torch.rot90(img, k, [-2, -1]). */
export function rot90(img: Tensor, k: number): Tensor {
  const q = ((k % 4) + 4) % 4;
  if (q === 0) return img.clone();
  if (q === 1) return img.flip([-1]).transpose(-2, -1);
  if (q === 2) return img.flip([-2, -1]);
  return img.transpose(-2, -1).flip([-1]);
}

// ---- colour --------------------------------------------------------------------------------------

/** Rec. 601 luminance, keeping a channel dimension of 1: [.., 1, H, W]. */
export function luminance(img: Tensor): Tensor {
  imageSize(img);
  const w = tensor([0.299, 0.587, 0.114], { dtype: img.dtype, device: img.device }).view([3, 1, 1]);
  return img.mul(w).sum(-3, { keepdim: true });
}

export function adjustBrightness(img: Tensor, factor: number): Tensor {
  return img.mul(factor).clamp(0, 1);
}

/** Blends with the mean luminance of each image. */
export function adjustContrast(img: Tensor, factor: number): Tensor {
  const mean = luminance(img).mean([-3, -2, -1], { keepdim: true });
  return img.sub(mean).mul(factor).add(mean).clamp(0, 1);
}

/** Blends with the image's own luminance (0 = greyscale). */
export function adjustSaturation(img: Tensor, factor: number): Tensor {
  const grey = luminance(img);
  return img.sub(grey).mul(factor).add(grey).clamp(0, 1);
}

// ---- apply ---------------------------------------------------------------------------------------

/** Applies drawn parameters to one image or batch; returns a new contiguous tensor. */
export function applyAugment(img: Tensor, p: AugmentParams, label = 'image'): Tensor {
  const [H, W] = imageSize(img, label);
  if (p.crop && (H < p.crop.top + p.crop.size || W < p.crop.left + p.crop.size)) {
    throw new Error(`${label}: image is ${W}×${H} (W×H), too small for the ${p.crop.size}×${p.crop.size} crop at (${p.crop.left}, ${p.crop.top})`);
  }
  return noGrad(() => scope(() => {
    let x = img;
    if (p.crop) x = cropImage(x, p.crop.top, p.crop.left, p.crop.size);
    if (p.hflip) x = hflip(x);
    if (p.vflip) x = vflip(x);
    if (p.k !== 0) x = rot90(x, p.k);
    if (p.brightness !== 1) x = adjustBrightness(x, p.brightness);
    if (p.contrast !== 1) x = adjustContrast(x, p.contrast);
    if (p.saturation !== 1) x = adjustSaturation(x, p.saturation);
    return x === img ? img.clone() : x.contiguous();
  }));
}

/** Augments one image (or batch) with a fresh draw from `rng`. */
export function augmentImage(img: Tensor, rng: Rng, o: AugmentOptions, label = 'image'): Tensor {
  const [H, W] = imageSize(img, label);
  return applyAugment(img, drawAugment(rng, H, W, o, label), label);
}

/**
 * Augments a blurry/sharp pair with one draw applied to both. The two must have the same size
 * (labels name them in errors).
 */
export function augmentPair(blurry: Tensor, sharp: Tensor, rng: Rng, o: AugmentOptions,
  labels: readonly [string, string] = ['blurry image', 'sharp image']): [Tensor, Tensor] {
  const [H, W] = imageSize(blurry, labels[0]);
  const [h, w] = imageSize(sharp, labels[1]);
  if (H !== h || W !== w) throw new Error(`${labels[0]} is ${W}×${H} but ${labels[1]} is ${w}×${h}: a pair must have the same size`);
  const p = drawAugment(rng, H, W, o, labels[0]);
  const a = applyAugment(blurry, p, labels[0]);
  const b = applyAugment(sharp, p, labels[1]);
  return [a, b];
}

/** The same random square crop of every image in `imgs` (all the same size; labels name them in errors). */
export function randomCrop(imgs: readonly Tensor[], size: number, rng: Rng, labels?: readonly string[]): Tensor[] {
  if (imgs.length === 0) return [];
  const name = (i: number): string => labels?.[i] ?? `image ${i}`;
  const [H, W] = imageSize(imgs[0]!, name(0));
  imgs.forEach((t, i) => {
    const [h, w] = imageSize(t, name(i));
    if (h !== H || w !== W) throw new Error(`${name(i)} is ${w}×${h} but ${name(0)} is ${W}×${H}: images cropped together must have the same size`);
  });
  const p = drawAugment(rng, H, W, { crop: size }, name(0));
  return imgs.map((t, i) => applyAugment(t, p, name(i)));
}
