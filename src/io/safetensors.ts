// Reader and writer for the safetensors format.
//
// Layout of a file:
//   8 bytes   N, the header length, unsigned 64-bit little-endian
//   N bytes   UTF-8 JSON object, starting with '{' and padded with trailing spaces:
//               { "__metadata__": { "k": "v", ... },            (optional, string values only)
//                 "<name>": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ... }
//   rest      the byte buffer; data_offsets are relative to its start. Every byte of the
//             buffer belongs to exactly one tensor (no holes, no overlaps).
// Element bytes are little-endian, row-major.

import * as fs from 'node:fs';
import { openForReading } from './files.js';
import * as path from 'node:path';
import { checkRawTensor, itemSize, numel, type RawDType, type RawTensor } from './raw-tensor.js';

const CODE_OF: Record<RawDType, string> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};
const DTYPE_OF: Record<string, RawDType> = Object.fromEntries(Object.entries(CODE_OF).map(([d, c]) => [c, d as RawDType]));

/** Headers above this size are refused (same limit as the reference implementation). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsContent {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  name: string;
  dtype: RawDType;
  shape: number[];
  begin: number;
  end: number;
}

// ---------------------------------------------------------------- reading

/** Reads a .safetensors file: its tensors as raw bytes and its metadata; a damaged file is an error naming it. */
export function readSafetensors(file: string): SafetensorsContent {
  const fd = openForReading(file);
  try {
    return readOpen(fd, file, true);
  } finally {
    fs.closeSync(fd);
  }
}

/** The metadata alone: reads and checks the header, not the tensor data. */
export function readSafetensorsMetadata(file: string): Record<string, string> {
  const fd = openForReading(file);
  try {
    return readOpen(fd, file, false).metadata;
  } finally {
    fs.closeSync(fd);
  }
}

function readOpen(fd: number, file: string, withData: boolean): SafetensorsContent {
  const fileSize = fs.fstatSync(fd).size;
  if (fileSize < 8) throw new Error(`${file}: too short to be a safetensors file (${fileSize} bytes)`);
  const n = new DataView(readAt(fd, 0, 8, file).buffer).getBigUint64(0, true);
  if (n > BigInt(fileSize - 8)) {
    throw new Error(`${file}: header length ${n} exceeds the file size (${fileSize} bytes); the file is truncated or not safetensors`);
  }
  if (n > BigInt(MAX_HEADER_BYTES)) throw new Error(`${file}: header length ${n} is larger than the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLen = Number(n);
  const { entries, metadata } = parseHeader(readAt(fd, 8, headerLen, file), file);
  const dataStart = 8 + headerLen;
  checkLayout(entries, fileSize - dataStart, file);
  const tensors = new Map<string, RawTensor>();
  if (!withData) return { tensors, metadata };
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: readAt(fd, dataStart + e.begin, e.end - e.begin, file) });
  }
  return { tensors, metadata };
}

/** Reads exactly `length` bytes at `position` into a fresh buffer. */
function readAt(fd: number, position: number, length: number, file: string): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const got = fs.readSync(fd, out, done, length - done, position + done);
    if (got === 0) throw new Error(`${file}: unexpected end of file at byte ${position + done}`);
    done += got;
  }
  return out;
}

function parseHeader(bytes: Uint8Array, file: string): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  if (bytes.length === 0 || bytes[0] !== 0x7b /* '{' */) {
    throw new Error(`${file}: header does not start with '{'; not a safetensors file or the header is corrupt`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new Error(`${file}: header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(json)) throw new Error(`${file}: header must be a JSON object`);
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isPlainObject(value)) throw new Error(`${file}: __metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new Error(`${file}: __metadata__ value for '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(name, value, file));
  }
  return { entries, metadata };
}

function parseEntry(name: string, value: unknown, file: string): HeaderEntry {
  const where = `${file}: tensor '${name}'`;
  if (!isPlainObject(value)) throw new Error(`${where}: header entry must be an object`);
  const code = value['dtype'];
  if (typeof code !== 'string') throw new Error(`${where}: missing dtype`);
  const dtype = DTYPE_OF[code];
  if (dtype === undefined) {
    throw new Error(`${where}: unsupported dtype '${code}' (supported: ${Object.keys(DTYPE_OF).join(', ')})`);
  }
  const shape = value['shape'];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where}: shape must be a list of non-negative integers`);
  }
  const offsets = value['data_offsets'];
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new Error(`${where}: data_offsets must be two non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new Error(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  const expected = numel(shape as number[]) * itemSize(dtype);
  if (end - begin !== expected) {
    throw new Error(
      `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${code} [${shape.join(', ')}] needs ${expected}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** Offsets must lie inside the buffer and tile it exactly. */
function checkLayout(entries: HeaderEntry[], dataLen: number, file: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.end > dataLen) {
      throw new Error(
        `${file}: tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] run past the end of the data (${dataLen} bytes); the file is truncated or corrupt`,
      );
    }
    if (e.begin < pos) throw new Error(`${file}: tensor '${e.name}' overlaps another tensor's bytes`);
    if (e.begin > pos) throw new Error(`${file}: bytes ${pos}..${e.begin} of the data belong to no tensor`);
    pos = e.end;
  }
  if (pos !== dataLen) throw new Error(`${file}: ${dataLen - pos} trailing bytes after the last tensor`);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

// ---------------------------------------------------------------- writing

/** Bytes of a safetensors header (length prefix included), padded so the data starts 8-aligned. */
export function encodeSafetensorsHeader(
  entries: readonly { name: string; tensor: RawTensor }[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const { name, tensor } of entries) {
    const len = tensor.data.byteLength;
    header[name] = { dtype: CODE_OF[tensor.dtype], shape: tensor.shape, data_offsets: [offset, offset + len] };
    offset += len;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf-8');
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/** Writes raw tensors and metadata as .safetensors, atomically. */
export function writeSafetensors(
  file: string,
  tensors: Map<string, RawTensor> | Record<string, RawTensor>,
  metadata?: Record<string, string>,
): void {
  const map = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  const names = [...map.keys()].sort();
  for (const name of names) {
    if (name === '' || name === '__metadata__') throw new Error(`${file}: '${name}' cannot be used as a tensor name`);
    checkRawTensor(map.get(name)!, `${file}: tensor '${name}'`);
  }
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string') throw new Error(`${file}: metadata value for '${k}' must be a string`);
  }
  const entries = names.map((name) => ({ name, tensor: map.get(name)! }));
  const parts = [encodeSafetensorsHeader(entries, metadata), ...entries.map((e) => e.tensor.data)];
  writeFileAtomic(file, parts);
}

export interface AtomicWriteHooks {
  /** Called with the finished temp file just before it replaces the target (tests use this to simulate a crash). */
  beforeRename?: (tempPath: string) => void;
}

/**
 * Writes `parts` to a temp file next to `file`, flushes it, then renames it over
 * `file`. If anything fails the temp file is removed and `file` is untouched.
 */
export function writeFileAtomic(file: string, parts: readonly Uint8Array[], hooks: AtomicWriteHooks = {}): void {
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx');
    for (const part of parts) writeAll(fd, part);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    hooks.beforeRename?.(temp);
    fs.renameSync(temp, file);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw new Error(`${file}: write failed, previous file left unchanged (${(err as Error).message})`);
  }
  syncDirectory(dir);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** Makes the rename durable where the platform allows it; best effort. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported everywhere (e.g. Windows); the data itself is already flushed
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
