// The in-memory tensor shared by the checkpoint readers and writers.
//
// A RawTensor is just a dtype, a shape and the element bytes: contiguous,
// row-major (C order), little-endian. Readers in this folder always hand out
// `data` as a standalone copy (byteOffset 0, its own ArrayBuffer), so it can
// be viewed directly as e.g. a Float32Array without alignment trouble.

/** The dtypes a weights file may hold. */
export type RawDType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** A tensor as bytes: dtype, shape and little-endian contiguous data. */
export interface RawTensor {
  dtype: RawDType;
  shape: number[];
  /** Contiguous row-major little-endian bytes; byteLength === numel(shape) * itemSize(dtype). */
  data: Uint8Array;
}

const ITEM_SIZES: Record<RawDType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export const RAW_DTYPES: readonly RawDType[] = Object.keys(ITEM_SIZES) as RawDType[];

export function isRawDType(s: unknown): s is RawDType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ITEM_SIZES, s);
}

/** Bytes per element. */
export function itemSize(d: RawDType): number {
  const n = ITEM_SIZES[d];
  if (n === undefined) throw new Error(`unknown dtype '${String(d)}'`);
  return n;
}

/** Number of elements of a shape; the empty shape (a scalar) has one element. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) {
    if (!Number.isSafeInteger(s) || s < 0) throw new Error(`invalid dimension ${String(s)} in shape [${shape.join(', ')}]`);
    n *= s;
  }
  if (!Number.isSafeInteger(n)) throw new Error(`shape [${shape.join(', ')}] has too many elements`);
  return n;
}

/** True for a value shaped like a RawTensor (as produced by the readers here). */
export function isRawTensor(x: unknown): x is RawTensor {
  if (typeof x !== 'object' || x === null) return false;
  const t = x as Partial<RawTensor>;
  return isRawDType(t.dtype) && Array.isArray(t.shape) && t.data instanceof Uint8Array;
}

/** Throws (naming `where`) unless the byte length matches dtype × shape. */
export function checkRawTensor(t: RawTensor, where: string): void {
  if (!isRawDType(t.dtype)) throw new Error(`${where}: unknown dtype '${String(t.dtype)}'`);
  const expected = numel(t.shape) * itemSize(t.dtype);
  if (t.data.byteLength !== expected) {
    throw new Error(`${where}: ${t.dtype} tensor of shape [${t.shape.join(', ')}] needs ${expected} bytes but has ${t.data.byteLength}`);
  }
}

// ---- small IEEE-754 formats (float16: 5 exponent bits, bfloat16: 8) ----

function decodeSmallFloat(bits: number, expBits: number, mantBits: number): number {
  const bias = (1 << (expBits - 1)) - 1;
  const sign = (bits >> (expBits + mantBits)) & 1 ? -1 : 1;
  const exp = (bits >> mantBits) & ((1 << expBits) - 1);
  const mant = bits & ((1 << mantBits) - 1);
  if (exp === 0) return sign * mant * Math.pow(2, 1 - bias - mantBits);
  if (exp === (1 << expBits) - 1) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / (1 << mantBits)) * Math.pow(2, exp - bias);
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Rounds a double once (to nearest, ties to even) into a small float format. */
function encodeSmallFloat(x: number, expBits: number, mantBits: number): number {
  const bias = (1 << (expBits - 1)) - 1;
  const expMask = (1 << expBits) - 1;
  const signBit = x < 0 || Object.is(x, -0) ? 1 << (expBits + mantBits) : 0;
  if (Number.isNaN(x)) return (expMask << mantBits) | (1 << (mantBits - 1));
  const a = Math.abs(x);
  const inf = signBit | (expMask << mantBits);
  if (a >= (2 - Math.pow(2, -(mantBits + 1))) * Math.pow(2, bias)) return inf;
  const eMin = 1 - bias;
  if (a < Math.pow(2, eMin)) {
    // subnormal; a result of 1 << mantBits is exactly the smallest normal encoding
    return signBit | roundHalfEven(a / Math.pow(2, eMin - mantBits));
  }
  let e = Math.floor(Math.log2(a));
  if (Math.pow(2, e) > a) e--;
  else if (Math.pow(2, e + 1) <= a) e++;
  let mant = roundHalfEven((a / Math.pow(2, e) - 1) * (1 << mantBits));
  if (mant === 1 << mantBits) {
    e++;
    mant = 0;
  }
  if (e > bias) return inf;
  return signBit | ((e + bias) << mantBits) | mant;
}

export function float16BitsToNumber(bits: number): number {
  return decodeSmallFloat(bits, 5, 10);
}
export function bfloat16BitsToNumber(bits: number): number {
  return decodeSmallFloat(bits, 8, 7);
}
export function numberToFloat16Bits(x: number): number {
  return encodeSmallFloat(x, 5, 10);
}
export function numberToBfloat16Bits(x: number): number {
  return encodeSmallFloat(x, 8, 7);
}

// ---- element access ----

function view(t: RawTensor): DataView {
  return new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Every element as a double (int64 beyond ±2^53 loses precision; bool is 0/1). */
export function rawToFloat64Array(t: RawTensor): Float64Array {
  const n = numel(t.shape);
  checkRawTensor(t, 'rawToFloat64Array');
  const dv = view(t);
  const out = new Float64Array(n);
  const read = elementReader(t.dtype, dv);
  for (let i = 0; i < n; i++) out[i] = read(i);
  return out;
}

function elementReader(dtype: RawDType, dv: DataView): (i: number) => number {
  switch (dtype) {
    case 'float32':
      return (i) => dv.getFloat32(i * 4, true);
    case 'float64':
      return (i) => dv.getFloat64(i * 8, true);
    case 'float16':
      return (i) => float16BitsToNumber(dv.getUint16(i * 2, true));
    case 'bfloat16':
      return (i) => bfloat16BitsToNumber(dv.getUint16(i * 2, true));
    case 'int64':
      return (i) => Number(dv.getBigInt64(i * 8, true));
    case 'int32':
      return (i) => dv.getInt32(i * 4, true);
    case 'int16':
      return (i) => dv.getInt16(i * 2, true);
    case 'int8':
      return (i) => dv.getInt8(i);
    case 'uint8':
      return (i) => dv.getUint8(i);
    case 'bool':
      return (i) => (dv.getUint8(i) !== 0 ? 1 : 0);
  }
}

/** Every element of an int64 tensor, exactly. */
export function rawToBigInt64Array(t: RawTensor): BigInt64Array {
  if (t.dtype !== 'int64') throw new Error(`rawToBigInt64Array: expected an int64 tensor, got ${t.dtype}`);
  checkRawTensor(t, 'rawToBigInt64Array');
  const dv = view(t);
  const out = new BigInt64Array(numel(t.shape));
  for (let i = 0; i < out.length; i++) out[i] = dv.getBigInt64(i * 8, true);
  return out;
}

/**
 * Builds a RawTensor from plain values. Floats are rounded to the target
 * precision (to nearest, ties to even); integers must be integral and in range.
 */
export function rawFromNumbers(dtype: RawDType, shape: readonly number[], values: ArrayLike<number | bigint>): RawTensor {
  const n = numel(shape);
  if (values.length !== n) throw new Error(`rawFromNumbers: shape [${shape.join(', ')}] needs ${n} values, got ${values.length}`);
  const data = new Uint8Array(n * itemSize(dtype));
  const dv = new DataView(data.buffer);
  for (let i = 0; i < n; i++) writeElement(dtype, dv, i, values[i]!);
  return { dtype, shape: [...shape], data };
}

function toInt(v: number | bigint, lo: number, hi: number, dtype: RawDType): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < lo || x > hi) throw new Error(`rawFromNumbers: ${String(v)} is not a valid ${dtype} value`);
  return x;
}

function writeElement(dtype: RawDType, dv: DataView, i: number, v: number | bigint): void {
  switch (dtype) {
    case 'float32':
      dv.setFloat32(i * 4, Number(v), true);
      return;
    case 'float64':
      dv.setFloat64(i * 8, Number(v), true);
      return;
    case 'float16':
      dv.setUint16(i * 2, numberToFloat16Bits(Number(v)), true);
      return;
    case 'bfloat16':
      dv.setUint16(i * 2, numberToBfloat16Bits(Number(v)), true);
      return;
    case 'int64': {
      if (typeof v === 'number' && !Number.isInteger(v)) throw new Error(`rawFromNumbers: ${v} is not a valid int64 value`);
      const b = BigInt(v);
      if (BigInt.asIntN(64, b) !== b) throw new Error(`rawFromNumbers: ${String(v)} is out of range for int64`);
      dv.setBigInt64(i * 8, b, true);
      return;
    }
    case 'int32':
      dv.setInt32(i * 4, toInt(v, -0x80000000, 0x7fffffff, dtype), true);
      return;
    case 'int16':
      dv.setInt16(i * 2, toInt(v, -0x8000, 0x7fff, dtype), true);
      return;
    case 'int8':
      dv.setInt8(i, toInt(v, -0x80, 0x7f, dtype));
      return;
    case 'uint8':
      dv.setUint8(i, toInt(v, 0, 0xff, dtype));
      return;
    case 'bool':
      dv.setUint8(i, Number(v) !== 0 ? 1 : 0);
      return;
  }
}

/** Reverses the byte order of every element in place (for big-endian sources). */
export function swapBytesInPlace(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const tmp = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = tmp;
    }
  }
}
