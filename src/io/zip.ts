// A minimal ZIP reader: enough for PyTorch checkpoints and other plain archives.
//
// Format notes (all integers little-endian):
//   end of central directory (EOCD), at the very end:  sig 0x06054b50, ..., entry count (u16),
//     directory size (u32), directory offset (u32), comment length (u16), comment
//   ZIP64: when a field above is saturated (0xffff / 0xffffffff), a ZIP64 EOCD locator
//     (sig 0x07064b50, 20 bytes) sits right before the EOCD and points at the ZIP64 EOCD
//     record (sig 0x06064b50) that holds the same fields as u64.
//   central directory header (sig 0x02014b50, 46 bytes + name + extra + comment): method,
//     crc32, sizes and the offset of the entry's local header. Saturated sizes/offset are
//     found in the ZIP64 extra field (id 0x0001), in the order: size, compressed size, offset.
//   local header (sig 0x04034b50, 30 bytes + name + extra), then the entry's data. Its own
//     size fields may be zero (streamed writes), so sizes always come from the directory.
// Only methods 0 (stored) and 8 (deflated) are supported; encrypted entries are refused.
//
// The file is read through a descriptor, entry by entry, so archives larger than one
// Buffer can hold are fine as long as each entry fits in memory.

import * as fs from 'node:fs';
import { openForReading } from './files.js';
import * as zlib from 'node:zlib';

/** Deflate's largest expansion: a 258-byte match per 2-bit code is about 1032:1. */
const MAX_DEFLATE_RATIO = 1032;
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

export class ZipArchive {
  private fd: number | undefined;
  readonly size: number;
  readonly entries: Map<string, ZipEntry>;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
    this.size = fs.fstatSync(fd).size;
    this.entries = new Map();
    for (const e of this.readDirectory()) this.entries.set(e.name, e);
  }

  /** Opens an archive and reads its central directory; throws naming the file if it is not a valid ZIP. */
  static open(file: string): ZipArchive {
    const fd = openForReading(file);
    try {
      return new ZipArchive(file, fd);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The uncompressed bytes of one entry (a fresh buffer), CRC-checked. */
  read(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.path}: archive has no entry '${name}'`);
    const local = this.readAt(e.localHeaderOffset, 30);
    const dv = dataView(local);
    if (dv.getUint32(0, true) !== SIG_LOCAL) this.fail(`local header of '${name}' is missing or corrupt`);
    const dataStart = e.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
    if (dataStart + e.compressedSize > this.size) this.fail(`entry '${name}' runs past the end of the file (truncated?)`);
    // What an entry may claim is checked before anything is allocated: deflate expands at most about
    // 1032:1, so a larger declared size is a lie, and inflation stops at the declared size.
    if (e.method === 0 && e.size !== e.compressedSize)
      this.fail(`stored entry '${name}' declares ${e.size} bytes but holds ${e.compressedSize}`);
    if (e.method !== 0 && e.size > e.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      this.fail(`entry '${name}' declares ${e.size} bytes from ${e.compressedSize} compressed: more than deflate can produce`);
    }
    const raw = this.readAt(dataStart, e.compressedSize);
    let out: Uint8Array;
    if (e.method === 0) {
      out = raw;
    } else {
      try {
        const inflated = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
        out = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
      } catch (err) {
        const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        this.fail(
          tooLarge
            ? `entry '${name}' inflates past its declared ${e.size} bytes`
            : `entry '${name}' cannot be decompressed (${(err as Error).message})`,
        );
      }
    }
    if (out.byteLength !== e.size) this.fail(`entry '${name}' has ${out.byteLength} bytes, directory says ${e.size}`);
    if (crc32(out) !== e.crc32) this.fail(`entry '${name}' fails its CRC check (corrupt file)`);
    return out;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  // ---- directory parsing ----

  private readDirectory(): ZipEntry[] {
    const eocdPos = this.findEocd();
    const eocd = dataView(this.readAt(eocdPos, 22));
    let count = eocd.getUint16(10, true);
    let dirSize = eocd.getUint32(12, true);
    let dirOffset = eocd.getUint32(16, true);
    if (count === U16_MAX || dirSize === U32_MAX || dirOffset === U32_MAX) {
      ({ count, dirSize, dirOffset } = this.readZip64Eocd(eocdPos));
    }
    if (dirOffset + dirSize > eocdPos) this.fail('central directory lies outside the file (truncated or corrupt)');
    const dir = this.readAt(dirOffset, dirSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      const { entry, next } = this.parseCentralHeader(dir, p);
      entries.push(entry);
      p = next;
    }
    return entries;
  }

  /** Scans backwards for the EOCD signature whose comment length ends exactly at end of file. */
  private findEocd(): number {
    if (this.size < 22) this.fail(`too short to be a ZIP archive (${this.size} bytes)`);
    const tailLen = Math.min(this.size, 22 + U16_MAX);
    const tailStart = this.size - tailLen;
    const tail = this.readAt(tailStart, tailLen);
    const dv = dataView(tail);
    for (let i = tailLen - 22; i >= 0; i--) {
      if (dv.getUint32(i, true) === SIG_EOCD && i + 22 + dv.getUint16(i + 20, true) === tailLen) return tailStart + i;
    }
    return this.fail('no end-of-central-directory record (not a ZIP archive, or truncated)');
  }

  private readZip64Eocd(eocdPos: number): { count: number; dirSize: number; dirOffset: number } {
    if (eocdPos < 20) this.fail('ZIP64 end-of-central-directory locator missing');
    const loc = dataView(this.readAt(eocdPos - 20, 20));
    if (loc.getUint32(0, true) !== SIG_ZIP64_LOCATOR) this.fail('ZIP64 end-of-central-directory locator missing');
    const recPos = this.u64(loc, 8, 'ZIP64 record offset');
    if (recPos + 56 > eocdPos) this.fail('ZIP64 end-of-central-directory record lies outside the file');
    const rec = dataView(this.readAt(recPos, 56));
    if (rec.getUint32(0, true) !== SIG_ZIP64_EOCD) this.fail('ZIP64 end-of-central-directory record is corrupt');
    return {
      count: this.u64(rec, 32, 'entry count'),
      dirSize: this.u64(rec, 40, 'central directory size'),
      dirOffset: this.u64(rec, 48, 'central directory offset'),
    };
  }

  private parseCentralHeader(dir: Uint8Array, p: number): { entry: ZipEntry; next: number } {
    const dv = dataView(dir);
    if (p + 46 > dir.length || dv.getUint32(p, true) !== SIG_CENTRAL) this.fail('central directory is corrupt');
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > dir.length) this.fail('central directory is corrupt');
    const nameBytes = dir.subarray(p + 46, p + 46 + nameLen);
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(nameBytes);
    if (flags & 0x1) this.fail(`entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8)
      this.fail(`entry '${name}' uses compression method ${method} (only stored and deflated are supported)`);
    const entry: ZipEntry = {
      name,
      method,
      crc32: dv.getUint32(p + 16, true),
      compressedSize: dv.getUint32(p + 20, true),
      size: dv.getUint32(p + 24, true),
      localHeaderOffset: dv.getUint32(p + 42, true),
    };
    this.applyZip64Extra(entry, dir.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
    return { entry, next };
  }

  /** Replaces saturated 32-bit fields with the 64-bit values from the ZIP64 extra field. */
  private applyZip64Extra(entry: ZipEntry, extra: Uint8Array): void {
    const needs = entry.size === U32_MAX || entry.compressedSize === U32_MAX || entry.localHeaderOffset === U32_MAX;
    if (!needs) return;
    const dv = dataView(extra);
    for (let q = 0; q + 4 <= extra.length;) {
      const id = dv.getUint16(q, true);
      const len = dv.getUint16(q + 2, true);
      if (id === 0x0001) {
        let r = q + 4;
        const take = (what: string): number => {
          if (r + 8 > q + 4 + len) this.fail(`ZIP64 extra field of '${entry.name}' is too short`);
          const v = this.u64(dv, r, what);
          r += 8;
          return v;
        };
        if (entry.size === U32_MAX) entry.size = take('size');
        if (entry.compressedSize === U32_MAX) entry.compressedSize = take('compressed size');
        if (entry.localHeaderOffset === U32_MAX) entry.localHeaderOffset = take('offset');
        return;
      }
      q += 4 + len;
    }
    this.fail(`entry '${entry.name}' needs a ZIP64 extra field but has none`);
  }

  // ---- low-level helpers ----

  private u64(dv: DataView, at: number, what: string): number {
    const v = dv.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`ZIP64 ${what} ${v} is too large`);
    return Number(v);
  }

  private readAt(position: number, length: number): Uint8Array {
    if (this.fd === undefined) this.fail('archive is closed');
    if (position + length > this.size) this.fail(`unexpected end of file at byte ${this.size} (truncated?)`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const got = fs.readSync(this.fd, out, done, length - done, position + done);
      if (got === 0) this.fail(`unexpected end of file at byte ${position + done} (truncated?)`);
      done += got;
    }
    return out;
  }

  private fail(problem: string): never {
    throw new Error(`${this.path}: ${problem}`);
  }
}

/** Opens a ZIP archive; call close() when done. */
export function openZip(file: string): ZipArchive {
  return ZipArchive.open(file);
}

/** Reads every entry of a small archive into memory. */
export function readZipEntries(file: string): Map<string, Uint8Array> {
  const zip = ZipArchive.open(file);
  try {
    return new Map(zip.names().map((n) => [n, zip.read(n)]));
  } finally {
    zip.close();
  }
}

function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

// ---- CRC-32 (IEEE, reflected polynomial 0xedb88320) ----

let crcTable: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  if (native) return native(data) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
