// Reader for PyTorch checkpoints written by torch.save (.pth / .pt / .ckpt).
//
// Two layouts exist:
//  1. zip (torch >= 1.6, the default): entries under one top folder (any name):
//       <top>/data.pkl      the pickled object; each tensor storage is a persistent id
//                           ('storage', storage_type, key, location, numel)
//       <top>/data/<key>    the raw bytes of storage <key>
//       <top>/byteorder     optional, 'little' or 'big' (byte order of the storage bytes)
//  2. legacy (_use_new_zipfile_serialization=False), a concatenation of:
//       pickle: magic number 0x1950a86a20f9469cfc6c; pickle: protocol version 1001;
//       pickle: sys_info dict; pickle: the object, with persistent ids
//         ('storage', storage_type, root_key, location, numel, view_metadata);
//       pickle: list of storage keys; then for each key in that order an int64
//       little-endian element count followed by the storage's little-endian bytes.
// A tensor is rebuilt by _rebuild_tensor_v2(storage, storage_offset, size, stride, ...):
// a strided view into a storage that other tensors may share. Each tensor is copied
// out into its own contiguous buffer.

import * as fs from 'node:fs';
import { openForReading } from './files.js';
import { unpickleAt, PyGlobal } from './pickle.js';
import { describe } from './pickle-globals.js';
import { isRawTensor, itemSize, numel, swapBytesInPlace, type RawDType, type RawTensor } from './raw-tensor.js';
import { readSafetensors } from './safetensors.js';
import { ZipArchive } from './zip.js';

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

/** One tensor storage: a flat run of elements (a legacy view points into a root storage). */
class Storage {
  bytes: Uint8Array | undefined;
  constructor(
    readonly key: string,
    readonly dtype: RawDType,
    readonly numel: number,
    readonly root?: Storage,
    readonly elementOffset = 0,
  ) {}
}

interface PendingTensor {
  tensor: RawTensor;
  storage: Storage;
  offset: number;
  stride: number[];
}

/** Collects storages and tensors during unpickling; tensors are filled in once all bytes are known. */
class Loader {
  readonly storages = new Map<string, Storage>();
  private readonly pending: PendingTensor[] = [];

  constructor(readonly file: string) {}

  rebuildTensor = (storage: unknown, offset: number, size: number[], stride: number[]): RawTensor => {
    if (!(storage instanceof Storage)) this.fail(`tensor refers to ${describe(storage)} instead of a storage`);
    const tensor: RawTensor = { dtype: storage.dtype, shape: size, data: new Uint8Array(0) };
    this.pending.push({ tensor, storage, offset, stride });
    return tensor;
  };

  /** Parses ('storage', storage_type, key, location, numel[, view_metadata]) into a Storage. */
  storageFromPid(pid: unknown): Storage {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
      this.fail(`unsupported persistent id ${describe(pid)}${Array.isArray(pid) ? ` '${String(pid[0])}'` : ''}`);
    }
    const [, type, key, , count] = pid as unknown[];
    if (!(type instanceof PyGlobal) || type.storageDType === undefined) this.fail(`unsupported storage type ${describe(type)}`);
    if (typeof key !== 'string' || typeof count !== 'number') this.fail('malformed storage record');
    const existing = this.storages.get(key);
    if (existing) return existing;
    const s = new Storage(key, type.storageDType, count);
    this.storages.set(key, s);
    return s;
  }

  finish(): void {
    const users = new Map<Storage, number>();
    for (const p of this.pending) users.set(p.storage.root ?? p.storage, (users.get(p.storage.root ?? p.storage) ?? 0) + 1);
    for (const p of this.pending) {
      p.tensor.data = users.get(p.storage) === 1 && this.coversWholeStorage(p) ? p.storage.bytes! : this.copyView(p);
    }
    this.pending.length = 0;
  }

  /** A storage used by exactly one tensor that spans all of it can be handed over without copying. */
  private coversWholeStorage({ tensor, storage, offset, stride }: PendingTensor): boolean {
    const b = storage.bytes;
    return (
      storage.root === undefined &&
      b !== undefined &&
      offset === 0 &&
      b.byteOffset === 0 &&
      b.byteLength === b.buffer.byteLength &&
      numel(tensor.shape) === storage.numel &&
      b.byteLength === storage.numel * itemSize(tensor.dtype) &&
      isContiguous(tensor.shape, stride)
    );
  }

  /** Copies the strided view into contiguous bytes. */
  private copyView({ tensor, storage, offset, stride }: PendingTensor): Uint8Array {
    const { bytes, base, count } = this.resolve(storage);
    const shape = tensor.shape;
    const size = itemSize(tensor.dtype);
    const n = numel(shape);
    if (shape.some((d) => !Number.isInteger(d) || d < 0) || stride.length !== shape.length || stride.some((x) => !Number.isInteger(x))) {
      this.fail(`tensor with malformed shape [${shape.join(', ')}] or strides [${stride.join(', ')}]`);
    }
    // A view may repeat elements (stride 0), but not expand a few bytes into gigabytes.
    if ((n - count) * size > MAX_VIEW_EXPANSION) {
      this.fail(
        `tensor of shape [${shape.join(', ')}] (strides [${stride.join(', ')}]) expands its storage of ${count} elements by more than 64 MiB`,
      );
    }
    const out = new Uint8Array(n * size);
    if (n === 0) return out;
    let last = offset;
    for (let d = 0; d < shape.length; d++) {
      if (stride[d]! < 0) this.fail('tensor with negative strides');
      last += (shape[d]! - 1) * stride[d]!;
    }
    if (offset < 0 || last >= count) {
      this.fail(`tensor of shape [${shape.join(', ')}] at offset ${offset} reaches past its storage of ${count} elements`);
    }
    const start = (base + offset) * size;
    if (isContiguous(shape, stride)) {
      out.set(bytes.subarray(start, start + n * size));
      return out;
    }
    copyStrided(bytes, start, shape, stride, size, out);
    return out;
  }

  private resolve(s: Storage): { bytes: Uint8Array; base: number; count: number } {
    const root = s.root ?? s;
    if (!root.bytes) this.fail(`storage '${root.key}' has no data in the file`);
    if (s.elementOffset + s.numel > root.numel) this.fail(`storage view '${s.key}' reaches past storage '${root.key}'`);
    return { bytes: root.bytes, base: s.elementOffset, count: s.numel };
  }

  fail(problem: string): never {
    throw new Error(`${this.file}: ${problem}`);
  }
}

/** Bytes a strided view may add beyond its storage (broadcast views saved by torch.save). */
const MAX_VIEW_EXPANSION = 64 * 2 ** 20;

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/** Walks every index of `shape` in row-major order, copying runs along the last dimension. */
function copyStrided(src: Uint8Array, start: number, shape: number[], stride: number[], size: number, out: Uint8Array): void {
  const nd = shape.length;
  const inner = shape[nd - 1]!;
  const innerStride = stride[nd - 1]! * size;
  const idx = new Array<number>(nd).fill(0);
  let o = 0;
  for (;;) {
    let p = start;
    for (let d = 0; d < nd - 1; d++) p += idx[d]! * stride[d]! * size;
    if (innerStride === size) {
      out.set(src.subarray(p, p + inner * size), o);
      o += inner * size;
    } else {
      for (let i = 0; i < inner; i++, p += innerStride, o += size) out.set(src.subarray(p, p + size), o);
    }
    let d = nd - 2;
    while (d >= 0 && ++idx[d]! === shape[d]) idx[d--] = 0;
    if (d < 0) return;
  }
}

// ---------------------------------------------------------------- entry points

/**
 * Reads a torch.save file into plain values (see pickle.ts for the mapping);
 * every tensor comes out as a RawTensor.
 */
export function readPth(file: string): unknown {
  const head = readHead(file, 8);
  if (head.length === 0) throw new Error(`${file}: file is empty`);
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) return readZipCheckpoint(file);
  if (head[0] === 0x80 && head[1] === 0x02 && head[2] === 0x8a) return readLegacyCheckpoint(file);
  throw new Error(`${file}: not a PyTorch checkpoint (neither the zip format nor the legacy torch.save format)`);
}

function readHead(file: string, n: number): Uint8Array {
  const fd = openForReading(file);
  try {
    const buf = new Uint8Array(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function readZipCheckpoint(file: string): unknown {
  const zip = ZipArchive.open(file);
  try {
    const pklName = zip.names().find((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (!pklName) throw new Error(`${file}: zip archive has no <folder>/data.pkl entry; not a torch.save checkpoint`);
    const prefix = pklName.slice(0, -'data.pkl'.length);
    const bigEndian = readByteOrder(zip, prefix, file);
    const loader: Loader = new Loader(file);
    const persistentLoad = (pid: unknown): Storage => {
      const s = loader.storageFromPid(pid);
      if (!s.bytes) s.bytes = readStorageEntry(zip, `${prefix}data/${s.key}`, s, bigEndian, loader);
      return s;
    };
    const value = unpickleAt(zip.read(pklName), 0, { fileName: file, persistentLoad, rebuildTensor: loader.rebuildTensor }).value;
    loader.finish();
    return value;
  } finally {
    zip.close();
  }
}

function readByteOrder(zip: ZipArchive, prefix: string, file: string): boolean {
  if (!zip.has(`${prefix}byteorder`)) return false;
  const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim();
  if (order !== 'little' && order !== 'big') throw new Error(`${file}: unknown byteorder '${order}'`);
  return order === 'big';
}

function readStorageEntry(zip: ZipArchive, name: string, s: Storage, bigEndian: boolean, loader: Loader): Uint8Array {
  if (!zip.has(name)) loader.fail(`storage '${s.key}' is missing (no entry ${name})`);
  const bytes = zip.read(name);
  const expected = s.numel * itemSize(s.dtype);
  if (bytes.length !== expected)
    loader.fail(`storage '${s.key}' has ${bytes.length} bytes, expected ${expected} (${s.numel} × ${s.dtype})`);
  if (bigEndian) swapBytesInPlace(bytes, itemSize(s.dtype));
  return bytes;
}

function readLegacyCheckpoint(file: string): unknown {
  const buf = fs.readFileSync(file);
  const data = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const loader: Loader = new Loader(file);
  const opts = { fileName: file };
  let pos = 0;
  const next = (persistentLoad?: (pid: unknown) => unknown): unknown => {
    const r = unpickleAt(data, pos, { ...opts, persistentLoad, rebuildTensor: loader.rebuildTensor });
    pos = r.end;
    return r.value;
  };
  if (next() !== LEGACY_MAGIC) loader.fail('not a PyTorch checkpoint (bad magic number)');
  const version = next();
  if (version !== LEGACY_PROTOCOL_VERSION) loader.fail(`unsupported legacy checkpoint protocol version ${String(version)}`);
  next(); // sys_info: host byte order and type sizes; storage bytes are always little-endian
  const value = next((pid) => legacyStorage(loader, pid));
  const keys = next();
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) loader.fail('storage key list is malformed');
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (const key of keys as string[]) {
    const s = loader.storages.get(key);
    if (!s) loader.fail(`storage '${key}' is listed but never used`);
    if (pos + 8 > data.length) loader.fail(`storage '${key}' is missing (file truncated)`);
    const count = Number(dv.getBigInt64(pos, true));
    if (count !== s.numel) loader.fail(`storage '${key}' has ${count} elements, expected ${s.numel}`);
    const len = count * itemSize(s.dtype);
    if (pos + 8 + len > data.length) loader.fail(`storage '${key}' is cut short (file truncated)`);
    s.bytes = data.slice(pos + 8, pos + 8 + len);
    pos += 8 + len;
  }
  loader.finish();
  return value;
}

/** Legacy persistent ids may carry view_metadata (view_key, offset, size) into a root storage. */
function legacyStorage(loader: Loader, pid: unknown): Storage {
  const root = loader.storageFromPid(pid);
  const view = (pid as unknown[])[5];
  if (view === null || view === undefined) return root;
  if (!Array.isArray(view) || view.length !== 3) loader.fail('malformed storage view record');
  const [viewKey, offset, size] = view as unknown[];
  if (typeof viewKey !== 'string' || typeof offset !== 'number' || typeof size !== 'number') loader.fail('malformed storage view record');
  const key = `view:${viewKey}`;
  const existing = loader.storages.get(key);
  if (existing) return existing;
  const s = new Storage(viewKey, root.dtype, size, root, offset);
  loader.storages.set(key, s);
  return s;
}

// ---------------------------------------------------------------- state dicts

/** Wrapper keys searched, in this order, when the top-level dict holds no tensors itself. */
export const STATE_DICT_KEYS: readonly string[] = ['params', 'params_ema', 'state_dict', 'model', 'net', 'generator', 'netG'];

/**
 * Finds the state dict in a loaded checkpoint:
 *  1. the top-level dict itself if it holds any tensors;
 *  2. else the first of STATE_DICT_KEYS whose value is a dict holding tensors;
 *  3. else the only other top-level dict holding tensors (several candidates → error).
 * Non-tensor entries of the chosen dict (e.g. an epoch counter) are skipped. When every
 * key starts with 'module.' (nn.DataParallel), that prefix is removed.
 */
export function stateDictFrom(obj: unknown, file: string): Map<string, RawTensor> {
  if (!(obj instanceof Map)) throw new Error(`${file}: expected a dict of tensors at the top level, found ${describe(obj)}`);
  let found = tensorsOf(obj);
  if (found.size === 0) found = fromWrapper(obj, file);
  const keys = [...found.keys()];
  if (keys.every((k) => k.startsWith('module.'))) {
    found = new Map(keys.map((k) => [k.slice('module.'.length), found.get(k)!]));
  }
  return found;
}

function fromWrapper(obj: Map<unknown, unknown>, file: string): Map<string, RawTensor> {
  for (const key of STATE_DICT_KEYS) {
    const t = tensorsOf(obj.get(key));
    if (t.size > 0) return t;
  }
  const others = [...obj.entries()].filter(([k, v]) => !STATE_DICT_KEYS.includes(String(k)) && tensorsOf(v).size > 0);
  if (others.length === 1) return tensorsOf(others[0]![1]);
  const topKeys = [...obj.keys()].map((k) => String(k)).join(', ') || '(none)';
  if (others.length > 1) {
    throw new Error(
      `${file}: several dicts of tensors found (${others.map(([k]) => String(k)).join(', ')}); cannot tell which is the model's state dict`,
    );
  }
  throw new Error(
    `${file}: no state dict found; top-level keys: ${topKeys} (expected a dict of tensors, or one under ${STATE_DICT_KEYS.join(', ')})`,
  );
}

function tensorsOf(x: unknown): Map<string, RawTensor> {
  const out = new Map<string, RawTensor>();
  if (x instanceof Map) for (const [k, v] of x) if (isRawTensor(v)) out.set(String(k), v);
  return out;
}

/** The state dict of a .pth/.pt/.ckpt checkpoint, or all tensors of a .safetensors file. */
export function readStateDict(file: string): Map<string, RawTensor> {
  if (file.toLowerCase().endsWith('.safetensors')) return readSafetensors(file).tensors;
  return stateDictFrom(readPth(file), file);
}
