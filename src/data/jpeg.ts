// JPEG as a camera applies it, in tensor operations: baseline JPEG (IJG quality scaling of the standard
// tables, 4:2:0 chroma, 8×8 DCT, rounding of the quantised coefficients, triangular chroma upsampling
// on decode, 8-bit output), so that the translator's denoising term can put a camera's blocking on
// known-blur crops inside a training step, on any device, without leaving the step for an encoder.
// And the quality a JPEG file was written at, read from its quantisation table.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { F, cat, fromArray, withoutAutocast, type Tensor } from '../tensor/index.js';

/** The standard luminance and chrominance quantisation tables (JPEG Annex K), row-major. */
const LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112,
  100, 103, 99,
];
const CHROMA = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...new Array<number>(32).fill(99),
];

/** Row-major index of the k-th coefficient in zig-zag order (the order tables are stored in a file). */
const ZIGZAG: number[] = (() => {
  const out: number[] = [];
  for (let s = 0; s < 15; s++) {
    const cells: number[] = [];
    for (let r = Math.max(0, s - 7); r <= Math.min(7, s); r++) cells.push(r * 8 + (s - r));
    out.push(...(s % 2 === 0 ? cells.reverse() : cells));
  }
  return out;
})();

/** A standard table scaled to `quality` (1–100) as the IJG library does, entries clamped to 1–255 (baseline). */
export function scaledTable(base: readonly number[], quality: number): number[] {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - 2 * q;
  return base.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/** The luminance and chrominance tables of a quality. */
export function quantTables(quality: number): { luma: number[]; chroma: number[] } {
  return { luma: scaledTable(LUMA, quality), chroma: scaledTable(CHROMA, quality) };
}

/** The 64 orthonormal 8×8 DCT basis images, row-major as conv weights [64, 1, 8, 8]: channel u·8+v is basis (u, v). */
const DCT_BASIS: Float32Array = (() => {
  const w = new Float32Array(64 * 64);
  const c = (k: number) => (k === 0 ? Math.SQRT1_2 : 1) / 2;
  for (let u = 0; u < 8; u++)
    for (let v = 0; v < 8; v++)
      for (let x = 0; x < 8; x++)
        for (let y = 0; y < 8; y++)
          w[(u * 8 + v) * 64 + x * 8 + y] =
            c(u) * c(v) * Math.cos(((2 * x + 1) * u * Math.PI) / 16) * Math.cos(((2 * y + 1) * v * Math.PI) / 16);
  return w;
})();

/**
 * Planes [N, P, H, W] (0–255, level-shifted by the caller) through DCT, quantisation by the per-image
 * tables [N, 64] and inverse DCT. H and W are multiples of 8.
 */
function quantisePlanes(planes: Tensor, tables: Tensor, basis: Tensor): Tensor {
  const [n, p, h, w] = planes.shape as [number, number, number, number];
  const coef = F.conv2d(planes.reshape([n * p, 1, h, w]), basis, undefined, { stride: 8 }); // [N·P, 64, H/8, W/8]
  const q = tables
    .reshape([n, 1, 64, 1, 1])
    .expand([n, p, 64, 1, 1])
    .reshape([n * p, 64, 1, 1]);
  const kept = coef.div(q).round().mul(q);
  return F.convTranspose2d(kept, basis, undefined, { stride: 8 }).reshape([n, p, h, w]);
}

/**
 * x [N, 3, H, W] RGB in [0, 1] → the same images written as baseline JPEG at `quality` (one for all, or
 * one per image) with 4:2:0 chroma and read back, [N, 3, H, W] float32 in [0, 1] on 8-bit steps. Edges
 * are padded by repetition to whole 16×16 blocks, as encoders do. No gradient is meant to pass
 * (rounding). Computed in float32 inside a mixed-precision region too (the rounding needs it).
 */
export function jpegCompress(x: Tensor, quality: number | readonly number[]): Tensor {
  return withoutAutocast(x.device, () => compress(x.float(), quality));
}

function compress(x: Tensor, quality: number | readonly number[]): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (c !== 3) throw new Error(`jpegCompress: expected RGB images [N, 3, H, W], got ${c} channels`);
  const qs = typeof quality === 'number' ? new Array<number>(n).fill(quality) : [...quality];
  if (qs.length !== n) throw new Error(`jpegCompress: ${qs.length} qualities for ${n} images`);
  const ph = Math.ceil(h / 16) * 16,
    pw = Math.ceil(w / 16) * 16;
  const rgb = F.pad(x.clamp(0, 1).mul(255).round(), [0, pw - w, 0, ph - h], 'replicate');
  const [r, g, b] = [0, 1, 2].map((i) => rgb.narrow(1, i, 1)) as [Tensor, Tensor, Tensor];
  // The encoder's YCbCr is on integer steps, as the RGB it came from.
  const y = r.mul(0.299).add(g.mul(0.587)).add(b.mul(0.114)).round();
  const cb = r.mul(-0.168736).add(g.mul(-0.331264)).add(b.mul(0.5)).round();
  const cr = r.mul(0.5).add(g.mul(-0.418688)).add(b.mul(-0.081312)).round();
  const tables = qs.map(quantTables);
  const dev = { device: x.device };
  const lumaT = fromArray(Float32Array.from(tables.flatMap((t) => t.luma)), [n, 64], dev);
  const chromaT = fromArray(Float32Array.from(tables.flatMap((t) => t.chroma)), [n, 64], dev);
  const basis = fromArray(DCT_BASIS, [64, 1, 8, 8], dev);
  // Y is level-shifted by 128; Cb and Cr are centred on 0 already (their +128 offset and the shift cancel).
  const yq = quantisePlanes(y.sub(128), lumaT, basis).add(128).round().clamp(0, 255);
  const sub = F.avgPool2d(cat([cb, cr], 1), 2);
  const cq = quantisePlanes(sub, chromaT, basis).round().clamp(-128, 127);
  const up = F.interpolate(cq, { scaleFactor: 2, mode: 'bilinear', alignCorners: false });
  const cbu = up.narrow(1, 0, 1),
    cru = up.narrow(1, 1, 1);
  const out = cat([yq.add(cru.mul(1.402)), yq.sub(cbu.mul(0.344136)).sub(cru.mul(0.714136)), yq.add(cbu.mul(1.772))], 1);
  return out.round().clamp(0, 255).div(255).narrow(2, 0, h).narrow(3, 0, w);
}

/**
 * The IJG quality (1–100) whose scaled luminance table is closest to a JPEG file's first table, or
 * null when the file is no JPEG or holds no 8-bit table. Throws naming the file if it cannot be read.
 */
export function jpegQualityOf(file: string): number | null {
  // The tables come before the image data: the first MiB holds them even behind a large EXIF block.
  const fd = openSync(file, 'r');
  let buf: Buffer;
  try {
    buf = Buffer.alloc(Math.min(fstatSync(fd).size, 1 << 20));
    readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= buf.length) {
    if (buf[at] !== 0xff) return null;
    const marker = buf[at + 1]!;
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, start of scan: no table before
    const len = buf.readUInt16BE(at + 2);
    if (marker === 0xdb) {
      let p = at + 4;
      while (p < at + 2 + len) {
        const precision = buf[p]! >> 4,
          id = buf[p]! & 15;
        const size = precision === 0 ? 64 : 128;
        if (id === 0 && precision === 0 && p + 1 + 64 <= buf.length) {
          const table = new Array<number>(64);
          for (let k = 0; k < 64; k++) table[ZIGZAG[k]!] = buf[p + 1 + k]!;
          return closestQuality(table);
        }
        p += 1 + size;
      }
    }
    at += 2 + len;
  }
  return null;
}

/** The quality whose scaled luminance table is nearest (least absolute difference) to `table` (row-major). */
export function closestQuality(table: readonly number[]): number {
  let best = 1,
    bestErr = Infinity;
  for (let q = 1; q <= 100; q++) {
    const t = scaledTable(LUMA, q);
    let err = 0;
    for (let i = 0; i < 64; i++) err += Math.abs(t[i]! - table[i]!);
    if (err < bestErr) {
      bestErr = err;
      best = q;
    }
  }
  return best;
}

/**
 * The range of JPEG qualities of a camera's files: [lowest, highest] over those that are JPEG. Throws
 * naming the folder when none of them is a JPEG (give the quality by hand then).
 */
export function jpegQualityRange(files: readonly string[], where: string): [number, number] {
  const qs = files.map(jpegQualityOf).filter((q): q is number => q !== null);
  if (qs.length === 0)
    throw new Error(`${where}: none of its ${files.length} images is a JPEG file, so their quality cannot be read; give it as a number (e.g. --jpeg 50 or --jpeg 35,60)`);
  return [Math.min(...qs), Math.max(...qs)];
}
