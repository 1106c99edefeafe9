// Shape, views, slicing, indexing, joining and splitting.
import { aten } from '../aten.js';
import { Tensor, wrap, wrapAll } from '../tensor.js';

declare module '../tensor.js' {
  interface Tensor {
    reshape(shape: readonly number[]): Tensor;
    view(shape: readonly number[]): Tensor;
    permute(dims: readonly number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    /** Transpose of a 2-D tensor. */
    t(): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    expand(shape: readonly number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    repeat(repeats: readonly number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    /** Python's x[..., start:end:step] along `dim` (a view). end may be omitted or negative. */
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    /** x.select(dim, i): removes `dim`, taking index i (a view). */
    select(dim: number, index: number): Tensor;
    /** Advanced indexing: x[idx0, idx1, ...] with index tensors (null skips a dimension). */
    index(indices: readonly (Tensor | null)[]): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    flip(dims: readonly number[]): Tensor;
    roll(shifts: readonly number[], dims: readonly number[]): Tensor;
    chunk(chunks: number, dim?: number): Tensor[];
    /** Splits into pieces of `size` (a number) or of the given sizes (an array) along dim. */
    split(size: number | readonly number[], dim?: number): Tensor[];
    maskedFill(mask: Tensor, value: number): Tensor;
    /** Real view [..., 2] of a complex tensor. */
    viewAsReal(): Tensor;
  }
}

const P = Tensor.prototype;

const reshape = aten('reshape'),
  view = aten('view'),
  permute = aten('permute');
const transpose = aten('transpose', 'int'),
  tr = aten('t'),
  flatten = aten('flatten', 'using_ints');
const squeeze = aten('squeeze'),
  squeezeDim = aten('squeeze', 'dim'),
  unsqueeze = aten('unsqueeze');
const expand = aten('expand'),
  expandAs = aten('expand_as'),
  repeat = aten('repeat');
const narrow = aten('narrow'),
  slice = aten('slice', 'Tensor'),
  select = aten('select', 'int');
const index = aten('index', 'Tensor'),
  indexSelect = aten('index_select'),
  gather = aten('gather');
const flip = aten('flip'),
  roll = aten('roll'),
  chunk = aten('chunk');
const splitSize = aten('split', 'Tensor'),
  splitSizes = aten('split_with_sizes');
const maskedFill = aten('masked_fill', 'Scalar'),
  viewAsReal = aten('view_as_real');

P.reshape = function (s) {
  return wrap(reshape(this.h, s));
};
P.view = function (s) {
  return wrap(view(this.h, s));
};
P.permute = function (d) {
  return wrap(permute(this.h, d));
};
P.transpose = function (a, b) {
  return wrap(transpose(this.h, a, b));
};
P.t = function () {
  return wrap(tr(this.h));
};
P.flatten = function (start = 0, end = -1) {
  return wrap(flatten(this.h, start, end));
};
P.squeeze = function (dim?: number) {
  return wrap(dim === undefined ? squeeze(this.h) : squeezeDim(this.h, dim));
};
P.unsqueeze = function (dim) {
  return wrap(unsqueeze(this.h, dim));
};
P.expand = function (s) {
  return wrap(expand(this.h, s));
};
P.expandAs = function (o) {
  return wrap(expandAs(this.h, o.h));
};
P.repeat = function (r) {
  return wrap(repeat(this.h, r));
};
P.narrow = function (dim, start, length) {
  return wrap(narrow(this.h, dim, start, length));
};
P.slice = function (dim, start, end, step = 1) {
  return wrap(slice(this.h, dim, start ?? null, end ?? null, step));
};
P.select = function (dim, i) {
  return wrap(select(this.h, dim, i));
};
P.index = function (indices) {
  return wrap(
    index(
      this.h,
      indices.map((t) => (t === null ? null : t.h)),
    ),
  );
};
P.indexSelect = function (dim, idx) {
  return wrap(indexSelect(this.h, dim, idx.h));
};
P.gather = function (dim, idx) {
  return wrap(gather(this.h, dim, idx.h));
};
P.flip = function (dims) {
  return wrap(flip(this.h, dims));
};
P.roll = function (shifts, dims) {
  return wrap(roll(this.h, shifts, dims));
};
P.chunk = function (n, dim = 0) {
  return wrapAll(chunk(this.h, n, dim));
};
P.split = function (size, dim = 0) {
  return wrapAll(typeof size === 'number' ? splitSize(this.h, size, dim) : splitSizes(this.h, size, dim));
};
P.maskedFill = function (mask, v) {
  return wrap(maskedFill(this.h, mask.h, v));
};
P.viewAsReal = function () {
  return wrap(viewAsReal(this.h));
};

const catOp = aten('cat'),
  stackOp = aten('stack'),
  whereOp = aten('where', 'self');
const whereScalarOther = aten('where', 'ScalarOther'),
  whereScalarSelf = aten('where', 'ScalarSelf');
const whereScalar = aten('where', 'Scalar');

/** Concatenates along an existing dimension. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('cat: needs at least one tensor');
  return wrap(
    catOp(
      tensors.map((t) => t.h),
      dim,
    ),
  );
}

/** Stacks along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: needs at least one tensor');
  return wrap(
    stackOp(
      tensors.map((t) => t.h),
      dim,
    ),
  );
}

/** Elementwise choice: cond ? a : b (numbers broadcast). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  if (a instanceof Tensor && b instanceof Tensor) return wrap(whereOp(cond.h, a.h, b.h));
  if (a instanceof Tensor) return wrap(whereScalarOther(cond.h, a.h, b));
  if (b instanceof Tensor) return wrap(whereScalarSelf(cond.h, a, b.h));
  return wrap(whereScalar(cond.h, a, b));
}
