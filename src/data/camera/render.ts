// Rendering a camera's exposure of a scene, batched on the engine (the way GoPro, REDS and RSBlur
// were made): scene photo → linear light (inverse sRGB) → white balance and exposure gain → one warp per
// sub-frame along the camera trajectory (pinhole homographies, optionally per row for a rolling shutter)
// → average in linear light → sensor clipping → Poisson–Gaussian noise → response curve → in-camera
// sharpening → JPEG. The sharp ground truth is the mid-exposure frame through the same response curve.
import { F, Generator, fromArray, noGrad, randn, scope, stack, tensor, where, type Device, type Tensor } from '../../tensor/index.js';
import { jpegRoundTrip } from '../image.js';
import type { Rng } from '../rng.js';
import { maxPathPx, type CameraConfig } from './config.js';
import { drawTrajectory, poseAt, stillTrajectory, type Trajectory } from './trajectory.js';

export function srgbToLinear(x: Tensor): Tensor {
  return where(x.le(0.04045), x.div(12.92), x.add(0.055).div(1.055).clamp(0).pow(2.4));
}

export function linearToSrgb(x: Tensor): Tensor {
  const c = x.clamp(0, 1);
  return where(c.le(0.0031308), c.mul(12.92), c.clamp(0.0031308).pow(1 / 2.4).mul(1.055).sub(0.055));
}

/** The camera response: linear [0, 1] → stored values [0, 1]. */
export function applyCrf(x: Tensor, crf: CameraConfig['crf']): Tensor {
  const c = x.clamp(0, 1);
  switch (crf.kind) {
    case 'srgb': return linearToSrgb(c);
    case 'gamma': return c.clamp(1e-8).pow(1 / crf.gamma);
    case 'filmic': {
      const y = c.clamp(1e-8).pow(1 / crf.gamma).clamp(1e-6, 1 - 1e-6);
      const a = y.pow(crf.contrast);
      return a.div(a.add(y.rsub(1).pow(crf.contrast)));
    }
  }
}

/** Unsharp mask with a 3×3 binomial blur: x + amount·(x − blur(x)). */
export function sharpen(x: Tensor, amount: number): Tensor {
  if (amount === 0) return x;
  const k = tensor([[1, 2, 1], [2, 4, 2], [1, 2, 1]], { device: x.device }).div(16).view([1, 1, 3, 3]).expand([3, 1, 3, 3]);
  const blur = F.conv2d(F.pad(x, [1, 1, 1, 1], 'replicate'), k, undefined, { groups: 3 });
  return x.add(x.sub(blur).mul(amount)).clamp(0, 1);
}

/** Rotation R = Rz(roll)·Ry(yaw)·Rx(pitch), row-major, written into out at offset o. */
function rotation(out: Float32Array, o: number, yaw: number, pitch: number, roll: number): void {
  const [cy, sy, cp, sp, cr, sr] = [Math.cos(yaw), Math.sin(yaw), Math.cos(pitch), Math.sin(pitch), Math.cos(roll), Math.sin(roll)];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
  const rz = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  const mul = (a: number[], b: number[]): number[] =>
    [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => a[3 * i]! * b[j]! + a[3 * i + 1]! * b[3 + j]! + a[3 * i + 2]! * b[6 + j]!));
  const r = mul(rz, mul(ry, rx));
  for (let i = 0; i < 9; i++) out[o + i] = r[i]!;
}

/**
 * Sampling grid [B, H, W, 2] of the sub-frame at time t (fraction of the exposure): per image its
 * trajectory; with a rolling shutter of readout R ms, row r is exposed R/exposure·(r/H − ½) later.
 * The poses are computed here and the grid on `device`.
 */
function subframeGrid(trs: Trajectory[], t: number, h: number, w: number, focal: number, readoutMs: number, device: Device): Tensor {
  const rows = readoutMs > 0 ? h : 1;
  const mats = new Float32Array(trs.length * rows * 9);
  trs.forEach((tr, b) => {
    const rs = readoutMs / tr.exposureMs;
    for (let r = 0; r < rows; r++) {
      const p = poseAt(tr, rows > 1 ? t + rs * (r / (h - 1 || 1) - 0.5) : t);
      rotation(mats, (b * rows + r) * 9, Math.atan(p.x / focal), Math.atan(p.y / focal), p.roll);
    }
  });
  const R = fromArray(mats, [trs.length, rows, 3, 3], { device });
  const xs = tensor(Array.from({ length: w }, (_, j) => j - (w - 1) / 2), { device }).view([1, 1, w, 1]);
  const ys = tensor(Array.from({ length: h }, (_, i) => i - (h - 1) / 2), { device }).view([1, h, 1, 1]);
  // Row vectors p·R = (Rᵀp)ᵀ for p = (x, y, f), as three broadcast multiply-adds (much faster than
  // B·H tiny matrix products): [B,rows,1,3] rows of R times [1,H,W,1] coordinates → [B,H,W,3].
  const row = (k: number): Tensor => R.select(2, k).unsqueeze(2);
  const src = row(0).mul(xs).add(row(1).mul(ys)).add(row(2).mul(focal));
  const z = src.select(3, 2).clamp(1e-3);
  const u = src.select(3, 0).div(z).mul(focal).add((w - 1) / 2);
  const v = src.select(3, 1).div(z).mul(focal).add((h - 1) / 2);
  return stack([u.mul(2).add(1).div(w).sub(1), v.mul(2).add(1).div(h).sub(1)], 3);
}

export interface SampleParams {
  lengthPx: number;
  exposureMs: number;
  gain: number;
  shot: number;
  read: number;
  jpegQuality: number | null;
}

/** A rendered batch: what the camera records of the moving scene, the ground truth, and of the still scene. */
export interface Rendered {
  /** What the camera records of the moving scene. [B, 3, H, W] */
  blurry: Tensor;
  /** Ground truth: the clean mid-exposure frame through the response curve. */
  sharp: Tensor;
  /** What the camera records of a still scene (its own noise and processing): the sharp set S. */
  sharpCamera: Tensor;
  params: SampleParams[];
}

/** The random streams of a render (trajectories and noise), the margin to crop, an optional fixed trajectory. */
export interface RenderOptions {
  rng: Rng;
  /** Generator for noise tensors (seeded by the caller). */
  generator: Generator;
  /** Pixels cropped from each border after rendering (room for the motion). */
  margin?: number;
  /** Use this trajectory for every image instead of drawing one (tests). */
  trajectory?: Trajectory;
}

/**
 * Renders a batch of scene photos [B, 3, H, W] (sRGB, [0, 1]) through a camera, on the photos' device
 * (the noise generator must be of that device; JPEG, when the camera has it, is encoded on the CPU).
 */
export async function render(cam: CameraConfig, photos: Tensor, o: RenderOptions): Promise<Rendered> {
  const [b, , h, w] = photos.shape as [number, number, number, number];
  const device = photos.device;
  const trs = Array.from({ length: b }, () => (o.trajectory ?? (maxPathPx(cam) === 0 ? stillTrajectory() : drawTrajectory(cam, o.rng))));
  const params: SampleParams[] = trs.map((tr) => ({
    lengthPx: tr.lengthPx,
    exposureMs: tr.exposureMs,
    gain: o.rng.uniform(cam.exposureGain[0], cam.exposureGain[1]),
    shot: o.rng.uniform(cam.noise.shot[0], cam.noise.shot[1]),
    read: o.rng.uniform(cam.noise.read[0], cam.noise.read[1]),
    jpegQuality: cam.jpeg ? Math.round(o.rng.uniform(cam.jpeg[0], cam.jpeg[1])) : null,
  }));
  const m = o.margin ?? 0;
  const crop = (x: Tensor): Tensor => (m > 0 ? x.slice(2, m, h - m).slice(3, m, w - m) : x);
  const stage = noGrad(() => scope(() => {
    const wb = tensor(cam.whiteBalance, { device }).view([1, 3, 1, 1]);
    const gains = tensor(params.map((p) => p.gain), { device }).view([b, 1, 1, 1]);
    const lin = srgbToLinear(photos).mul(wb).mul(gains);
    let acc = lin.mul(0);
    for (let s = 0; s < cam.subframes; s++) {
      scope(() => {
        const grid = subframeGrid(trs, (s + 0.5) / cam.subframes, h, w, cam.trajectory.focalPx, cam.rollingShutterMs, device);
        acc.add_(F.gridSample(lin, grid, { mode: 'bilinear', paddingMode: 'reflection', alignCorners: false }));
      });
    }
    acc = acc.div(cam.subframes).clamp(0, 1); // sensor saturation
    const mid = lin.clamp(0, 1);
    const shot = tensor(params.map((p) => p.shot), { device }).view([b, 1, 1, 1]);
    const read = tensor(params.map((p) => p.read * p.read), { device }).view([b, 1, 1, 1]);
    const noise = (x: Tensor): Tensor => randn([...x.shape], { generator: o.generator, device });
    const noisy = (x: Tensor): Tensor => x.add(x.mul(shot).add(read).sqrt().mul(noise(x))).clamp(0, 1);
    const isp = (x: Tensor): Tensor => crop(sharpen(applyCrf(x, cam.crf), cam.sharpen));
    return { blurry: isp(noisy(acc)), sharp: isp(mid), sharpCamera: isp(noisy(mid)) };
  }));
  if (cam.jpeg) {
    const jpeg = async (x: Tensor): Promise<Tensor> => {
      const out: Tensor[] = [];
      for (let i = 0; i < b; i++) {
        const one = x.select(0, i);
        out.push(await jpegRoundTrip(one, params[i]!.jpegQuality!));
        one.dispose();
      }
      const r = stack(out);
      for (const t of out) t.dispose();
      x.dispose();
      return r;
    };
    stage.blurry = await jpeg(stage.blurry);
    stage.sharpCamera = await jpeg(stage.sharpCamera);
  }
  return { ...stage, params };
}
