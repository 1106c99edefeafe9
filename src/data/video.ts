// Video files ↔ frame tensors through the ffmpeg/ffprobe command-line tools (Debian's ffmpeg).
// Frames are [3, H, W] float32 in [0, 1], sRGB-encoded as decoded (no linearisation here).
// Decoding streams raw rgb24 through a pipe; encoding pipes raw rgb24 into libx264 (yuv420p, BT.709,
// limited range, tagged as such so that decoding the result converts back with the same matrix).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fromArray, noGrad, scope, type Tensor } from '../tensor/index.js';

/** The ffmpeg and ffprobe executables (override with B2B_FFMPEG / B2B_FFPROBE). */
export const FFMPEG = process.env['B2B_FFMPEG'] ?? 'ffmpeg';
export const FFPROBE = process.env['B2B_FFPROBE'] ?? 'ffprobe';

export interface VideoInfo {
  /** Size of the decoded frames (display rotation applied, as ffmpeg applies it when decoding). */
  width: number;
  height: number;
  /** Frames per second, from r_frame_rate (e.g. 30000/1001 → 29.97…); avg_frame_rate if r is unset. */
  fps: number;
  /** The frame rate as ffprobe states it ("30000/1001"). */
  fpsRational: string;
  /** nb_frames when the container states it, else round(duration × fps). */
  frames: number;
  /** Whether `frames` came from the container (true) or was computed from the duration (false). */
  framesExact: boolean;
  /** Seconds (the video stream's, else the container's). */
  duration: number;
  /** Display rotation in degrees (0, 90, 180, 270). */
  rotation: number;
  codec: string;
  pixFmt: string;
  hasAudio: boolean;
  audioCodec?: string;
  /** Index of the video stream used (cover-art streams are skipped). */
  streamIndex: number;
}

interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

interface ProbeResult {
  streams?: ProbeStream[];
  format?: { duration?: string; format_name?: string };
}

/** Runs a tool to completion; resolves with its stdout, rejects naming `file` with the stderr tail. */
function run(tool: string, args: string[], file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err = new StderrTail();
    proc.stdout.on('data', (b: Buffer) => out.push(b));
    proc.stderr.on('data', (b: Buffer) => err.push(b));
    proc.on('error', (e) => reject(new Error(`${file}: cannot run ${tool} (${e.message})`)));
    proc.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(Object.assign(new Error(err.text() || `exit ${code ?? signal}`), { code }));
    });
  });
}

/** Keeps the last few kilobytes of a process's stderr. */
class StderrTail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit = 4096) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8').trim();
    return s.length > this.limit ? '…' + s.slice(s.length - this.limit) : s;
  }
}

function parseRate(r: string | undefined): number {
  if (!r) return 0;
  const [n, d] = r.split('/').map(Number);
  if (d === undefined) return Number.isFinite(n) ? n! : 0;
  return d! > 0 && Number.isFinite(n) ? n! / d! : 0;
}

async function probeRaw(file: string): Promise<ProbeResult> {
  let text: string;
  try {
    text = await run(FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file], file);
  } catch (e) {
    const msg = (e as Error).message;
    if (msg.startsWith(`${file}: cannot run`)) throw e;
    let last = msg.split('\n').pop()!.trim();
    if (last.startsWith(`${file}: `)) last = last.slice(file.length + 2);
    throw new Error(`${file}: not a video (ffprobe: ${last})`);
  }
  try {
    return JSON.parse(text) as ProbeResult;
  } catch {
    throw new Error(`${file}: not a video (ffprobe printed no JSON)`);
  }
}

/** Describes a video file with ffprobe. Throws `FILE: not a video (...)` when it has no video stream. */
export async function probeVideo(file: string): Promise<VideoInfo> {
  const p = await probeRaw(file);
  const streams = p.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (p.format?.format_name === 'tty') throw new Error(`${file}: not a video (ffprobe: text, read as ANSI art)`);
  if (!v || !v.width || !v.height) throw new Error(`${file}: not a video (no video stream)`);
  const audio = streams.find((s) => s.codec_type === 'audio');
  let fpsRational = v.r_frame_rate ?? '0/0';
  let fps = parseRate(fpsRational);
  if (!(fps > 0) || fps > 1000) {
    fpsRational = v.avg_frame_rate ?? '0/0';
    fps = parseRate(fpsRational);
  }
  if (!(fps > 0)) throw new Error(`${file}: video stream states no frame rate`);
  const duration = Number(v.duration ?? p.format?.duration ?? NaN);
  const nb = Number(v.nb_frames ?? v.tags?.['NUMBER_OF_FRAMES'] ?? NaN);
  const framesExact = Number.isInteger(nb) && nb > 0;
  const frames = framesExact ? nb : Number.isFinite(duration) ? Math.round(duration * fps) : 0;
  const rot = Number(v.side_data_list?.find((s) => s.rotation !== undefined)?.rotation ?? v.tags?.['rotate'] ?? 0);
  const rotation = (((Math.round(rot) % 360) + 360) % 360);
  const swap = rotation === 90 || rotation === 270;
  const info: VideoInfo = {
    width: swap ? v.height : v.width,
    height: swap ? v.width : v.height,
    fps,
    fpsRational,
    frames,
    framesExact,
    duration: Number.isFinite(duration) ? duration : frames / fps,
    rotation,
    codec: v.codec_name ?? 'unknown',
    pixFmt: v.pix_fmt ?? 'unknown',
    hasAudio: audio !== undefined,
    streamIndex: v.index,
  };
  if (audio?.codec_name) info.audioCodec = audio.codec_name;
  return info;
}

export interface ReadFramesOptions {
  /** Index of the first frame to yield (default 0). */
  start?: number;
  /** Most frames to yield (default: to the end). */
  count?: number;
  /** Yield every step-th frame from `start` (default 1). */
  step?: number;
}

function checkInt(file: string, name: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new Error(`${file}: ${name} must be an integer ≥ ${min}, got ${v}`);
}

/**
 * Decodes frames one at a time from a single ffmpeg process (raw rgb24 over a pipe, no temporary files).
 * Frame selection is by decoded-frame index (exact, also for variable frame rates). Each yielded tensor
 * belongs to the caller, who disposes it. Stopping early (break / return()) kills ffmpeg. A failing
 * ffmpeg becomes an Error naming the file, with ffmpeg's stderr tail.
 */
export async function* readFrames(file: string, opts: ReadFramesOptions = {}): AsyncGenerator<Tensor, void, undefined> {
  const start = opts.start ?? 0, step = opts.step ?? 1, count = opts.count;
  checkInt(file, 'start', start, 0);
  checkInt(file, 'step', step, 1);
  checkInt(file, 'count', count, 0);
  if (count === 0) return;
  const info = await probeVideo(file);
  const { width: w, height: h } = info;
  const frameBytes = w * h * 3;

  const args = ['-v', 'error', '-nostdin', '-i', file, '-map', `0:${info.streamIndex}`];
  if (start > 0 || step > 1) {
    const sel = step > 1 ? `gte(n\\,${start})*not(mod(n-${start}\\,${step}))` : `gte(n\\,${start})`;
    args.push('-vf', `select=${sel}`);
  }
  args.push('-fps_mode', 'passthrough');
  if (count !== undefined) args.push('-frames:v', String(count));
  args.push('-an', '-sn', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');

  const proc = spawn(FFMPEG, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const err = new StderrTail();
  proc.stderr!.on('data', (b: Buffer) => err.push(b));
  let spawnError: Error | undefined;
  const closed = new Promise<number | null>((resolve) => {
    proc.on('error', (e) => { spawnError = e; resolve(null); });
    proc.on('close', (code) => resolve(code));
  });

  let done = false;
  try {
    let yielded = 0;
    const frame = Buffer.allocUnsafe(frameBytes);
    let filled = 0;
    // Async iteration pauses the pipe while the consumer is busy: ffmpeg blocks once the pipe is full.
    for await (const chunk of proc.stdout! as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        chunk.copy(frame, filled, off, off + n);
        filled += n;
        off += n;
        if (filled === frameBytes) {
          yield toTensor(frame, h, w);
          filled = 0;
          if (++yielded === count) return;
        }
      }
    }
    const code = await closed;
    done = true;
    if (spawnError) throw new Error(`${file}: cannot run ${FFMPEG} (${spawnError.message})`);
    if (code !== 0) throw new Error(`${file}: ffmpeg failed decoding (exit ${code}): ${err.text()}`);
    if (filled !== 0) throw new Error(`${file}: ffmpeg output ended inside a frame (${filled} of ${frameBytes} bytes; expected ${w}×${h})`);
    // A damaged or truncated file can decode to fewer frames than its index lists, with exit 0.
    if (info.framesExact) {
      const listed = Math.max(0, Math.ceil((info.frames - start) / step));
      const expected = count === undefined ? listed : Math.min(count, listed);
      if (yielded < expected) {
        const detail = err.text();
        throw new Error(`${file}: decoded ${yielded} of the ${expected} frames its index lists: the file is truncated or damaged${detail ? ` (${detail})` : ''}`);
      }
    }
  } finally {
    if (!done) await stop(proc, closed);
  }
}

/** Kills a child (if still running) and waits for it to close. */
async function stop(proc: ChildProcess, closed: Promise<unknown>): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  proc.stdout?.destroy();
  proc.stdin?.destroy();
  await closed;
}

function toTensor(rgb: Buffer, h: number, w: number): Tensor {
  const bytes = new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength);
  return noGrad(() => scope(() => fromArray(bytes, [h, w, 3]).permute([2, 0, 1]).float().div(255).contiguous()));
}

export interface WriteVideoOptions {
  /** Frames per second (29.97… is written as 30000/1001, 23.976… as 24000/1001). */
  fps: number;
  /** A file whose first audio track is put into the output (copied when the container allows, else AAC). */
  audioFrom?: string;
  /** libx264 constant rate factor, 0 (lossless) – 51 (default 18, visually lossless). */
  crf?: number;
  /** libx264 preset (default 'medium'). */
  preset?: string;
}

/** A frame rate as the rational ffmpeg should see (exact for integer and NTSC rates). */
export function fpsToRational(fps: number): string {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new Error(`frame rate must be a positive number, got ${fps}`);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  for (const den of [1, 1001, 1000, 100]) {
    const num = Math.round(fps * den);
    const g = gcd(num, den);
    if (num > 0 && Math.abs(num / den - fps) <= 1e-9 * fps + 1e-12) return `${num / g}/${den / g}`;
  }
  for (const den of [1, 1001]) {
    const num = Math.round(fps * den);
    if (num > 0 && Math.abs(num / den - fps) < 1e-4) return `${num}/${den}`;
  }
  return String(fps);
}

const COPYABLE_AUDIO: Record<string, readonly string[]> = {
  '.mp4': ['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus'],
  '.m4v': ['aac', 'mp3', 'ac3', 'eac3', 'alac'],
  '.mov': ['aac', 'mp3', 'ac3', 'eac3', 'alac', 'pcm_s16le', 'pcm_s24le'],
  '.mkv': ['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus', 'vorbis', 'flac', 'pcm_s16le', 'pcm_s24le'],
};

/**
 * Encodes frames ([3, H, W] or [1, 3, H, W] in [0, 1], all the same size) as H.264 (libx264, yuv420p)
 * at the given frame rate. Odd sizes are padded by one pixel (edge replicated) to even ones. With
 * `audioFrom`, that file's first audio track is added (output cut to the shorter stream). The output
 * appears only when complete (written under a temporary name, then renamed). The frames are not
 * disposed: they stay the caller's.
 */
export async function writeVideo(
  file: string,
  frames: AsyncIterable<Tensor> | Iterable<Tensor>,
  opts: WriteVideoOptions,
): Promise<{ frames: number }> {
  const rate = fpsToRational(opts.fps);
  const crf = opts.crf ?? 18;
  if (!(crf >= 0 && crf <= 51)) throw new Error(`${file}: crf must be in 0–51, got ${crf}`);
  const ext = extname(file).toLowerCase();
  let audioCodec: string | undefined;
  if (opts.audioFrom !== undefined) {
    const p = await probeRaw(opts.audioFrom);
    audioCodec = p.streams?.find((s) => s.codec_type === 'audio')?.codec_name;
  }
  const tmp = join(dirname(file), `.${basename(file, extname(file))}.${process.pid}.partial${ext}`);

  let proc: ChildProcess | undefined;
  let closed: Promise<number | null> | undefined;
  let spawnError: Error | undefined;
  const err = new StderrTail();
  let size: [number, number] | undefined;
  let n = 0;
  const failed = (what: string): Error =>
    new Error(`${file}: ffmpeg failed encoding${what}: ${spawnError ? `cannot run ${FFMPEG} (${spawnError.message})` : err.text()}`);

  const start = (h: number, w: number): void => {
    const args = ['-v', 'error', '-nostdin', '-y',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w + (w % 2)}x${h + (h % 2)}`, '-framerate', rate, '-i', 'pipe:0'];
    if (opts.audioFrom !== undefined) args.push('-i', opts.audioFrom);
    args.push('-map', '0:v:0');
    if (opts.audioFrom !== undefined) {
      const copy = audioCodec !== undefined && (COPYABLE_AUDIO[ext] ?? []).includes(audioCodec);
      args.push('-map', '1:a:0?', '-c:a', copy ? 'copy' : 'aac', ...(copy ? [] : ['-b:a', '192k']), '-shortest');
    }
    args.push('-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
      '-c:v', 'libx264', '-preset', opts.preset ?? 'medium', '-crf', String(crf), '-pix_fmt', 'yuv420p',
      '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
      '-r', rate);
    if (['.mp4', '.m4v', '.mov'].includes(ext)) args.push('-movflags', '+faststart');
    args.push(tmp);
    const p = spawn(FFMPEG, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    p.stderr!.on('data', (b: Buffer) => err.push(b));
    p.stdin!.on('error', () => { /* EPIPE when ffmpeg exits early: reported through the exit code */ });
    closed = new Promise((resolve) => {
      p.on('error', (e) => { spawnError = e; resolve(null); });
      p.on('close', (code) => resolve(code));
    });
    proc = p;
  };

  let ok = false;
  try {
    for await (const t of frames as AsyncIterable<Tensor>) {
      const shape = t.ndim === 4 && t.shape[0] === 1 ? t.shape.slice(1) : t.shape;
      if (shape.length !== 3 || shape[0] !== 3) throw new Error(`${file}: frame ${n} is [${t.shape.join(', ')}], expected [3, H, W]`);
      const [h, w] = [shape[1]!, shape[2]!];
      if (size === undefined) {
        size = [h, w];
        start(h, w);
      } else if (size[0] !== h || size[1] !== w) {
        throw new Error(`${file}: frame ${n} is ${w}×${h}, the first was ${size[1]}×${size[0]}`);
      }
      const buf = toRgbBytes(t, h, w);
      if (!proc!.stdin!.write(buf)) {
        const drained = once(proc!.stdin!, 'drain').then(() => true, () => false);
        if (!(await Promise.race([drained, closed!.then(() => false)]))) throw failed(` at frame ${n}`);
      }
      n++;
    }
    if (size === undefined) throw new Error(`${file}: no frames to write`);
    proc!.stdin!.end();
    const code = await closed!;
    if (code !== 0) throw failed(` (exit ${code})`);
    await rename(tmp, file);
    ok = true;
    return { frames: n };
  } finally {
    if (!ok) {
      if (proc && closed) await stop(proc, closed);
      await rm(tmp, { force: true });
    }
  }
}

/** A frame as packed rgb24 bytes, padded to even width and height by replicating the last column/row. */
function toRgbBytes(t: Tensor, h: number, w: number): Buffer {
  const data = noGrad(() => scope(() => {
    const x = t.ndim === 4 ? t.select(0, 0) : t;
    return x.float().clamp(0, 1).mul(255).round().permute([1, 2, 0]).to('uint8').contiguous().toArray() as Uint8Array;
  }));
  const W = w + (w % 2), H = h + (h % 2);
  if (W === w && H === h) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = Buffer.allocUnsafe(W * H * 3);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(y, h - 1);
    const src = data.subarray(sy * w * 3, (sy + 1) * w * 3);
    out.set(src, y * W * 3);
    if (W !== w) out.copyWithin(y * W * 3 + w * 3, y * W * 3 + (w - 1) * 3, y * W * 3 + w * 3);
  }
  return out;
}
