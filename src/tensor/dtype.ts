// Element types and devices.
import type { TypedArray } from './native.js';

/** An element type, by PyTorch's name. */
export type DType =
  'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool' | 'complex64' | 'complex128';

/** 'cpu', 'cuda' or 'cuda:N' (any libtorch device string). */
export type Device = 'cpu' | 'cuda' | `cuda:${number}` | (string & {});

export const DTYPES: readonly DType[] = [
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'bool',
  'complex64',
  'complex128',
];

/** Whether a string names a dtype. */
export function isDType(x: string): x is DType {
  return (DTYPES as readonly string[]).includes(x);
}

export const FLOAT_DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16'];

/** Whether a dtype holds floating-point values (float16/32/64, bfloat16). */
export function isFloating(d: DType): boolean {
  return FLOAT_DTYPES.includes(d);
}

/** The typed array that carries a dtype's raw elements (float16/bfloat16: raw 16-bit patterns). */
export function arrayFor(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
    case 'complex64':
      return new Float32Array(n);
    case 'float64':
    case 'complex128':
      return new Float64Array(n);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

/** Converts plain numbers into the typed array of a dtype (float16/bfloat16 go through float32 first). */
export function fillArray(dtype: DType, values: ArrayLike<number | bigint | boolean>): TypedArray {
  const n = values.length;
  if (dtype === 'int64') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      out[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    }
    return out;
  }
  const out = arrayFor(dtype, n) as Exclude<TypedArray, BigInt64Array>;
  for (let i = 0; i < n; i++) out[i] = Number(values[i]);
  return out;
}
