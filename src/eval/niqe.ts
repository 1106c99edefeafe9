// NIQE, the no-reference "naturalness" score (Mittal, Soundararajan & Bovik, IEEE SPL 2013): lower is
// more natural. An image's luminance is normalised into MSCN coefficients (local mean subtracted,
// divided by local deviation, Gaussian window 7×7, σ 7/6). Each 96×96 block (48×48 at the half scale)
// is described by 18 numbers per scale: a generalised Gaussian fit of the coefficients (shape,
// variance) and asymmetric generalised Gaussian fits of their products with 4 neighbours (shape, mean,
// left and right variances). A multivariate Gaussian of the 36 features over the image is compared with
// one fitted on pristine images: NIQE = √((μp − μ)ᵀ ((Σp + Σ)/2)⁺ (μp − μ)).
//
// The pristine model: the original NIQE ships parameters fitted on 125 natural photos, which are not
// available here. blur2blur fits its own from sharp images (`b2b niqe fit`; the shipped
// data/niqe-pristine.json is fitted on the embedded CC0 photos), keeping the sharpest blocks (mean local
// deviation ≥ 0.75 × the image's maximum) as the original does. Scores are therefore comparable with each
// other, not with published NIQE values. The half scale uses bicubic resizing without antialiasing
// (MATLAB's imresize antialiases).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DATA } from '../data/photos.js';
import { F, noGrad, scope, tensor, type Tensor } from '../tensor/index.js';
import { aten } from '../tensor/aten.js';
import { wrap } from '../tensor/tensor.js';

const BLOCK = 96;

/** Lanczos approximation of Γ(x), x > 0. */
export function gamma(x: number): number {
  const g = 7,
    c = [
      0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
      -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * t ** (x + 0.5) * Math.exp(-t) * a;
}

const SHAPES = Array.from({ length: 9801 }, (_, i) => 0.2 + i * 0.001);
const GGD_R = SHAPES.map((a) => (gamma(1 / a) * gamma(3 / a)) / gamma(2 / a) ** 2);
const AGGD_R = SHAPES.map((a) => gamma(2 / a) ** 2 / (gamma(1 / a) * gamma(3 / a)));

const argmin = (xs: number[], f: (x: number) => number): number => {
  let best = 0,
    bv = Infinity;
  xs.forEach((x, i) => {
    const v = f(x);
    if (v < bv) {
      bv = v;
      best = i;
    }
  });
  return best;
};

/** Generalised Gaussian fit by moment matching: [shape, variance]. */
export function ggdFit(v: Float64Array): [number, number] {
  let s2 = 0,
    e = 0;
  for (const x of v) {
    s2 += x * x;
    e += Math.abs(x);
  }
  s2 /= v.length;
  e /= v.length;
  const rho = s2 / (e * e);
  return [SHAPES[argmin(GGD_R, (r) => Math.abs(rho - r))]!, s2];
}

/** Asymmetric generalised Gaussian fit: [shape, mean, left variance, right variance]. */
export function aggdFit(v: Float64Array): [number, number, number, number] {
  let l = 0,
    nl = 0,
    r = 0,
    nr = 0,
    abs = 0,
    sq = 0;
  for (const x of v) {
    if (x < 0) {
      l += x * x;
      nl++;
    } else if (x > 0) {
      r += x * x;
      nr++;
    }
    abs += Math.abs(x);
    sq += x * x;
  }
  const ls = Math.sqrt(l / Math.max(nl, 1)),
    rs = Math.sqrt(r / Math.max(nr, 1));
  const gh = ls / rs,
    rhat = (abs / v.length) ** 2 / (sq / v.length);
  const rn = (rhat * (gh ** 3 + 1) * (gh + 1)) / (gh ** 2 + 1) ** 2;
  const a = SHAPES[argmin(AGGD_R, (x) => (x - rn) ** 2)]!;
  const mean = (rs - ls) * (gamma(2 / a) / gamma(1 / a)) * Math.sqrt(gamma(1 / a) / gamma(3 / a));
  return [a, mean, ls * ls, rs * rs];
}

/** MSCN coefficients and local deviations of a luminance image [1, 1, H, W] on the 0–255 scale. */
function mscn(y: Tensor): { coef: Tensor; sigma: Tensor } {
  const g = [-3, -2, -1, 0, 1, 2, 3].map((i) => Math.exp(-(i * i) / (2 * (7 / 6) ** 2)));
  const k = tensor(
    g.map((v) => v / g.reduce((a, b) => a + b, 0)),
    { dtype: 'float64' },
  ); // 7 taps, σ 7/6
  const w = k
    .view([7, 1])
    .mul(k.view([1, 7]))
    .view([1, 1, 7, 7]);
  const blur = (x: Tensor): Tensor => F.conv2d(F.pad(x, [3, 3, 3, 3], 'replicate'), w);
  const mu = blur(y),
    sigma = blur(y.square()).sub(mu.square()).abs().sqrt();
  return { coef: y.sub(mu).div(sigma.add(1)), sigma };
}

/** The 18 features of every block at one scale (row-major blocks), with each block's mean deviation. */
function blockFeatures(y: Tensor, block: number): { feats: number[][]; sharpness: number[] } {
  const { coef, sigma } = mscn(y);
  const [, , h, w] = y.shape as [number, number, number, number];
  const rows = Math.floor(h / block),
    cols = Math.floor(w / block);
  const c = Float64Array.from(coef.toNumbers()),
    s = Float64Array.from(sigma.toNumbers());
  const feats: number[][] = [],
    sharpness: number[] = [];
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      const n = block * block,
        v = new Float64Array(n);
      const at = (yy: number, xx: number): number => c[(by * block + yy) * w + bx * block + xx]!;
      let sh = 0;
      for (let yy = 0; yy < block; yy++)
        for (let xx = 0; xx < block; xx++) {
          v[yy * block + xx] = at(yy, xx);
          sh += s[(by * block + yy) * w + bx * block + xx]!;
        }
      const f: number[] = [...ggdFit(v)];
      // Products with the right, lower, lower-right and lower-left neighbours (circular within the block).
      for (const [dy, dx] of [
        [0, 1],
        [1, 0],
        [1, 1],
        [1, -1],
      ] as const) {
        const p = new Float64Array(n);
        for (let yy = 0; yy < block; yy++)
          for (let xx = 0; xx < block; xx++) {
            p[yy * block + xx] = at(yy, xx) * at((yy - dy + block) % block, (xx - dx + block) % block);
          }
        f.push(...aggdFit(p));
      }
      feats.push(f);
      sharpness.push(sh / n);
    }
  }
  return { feats, sharpness };
}

/** 36 features per 96×96 block of an RGB image [3, H, W] in [0, 1], and the blocks' sharpness. */
export function niqeFeatures(img: Tensor): { feats: number[][]; sharpness: number[] } {
  return noGrad(() =>
    scope(() => {
      const [, h, w] = img.shape as [number, number, number];
      if (h < BLOCK || w < BLOCK) throw new Error(`NIQE: images must be at least ${BLOCK}×${BLOCK}, got ${w}×${h}`);
      const y = img
        .double()
        .mul(tensor([0.299, 0.587, 0.114], { dtype: 'float64' }).view([3, 1, 1]))
        .sum(0)
        .mul(255)
        .round()
        .view([1, 1, h, w]);
      const crop = y.slice(2, 0, Math.floor(h / BLOCK) * BLOCK).slice(3, 0, Math.floor(w / BLOCK) * BLOCK);
      const s1 = blockFeatures(crop, BLOCK);
      const s2 = blockFeatures(F.interpolate(crop, { scaleFactor: 0.5, mode: 'bicubic' }), BLOCK / 2);
      return { feats: s1.feats.map((f, i) => [...f, ...s2.feats[i]!]), sharpness: s1.sharpness };
    }),
  );
}

/** A NIQE pristine model: the mean and covariance of natural-scene features, and what they were fitted on. */
export interface NiqeModel {
  mean: number[];
  cov: number[][];
  images: number;
  blocks: number;
  source: string;
}

function meanCov(rows: number[][]): { mean: number[]; cov: number[][] } {
  const d = rows[0]!.length,
    n = rows.length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((a, r) => a + r[j]!, 0) / n);
  const cov = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => rows.reduce((a, r) => a + (r[i]! - mean[i]!) * (r[j]! - mean[j]!), 0) / Math.max(n - 1, 1)),
  );
  return { mean, cov };
}

/** Fits the pristine model on sharp images ([3, H, W] each): the sharpest blocks of each. */
export function fitNiqe(images: Tensor[], source: string, threshold = 0.75): NiqeModel {
  const rows: number[][] = [];
  for (const img of images) {
    const { feats, sharpness } = niqeFeatures(img);
    const max = Math.max(...sharpness);
    feats.forEach((f, i) => {
      if (sharpness[i]! >= threshold * max) rows.push(f);
    });
  }
  if (rows.length < 2) throw new Error('NIQE fit: need at least two sharp blocks (give more or larger images)');
  return { ...meanCov(rows), images: images.length, blocks: rows.length, source };
}

/** The NIQE score of one image [3, H, W] in [0, 1] against a pristine model (lower: more natural). */
export function niqe(img: Tensor, model: NiqeModel): number {
  const { feats } = niqeFeatures(img);
  const { mean, cov } = feats.length > 1 ? meanCov(feats) : { mean: feats[0]!, cov: model.cov.map((r) => r.map(() => 0)) };
  return noGrad(() =>
    scope(() => {
      const d = tensor(
        model.mean.map((m, i) => m - mean[i]!),
        { dtype: 'float64' },
      ).view([1, -1]);
      const pooled = tensor(model.cov.flat(), { dtype: 'float64' })
        .view([36, 36])
        .add(tensor(cov.flat(), { dtype: 'float64' }).view([36, 36]))
        .div(2);
      return Math.sqrt(Math.max(0, d.matmul(linalgPinv(pooled)).matmul(d.t()).item()));
    }),
  );
}

const pinvOp = aten('linalg_pinv', 'atol_rtol_float');
function linalgPinv(x: Tensor): Tensor {
  return wrap(pinvOp(x.h, null, null, true));
}

/** A NIQE pristine model from its JSON file. */
/** The pristine model this project fitted on its embedded CC0 photos (`b2b niqe fit`). */
export const DEFAULT_NIQE_MODEL = join(REPO_DATA, 'niqe-pristine.json');

export function readNiqeModel(file: string): NiqeModel {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as NiqeModel;
  } catch (e) {
    throw new Error(`${file}: cannot read the NIQE pristine model (${(e as Error).message})`);
  }
}

export function writeNiqeModel(file: string, m: NiqeModel): void {
  writeFileSync(file, JSON.stringify(m) + '\n');
}
