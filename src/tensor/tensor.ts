// The Tensor type: one native libtorch tensor handle, tracked by scopes (scope.ts).
// Operators are added to the prototype by methods/*.ts and gathered by index.ts: import from there.
import { native, type TensorHandle, type TypedArray } from './native.js';
import type { DType, Device } from './dtype.js';
import { track } from './scope.js';

// Safety net only: a tensor that was neither disposed nor scoped is released after V8 collects it
// (when the event loop turns). Scopes and dispose() are the real mechanism, so a tensor joins the
// registry only once it is outside every scope (made outside one, returned from the outermost, or kept).
const finalizer = new FinalizationRegistry<TensorHandle>((h) => native.dispose(h));

/** A tensor: a handle to a libtorch tensor with typed methods (arithmetic, reductions, views, autograd). Its memory is freed by `dispose()`, by the enclosing `scope()`, or by `using`. */
export class Tensor {
  /** The native handle. Use only inside the tensor layer. */
  readonly h: TensorHandle;
  private keptFlag = false;
  private disposed = false;
  private registered = false;
  private shapeCache: readonly number[] | undefined;

  constructor(handle: TensorHandle) {
    this.h = handle;
    if (!track(this)) this.unscoped();
  }

  /** Puts the tensor under the finalizer safety net (scope.ts calls this; idempotent). */
  unscoped(): void {
    if (this.registered || this.disposed) return;
    this.registered = true;
    finalizer.register(this, this.h, this);
  }

  // ---- metadata --------------------------------------------------------------------------------
  get shape(): readonly number[] {
    return (this.shapeCache ??= Object.freeze(native.shape(this.h)));
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return native.numel(this.h);
  }
  get dtype(): DType {
    return native.dtype(this.h) as DType;
  }
  get device(): Device {
    return native.device(this.h);
  }
  get strides(): number[] {
    return native.strides(this.h);
  }
  get isContiguous(): boolean {
    return native.isContiguous(this.h);
  }
  /** Size of one dimension; negative dims count from the end. */
  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length) throw new RangeError(`dimension ${dim} out of range for shape [${s.join(', ')}]`);
    return s[d]!;
  }

  // ---- lifetime --------------------------------------------------------------------------------
  /** Releases the native tensor now. Safe to call twice. */
  /** `using` releases it at the end of the block (as dispose()). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    native.dispose(this.h);
    if (this.registered) finalizer.unregister(this);
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
  /** Exempts this tensor from every scope: it lives until dispose() (parameters, optimiser state). */
  keep(): this {
    this.keptFlag = true;
    this.unscoped();
    return this;
  }
  get kept(): boolean {
    return this.keptFlag;
  }

  // ---- data ------------------------------------------------------------------------------------
  /** Copies the elements (row-major) into a typed array; float16/bfloat16 as raw 16-bit patterns. */
  toArray(): TypedArray {
    return native.toArray(this.h);
  }
  /** The elements as float32 values whatever the dtype (complex: interleaved re, im). */
  toFloat32Array(): Float32Array {
    const d = this.dtype;
    if (d === 'float32' || d === 'complex64') return native.toArray(this.h) as Float32Array;
    const f = native.call(TO_DTYPE, this.h, 'float32') as TensorHandle;
    try {
      return native.toArray(f) as Float32Array;
    } finally {
      native.dispose(f);
    }
  }
  /** The elements as plain numbers (int64 beyond 2^53 lose precision). */
  toNumbers(): number[] {
    const a = this.dtype === 'float16' || this.dtype === 'bfloat16' ? this.toFloat32Array() : this.toArray();
    return Array.from(a as ArrayLike<number | bigint>, Number);
  }
  /** The single element as a number (booleans as true/false). */
  item(): number {
    return Number(native.item(this.h));
  }

  /** Makes this handle refer to `src`'s data (shape, dtype and device included), keeping its identity. */
  setData(src: Tensor): this {
    native.setData(this.h, src.h);
    this.shapeCache = undefined;
    return this;
  }
  /** Whether both tensors view the same storage. */
  sameStorage(other: Tensor): boolean {
    return native.sameStorage(this.h, other.h);
  }

  // ---- autograd --------------------------------------------------------------------------------
  get requiresGrad(): boolean {
    return native.requiresGrad(this.h);
  }
  set requiresGrad(on: boolean) {
    native.setRequiresGrad(this.h, on);
  }
  /** Sets requiresGrad and returns this (chaining). */
  requiresGrad_(on = true): this {
    native.setRequiresGrad(this.h, on);
    return this;
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.h);
  }
  /** The accumulated gradient as a new handle (tracked by the current scope), or undefined. */
  get grad(): Tensor | undefined {
    const g = native.grad(this.h);
    return g === undefined ? undefined : new Tensor(g);
  }
  set grad(g: Tensor | undefined) {
    native.setGrad(this.h, g?.h);
  }
  /** Backpropagates from this tensor (a scalar unless `gradient` is given). */
  backward(gradient?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    const create = opts.createGraph ?? false;
    native.backward([this.h], gradient ? [gradient.h] : undefined, opts.retainGraph ?? create, create);
  }

  toString(): string {
    if (this.isDisposed) return 'Tensor(disposed)';
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }
}

const TO_DTYPE = native.op('aten::to', 'dtype');

/** Wraps a native result as a Tensor. */
export function wrap(h: unknown): Tensor {
  return new Tensor(h as TensorHandle);
}

/** Wraps a native array result (tuple or list of tensors). */
export function wrapAll(h: unknown): Tensor[] {
  return (h as TensorHandle[]).map((x) => new Tensor(x));
}

/** Number of native tensors currently held by JS handles (leak checks). */
export function liveTensors(): number {
  return native.liveTensors();
}
