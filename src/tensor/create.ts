// Creating tensors: from data, constant factories, ranges, and seeded random generators.
import { native, type NativeGenerator, type TypedArray } from './native.js';
import { aten } from './aten.js';
import { Tensor, wrap } from './tensor.js';
import { fillArray, type DType, type Device } from './dtype.js';

/** Where and how a new tensor is made: dtype (default float32), device (default cpu), whether it requires gradients. */
export interface CreateOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

type Nested = number | boolean | bigint | readonly Nested[];

function finish(t: Tensor, o: CreateOptions): Tensor {
  if (o.requiresGrad) t.requiresGrad = true;
  return t;
}

function flattenNested(data: Nested, shape: number[], out: (number | boolean | bigint)[], depth: number): void {
  if (Array.isArray(data)) {
    if (shape.length === depth) shape.push(data.length);
    else if (shape[depth] !== data.length) throw new Error('tensor(): ragged nested array');
    for (const d of data) flattenNested(d as Nested, shape, out, depth + 1);
  } else {
    if (shape.length !== depth) throw new Error('tensor(): ragged nested array');
    out.push(data as number | boolean | bigint);
  }
}

/** A tensor from raw elements in a typed array (copied). The typed array must match the dtype. */
export function fromArray(data: TypedArray, shape: readonly number[], opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype ?? defaultDtypeOf(data);
  return finish(wrap(native.fromArray(data, shape, dtype, opts.device ?? 'cpu')), opts);
}

function defaultDtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  throw new Error('fromArray: give a dtype for Uint16Array data (float16 or bfloat16 bit patterns)');
}

/**
 * A tensor from numbers: a (nested) array or a typed array with `shape`. Default dtype float32
 * (bool for booleans, int64 for bigints). float16/bfloat16 are converted from float32.
 */
export function tensor(data: Nested | TypedArray, opts: CreateOptions & { shape?: readonly number[] } = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const typed = data as TypedArray;
    const shape = opts.shape ?? [typed.length];
    return fromArray(typed, shape, opts);
  }
  const shape: number[] = [];
  const flat: (number | boolean | bigint)[] = [];
  flattenNested(data, shape, flat, 0);
  const first = flat[0];
  const dtype = opts.dtype ?? (typeof first === 'boolean' ? 'bool' : typeof first === 'bigint' ? 'int64' : 'float32');
  const outShape = opts.shape ?? shape;
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const f = fromArray(fillArray('float32', flat), outShape, { device: opts.device });
    const t = f.to(dtype);
    f.dispose();
    return finish(t, opts);
  }
  return fromArray(fillArray(dtype, flat), outShape, { ...opts, dtype });
}

/** A 0-d tensor holding one number. */
export function scalar(value: number, opts: CreateOptions = {}): Tensor {
  return tensor(value, opts);
}

const zerosOp = aten('zeros'),
  onesOp = aten('ones'),
  fullOp = aten('full'),
  emptyOp = aten('empty', 'memory_format');
const arangeOp = aten('arange', 'start_step'),
  linspaceOp = aten('linspace'),
  eyeOp = aten('eye');
const zerosLikeOp = aten('zeros_like'),
  onesLikeOp = aten('ones_like'),
  fullLikeOp = aten('full_like');

const dt = (o: CreateOptions, d: DType = 'float32'): DType => o.dtype ?? d;
const dev = (o: CreateOptions): Device => o.device ?? 'cpu';

/** A tensor of zeros (float32 on the CPU unless `o` says otherwise). */
export function zeros(shape: readonly number[], o: CreateOptions = {}): Tensor {
  return finish(wrap(zerosOp(shape, dt(o), null, dev(o))), o);
}
/** A tensor of ones. */
export function ones(shape: readonly number[], o: CreateOptions = {}): Tensor {
  return finish(wrap(onesOp(shape, dt(o), null, dev(o))), o);
}
/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, o: CreateOptions = {}): Tensor {
  return finish(wrap(fullOp(shape, value, dt(o), null, dev(o))), o);
}
/** An uninitialised tensor (its values are whatever the memory held). */
export function empty(shape: readonly number[], o: CreateOptions = {}): Tensor {
  return finish(wrap(emptyOp(shape, dt(o), null, dev(o))), o);
}
/** Values start, start+step, … below end (dtype float32 unless given). */
export function arange(start: number, end: number, step = 1, o: CreateOptions = {}): Tensor {
  return finish(wrap(arangeOp(start, end, step, dt(o), null, dev(o))), o);
}
/** `steps` values evenly spaced from `start` to `end`, both included. */
export function linspace(start: number, end: number, steps: number, o: CreateOptions = {}): Tensor {
  return finish(wrap(linspaceOp(start, end, steps, dt(o), null, dev(o))), o);
}
/** The n×n identity matrix. */
export function eye(n: number, o: CreateOptions = {}): Tensor {
  return finish(wrap(eyeOp(n, dt(o), null, dev(o))), o);
}
/** Zeros of `t`'s shape (and dtype and device unless `o` says otherwise). */
export function zerosLike(t: Tensor, o: CreateOptions = {}): Tensor {
  return finish(wrap(zerosLikeOp(t.h, o.dtype ?? null, null, o.device ?? null)), o);
}
/** Ones of `t`'s shape. */
export function onesLike(t: Tensor, o: CreateOptions = {}): Tensor {
  return finish(wrap(onesLikeOp(t.h, o.dtype ?? null, null, o.device ?? null)), o);
}
/** `value` in `t`'s shape. */
export function fullLike(t: Tensor, value: number, o: CreateOptions = {}): Tensor {
  return finish(wrap(fullLikeOp(t.h, value, o.dtype ?? null, null, o.device ?? null)), o);
}

// ---- random ------------------------------------------------------------------------------------

/** A seeded random generator. Pass it to random functions for reproducible, resumable streams. */
export class Generator {
  readonly g: NativeGenerator;
  constructor(seed: number | bigint, device: Device = 'cpu') {
    this.g = native.newGenerator(seed, device);
  }
  get seed(): bigint {
    return this.g.seed();
  }
  manualSeed(seed: number | bigint): this {
    this.g.manualSeed(seed);
    return this;
  }
  /** The full generator state as bytes (to save in a checkpoint). */
  getState(): Uint8Array {
    const s = this.g.getState();
    try {
      return native.toArray(s) as Uint8Array;
    } finally {
      native.dispose(s);
    }
  }
  setState(state: Uint8Array): void {
    const s = native.fromArray(state, [state.length], 'uint8', 'cpu');
    try {
      this.g.setState(s);
    } finally {
      native.dispose(s);
    }
  }
}

/** Seeds libtorch's default generators (as torch.manual_seed). */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}

/** CreateOptions plus the seeded generator to draw from (default: libtorch's global one). */
export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

const randOp = aten('rand', 'generator'),
  randnOp = aten('randn', 'generator');
const randintOp = aten('randint', 'low_generator'),
  randpermOp = aten('randperm', 'generator');
const bernoulliOp = aten('bernoulli'),
  bernoulliP = aten('bernoulli', 'p');
const gen = (o: RandomOptions): unknown => o.generator?.g ?? null;

/** Uniform on [0, 1). */
export function rand(shape: readonly number[], o: RandomOptions = {}): Tensor {
  return finish(wrap(randOp(shape, gen(o), dt(o), null, dev(o))), o);
}
/** Standard normal. */
export function randn(shape: readonly number[], o: RandomOptions = {}): Tensor {
  return finish(wrap(randnOp(shape, gen(o), dt(o), null, dev(o))), o);
}
/** Integers in [low, high) (int64 unless given). */
export function randint(low: number, high: number, shape: readonly number[], o: RandomOptions = {}): Tensor {
  return wrap(randintOp(low, high, shape, gen(o), dt(o, 'int64'), null, dev(o)));
}
/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, o: RandomOptions = {}): Tensor {
  return wrap(randpermOp(n, gen(o), dt(o, 'int64'), null, dev(o)));
}
/** Draws 0/1 with probability `p` (a tensor of probabilities, or a number with `like` for the shape). */
export function bernoulli(p: Tensor, o?: { generator?: Generator }): Tensor;
export function bernoulli(p: number, like: Tensor, o?: { generator?: Generator }): Tensor;
export function bernoulli(p: Tensor | number, a?: Tensor | { generator?: Generator }, b?: { generator?: Generator }): Tensor {
  if (p instanceof Tensor) return wrap(bernoulliOp(p.h, (a as { generator?: Generator } | undefined)?.generator?.g ?? null));
  return wrap(bernoulliP((a as Tensor).h, p, b?.generator?.g ?? null));
}
