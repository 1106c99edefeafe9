// The allowlist of Python globals the unpickler will resolve.
//
// A pickle refers to functions and classes by "module.name" and calls them to
// rebuild objects. Nothing here runs Python: each allowed global maps to a
// small TypeScript stand-in that builds the equivalent plain value. Anything
// not listed is refused before any object is built.

import { float16BitsToNumber, isRawDType, type RawDType } from './raw-tensor.js';

/** Hooks that give tensor-rebuilding globals their meaning (supplied by the .pth reader). */
export interface GlobalContext {
  fileName: string;
  /** Called for torch._utils._rebuild_tensor(_v2)(storage, storage_offset, size, stride, ...). */
  rebuildTensor?: (storage: unknown, storageOffset: number, size: number[], stride: number[]) => unknown;
}

/** A resolved global: callable when `impl` is set, otherwise usable only as a marker (e.g. a storage type). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly impl?: (args: readonly unknown[], ctx: GlobalContext) => unknown,
    /** For torch storage classes: the element type they hold. */
    readonly storageDType?: RawDType,
  ) {}

  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Objects that accept pickle's BUILD (setstate) opcode. */
export interface Buildable {
  setState(state: unknown, ctx: GlobalContext): void;
}

export function isBuildable(x: unknown): x is Buildable {
  return typeof x === 'object' && x !== null && typeof (x as Partial<Buildable>).setState === 'function';
}

// Python 2 names that protocol-2 pickles use for Python 3 modules.
const MODULE_ALIASES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

const STORAGE_TYPES: Record<string, RawDType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

// torch dtype objects pickle as globals such as torch.float32; they become their name.
const TORCH_DTYPE_ALIASES: Record<string, string> = {
  float: 'float32',
  double: 'float64',
  half: 'float16',
  long: 'int64',
  int: 'int32',
  short: 'int16',
};
const OTHER_TORCH_DTYPES = new Set([
  'complex32',
  'complex64',
  'complex128',
  'cfloat',
  'cdouble',
  'uint16',
  'uint32',
  'uint64',
  'qint8',
  'quint8',
  'qint32',
  'quint4x2',
  'float8_e4m3fn',
  'float8_e5m2',
]);

type Impl = (args: readonly unknown[], ctx: GlobalContext) => unknown;

const CALLABLES: Record<string, Impl> = {
  'collections.OrderedDict': (args) => new Map(args.length > 0 ? pairsOf(args[0]) : []),
  'builtins.set': (args) => new Set(args.length > 0 ? iterableOf(args[0]) : []),
  'builtins.frozenset': (args) => new Set(args.length > 0 ? iterableOf(args[0]) : []),
  'builtins.bytes': (args) => bytesFrom(args),
  'builtins.bytearray': (args) => bytesFrom(args),
  '_codecs.encode': (args) => encodeText(args[0], args[1] ?? 'utf-8'),
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_tensor': rebuildTensor,
  'torch._utils._rebuild_parameter': (args) => args[0],
  'torch._utils._rebuild_parameter_with_state': (args) => args[0],
  'torch._tensor._rebuild_from_type_v2': rebuildFromType,
  'torch.Size': (args) => Object.freeze([...iterableOf(args[0] ?? [])]),
  'torch.device': (args) => (args.length > 1 && args[1] !== null ? `${String(args[0])}:${String(args[1])}` : String(args[0])),
  'numpy.dtype': (args) => new NumpyDType(String(args[0])),
  'numpy.core.multiarray.scalar': numpyScalar,
  'numpy._core.multiarray.scalar': numpyScalar,
};

// Types that may appear only as arguments (never called).
const MARKER_TYPES = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

/** Resolves module.name through the allowlist, or throws the refusal error. */
export function resolveGlobal(rawModule: string, name: string, ctx: GlobalContext): unknown {
  const module = MODULE_ALIASES[rawModule] ?? rawModule;
  const qual = `${module}.${name}`;
  const impl = CALLABLES[qual];
  if (impl) return new PyGlobal(module, name, impl);
  if (MARKER_TYPES.has(qual)) return new PyGlobal(module, name);
  if (module === 'torch') {
    const storage = STORAGE_TYPES[name];
    if (storage) return new PyGlobal(module, name, undefined, storage);
    if (isRawDType(name) || OTHER_TORCH_DTYPES.has(name)) return name;
    const alias = TORCH_DTYPE_ALIASES[name];
    if (alias) return alias;
  }
  throw refusal(ctx.fileName, `${rawModule}.${name}`);
}

export function refusal(fileName: string, qual: string): Error {
  return new Error(
    `${fileName}: unsupported pickle global '${qual}' (only tensors, OrderedDict and plain containers are read; ` +
      'pickle code is never executed). If the file holds a whole pickled model or other Python objects, ' +
      'load it in Python and save model.state_dict() instead.',
  );
}

// ---- implementations ----

function rebuildTensor(args: readonly unknown[], ctx: GlobalContext): unknown {
  if (!ctx.rebuildTensor) throw new Error(`${ctx.fileName}: the pickle contains a tensor but no tensor storage is available`);
  const [storage, offset, size, stride] = args;
  if (typeof offset !== 'number' || !isIntList(size) || !isIntList(stride) || size.length !== stride.length) {
    throw new Error(`${ctx.fileName}: malformed tensor record (storage offset, size and stride expected)`);
  }
  return ctx.rebuildTensor(storage, offset, [...size], [...stride]);
}

function rebuildFromType(args: readonly unknown[], ctx: GlobalContext): unknown {
  const [func, type, funcArgs] = args;
  if (!(type instanceof PyGlobal) || !MARKER_TYPES.has(type.qualname)) {
    throw refusal(ctx.fileName, type instanceof PyGlobal ? type.qualname : 'tensor subclass');
  }
  if (!(func instanceof PyGlobal) || !func.impl || !Array.isArray(funcArgs)) {
    throw new Error(`${ctx.fileName}: malformed tensor subclass record`);
  }
  return func.impl(funcArgs, ctx);
}

function isIntList(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isSafeInteger(v));
}

function iterableOf(x: unknown): Iterable<unknown> {
  if (Array.isArray(x) || x instanceof Set) return x;
  if (x instanceof Map) return x.keys();
  throw new Error(`expected a list, tuple or set, got ${describe(x)}`);
}

function pairsOf(x: unknown): [unknown, unknown][] {
  if (x instanceof Map) return [...x.entries()];
  return [...iterableOf(x)].map((p) => {
    if (!Array.isArray(p) || p.length !== 2) throw new Error(`expected key/value pairs, got ${describe(p)}`);
    return [p[0], p[1]] as [unknown, unknown];
  });
}

function bytesFrom(args: readonly unknown[]): Uint8Array {
  if (args.length === 0) return new Uint8Array(0);
  const [src, encoding] = args;
  if (src instanceof Uint8Array) return src.slice();
  if (typeof src === 'string') return encodeText(src, encoding ?? 'utf-8');
  if (Array.isArray(src) && src.every((v) => Number.isInteger(v) && v >= 0 && v < 256)) return Uint8Array.from(src as number[]);
  throw new Error(`cannot build bytes from ${describe(src)}`);
}

function encodeText(text: unknown, encoding: unknown): Uint8Array {
  if (typeof text !== 'string') throw new Error(`_codecs.encode expects a string, got ${describe(text)}`);
  const enc = String(encoding).toLowerCase().replace(/[-_]/g, '');
  if (enc === 'latin1' || enc === 'iso88591' || enc === 'l1') {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 255) throw new Error(`_codecs.encode: character U+${c.toString(16)} is not latin-1`);
      out[i] = c;
    }
    return out;
  }
  if (enc === 'utf8' || enc === 'ascii') return new TextEncoder().encode(text);
  throw new Error(`_codecs.encode: unsupported encoding '${String(encoding)}'`);
}

/** numpy.dtype('f8', False, True) followed by BUILD with (version, byteorder, ...). */
export class NumpyDType implements Buildable {
  byteOrder = '=';
  constructor(readonly code: string) {}

  setState(state: unknown): void {
    if (Array.isArray(state) && typeof state[1] === 'string') this.byteOrder = state[1];
  }
}

/** numpy.core.multiarray.scalar(dtype, raw bytes) → a JS number (bigint beyond 2^53, boolean for 'b1'). */
function numpyScalar(args: readonly unknown[], ctx: GlobalContext): unknown {
  const [dtype, raw] = args;
  if (!(dtype instanceof NumpyDType) || !(raw instanceof Uint8Array)) {
    throw new Error(`${ctx.fileName}: malformed numpy scalar record`);
  }
  const m = /^[<>=|]?([fiub])(\d+)$/.exec(dtype.code);
  const size = m ? Number(m[2]) : 0;
  if (!m || raw.length !== size) throw new Error(`${ctx.fileName}: unsupported numpy scalar type '${dtype.code}'`);
  const le = dtype.byteOrder !== '>';
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const key = `${m[1]}${size}`;
  switch (key) {
    case 'f2':
      return float16BitsToNumber(dv.getUint16(0, le));
    case 'f4':
      return dv.getFloat32(0, le);
    case 'f8':
      return dv.getFloat64(0, le);
    case 'i1':
      return dv.getInt8(0);
    case 'i2':
      return dv.getInt16(0, le);
    case 'i4':
      return dv.getInt32(0, le);
    case 'i8':
      return bigToNumber(dv.getBigInt64(0, le));
    case 'u1':
      return dv.getUint8(0);
    case 'u2':
      return dv.getUint16(0, le);
    case 'u4':
      return dv.getUint32(0, le);
    case 'u8':
      return bigToNumber(dv.getBigUint64(0, le));
    case 'b1':
      return dv.getUint8(0) !== 0;
    default:
      throw new Error(`${ctx.fileName}: unsupported numpy scalar type '${dtype.code}'`);
  }
}

/** Integers are numbers when exactly representable, bigints otherwise. */
export function bigToNumber(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export function describe(x: unknown): string {
  if (x === null) return 'None';
  if (Array.isArray(x)) return Object.isFrozen(x) ? 'a tuple' : 'a list';
  if (x instanceof Map) return 'a dict';
  if (x instanceof Set) return 'a set';
  if (x instanceof Uint8Array) return 'bytes';
  if (x instanceof PyGlobal) return `'${x.qualname}'`;
  return typeof x;
}
