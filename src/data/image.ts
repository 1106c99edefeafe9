// Image files ↔ tensors, through sharp (libvips). Tensors are [3, H, W] float32 in [0, 1], sRGB-encoded
// as stored (no linearisation here; the camera simulator does that explicitly).
// Conversions are explicit: EXIF orientation is applied; greyscale is replicated to RGB; an alpha channel
// is dropped (composited over nothing: the colour values are kept as they are); 16-bit PNG/TIFF keep
// their precision (÷ 65535).
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import { fromArray, noGrad, scope, type Tensor } from '../tensor/index.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff'] as const;

/** The most pixels an image may declare before it is decoded (a small file can claim a huge canvas). */
export const MAX_IMAGE_PIXELS = 200_000_000;

/** What an image file holds: size, channels, bit depth, format. */
export interface ImageInfo {
  width: number;
  height: number;
  /** Channels in the file (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
  channels: number;
  bitDepth: 8 | 16;
  format: string;
}

export class ImageReadError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: cannot read image (${reason})`);
    this.name = 'ImageReadError';
  }
}

/** Reads an image as a [3, H, W] float32 tensor in [0, 1]. */
export async function readImage(file: string): Promise<{ tensor: Tensor; info: ImageInfo }> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(file, { failOn: 'error' }).metadata();
  } catch (e) {
    throw new ImageReadError(file, (e as Error).message);
  }
  if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_IMAGE_PIXELS) {
    throw new ImageReadError(file, `it declares ${meta.width}×${meta.height} pixels, more than the ${MAX_IMAGE_PIXELS / 1e6} MP this tool decodes`);
  }
  const deep = meta.depth === 'ushort';
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await sharp(file, { failOn: 'error', limitInputPixels: MAX_IMAGE_PIXELS })
      .rotate() // EXIF orientation
      .removeAlpha()
      .toColourspace(deep ? 'rgb16' : 'srgb')
      .raw({ depth: deep ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new ImageReadError(file, (e as Error).message);
  }
  const { width, height, channels } = raw.info;
  if (channels !== 3) throw new ImageReadError(file, `decoded to ${channels} channels, expected 3`);
  const values = deep
    ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 2)
    : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  const scale = deep ? 65535 : 255;
  const f = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) f[i] = values[i]! / scale;
  const tensor = noGrad(() => scope(() => fromArray(f, [height, width, 3]).permute([2, 0, 1]).contiguous()));
  return {
    tensor,
    info: { width, height, channels: meta.channels ?? 3, bitDepth: deep ? 16 : 8, format: meta.format ?? extname(file).slice(1) },
  };
}

/** How an image is written: 8 or 16 bits (PNG, TIFF), JPEG/WebP quality. */
export interface WriteOptions {
  /** 8 (default) or 16 (PNG and TIFF only). */
  bitDepth?: 8 | 16;
  /** JPEG/WebP quality 1–100 (default 95). */
  quality?: number;
}

/** Writes a [3, H, W] (or [1, 3, H, W]) tensor in [0, 1] (clamped); the format follows the extension. */
export async function writeImage(file: string, image: Tensor, o: WriteOptions = {}): Promise<void> {
  const ext = extname(file).toLowerCase();
  const deep = o.bitDepth === 16;
  if (deep && !['.png', '.tif', '.tiff'].includes(ext)) throw new Error(`${file}: 16-bit output needs .png or .tif`);
  const { hwc, h, w } = noGrad(() => scope(() => {
    const x = image.ndim === 4 ? image.select(0, 0) : image;
    if (x.ndim !== 3 || x.shape[0] !== 3) throw new Error(`${file}: expected a [3, H, W] image, got [${image.shape.join(', ')}]`);
    const q = x.float().clamp(0, 1).mul(deep ? 65535 : 255).round().permute([1, 2, 0]).contiguous();
    return { hwc: q.toFloat32Array(), h: x.shape[1]!, w: x.shape[2]! };
  }));
  const pixels = deep ? Uint16Array.from(hwc) : Uint8Array.from(hwc);
  let img = sharp(pixels, { raw: { width: w, height: h, channels: 3 } });
  if (deep) img = img.toColourspace('rgb16');
  const quality = o.quality ?? 95;
  switch (ext) {
    case '.png': img = img.png({ compressionLevel: 6 }); break;
    case '.jpg': case '.jpeg': img = img.jpeg({ quality, chromaSubsampling: '4:4:4' }); break;
    case '.webp': img = img.webp(quality >= 100 ? { lossless: true } : { quality }); break;
    case '.tif': case '.tiff': img = img.tiff({ compression: 'lzw' }); break;
    default: throw new Error(`${file}: unsupported image extension '${ext}' (png, jpg, webp, tif)`);
  }
  // Atomic: encoded to a temporary file beside the target, then renamed over it, so that a full disk or a
  // kill never leaves a truncated image under the target's name.
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.partial${ext}`);
  try {
    await img.toFile(tmp);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw new Error(`${file}: cannot write (${err.code ? `${err.code}: ` : ''}${err.message})`);
  }
}

/** A [3, H, W] image in [0, 1] as PNG bytes (for reports). */
export async function encodePng(image: Tensor): Promise<Buffer> {
  const { hwc, h, w } = noGrad(() => scope(() => {
    const x = image.ndim === 4 ? image.select(0, 0) : image;
    const q = x.float().clamp(0, 1).mul(255).round().permute([1, 2, 0]).contiguous();
    return { hwc: q.toFloat32Array(), h: x.shape[1]!, w: x.shape[2]! };
  }));
  return sharp(Uint8Array.from(hwc), { raw: { width: w, height: h, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}

/** Encodes like JPEG at `quality` and decodes again (camera simulation of JPEG artefacts). */
export async function jpegRoundTrip(image: Tensor, quality: number): Promise<Tensor> {
  const { hwc, h, w } = noGrad(() => scope(() => {
    const q = image.clamp(0, 1).mul(255).round().permute([1, 2, 0]).contiguous();
    return { hwc: q.toFloat32Array(), h: image.shape[1]!, w: image.shape[2]! };
  }));
  const jpg = await sharp(Buffer.from(Uint8Array.from(hwc)), { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
  const raw = await sharp(jpg).raw().toBuffer();
  const f = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) f[i] = raw[i]! / 255;
  return noGrad(() => scope(() => fromArray(f, [h, w, 3], { device: image.device }).permute([2, 0, 1]).contiguous()));
}

/** Image files directly in a folder, sorted by name. Throws naming the folder if it has none. */
export function listImages(dir: string, { allowEmpty = false } = {}): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new Error(`${dir}: cannot list folder (${(e as Error).message})`);
  }
  const files = names
    .filter((n) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(n).toLowerCase()))
    .map((n) => join(dir, n))
    .filter((f) => statSync(f).isFile())
    .sort();
  if (files.length === 0 && !allowEmpty) throw new Error(`${dir}: no images (${IMAGE_EXTENSIONS.join(', ')})`);
  return files;
}

export interface FolderRead {
  images: { file: string; tensor: Tensor; info: ImageInfo }[];
  /** Files that could not be read (only with skipBad). */
  skipped: { file: string; reason: string }[];
}

/** Reads every image of a folder; with skipBad, unreadable files are reported instead of thrown. */
export async function readFolder(dir: string, { skipBad = false } = {}): Promise<FolderRead> {
  const out: FolderRead = { images: [], skipped: [] };
  for (const file of listImages(dir)) {
    try {
      const { tensor, info } = await readImage(file);
      out.images.push({ file, tensor, info });
    } catch (e) {
      if (!skipBad || !(e instanceof ImageReadError)) throw e;
      out.skipped.push({ file, reason: e.message });
    }
  }
  return out;
}
