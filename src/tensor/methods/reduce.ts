// Reductions and matrix products.
import { aten } from '../aten.js';
import { Tensor, wrap, wrapAll } from '../tensor.js';

/** Options of a reduction: keep the reduced dimensions (as size 1). */
export interface ReduceOptions {
  keepdim?: boolean;
}
/** Options of var/std: the correction (1: unbiased, as PyTorch's default). */
export interface VarOptions extends ReduceOptions {
  /** Bessel's correction: 1 (unbiased, PyTorch's default) or 0 (population). */
  correction?: number;
}
/** The values and their indices (max, min, sort, topk along a dimension). */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

type Dims = number | readonly number[];

declare module '../tensor.js' {
  interface Tensor {
    /** Sum of all elements, or over `dim`. */
    sum(dim?: Dims, opts?: ReduceOptions): Tensor;
    mean(dim?: Dims, opts?: ReduceOptions): Tensor;
    prod(dim?: number, opts?: ReduceOptions): Tensor;
    /** Largest element of all (a 0-d tensor). */
    max(): Tensor;
    /** Largest along `dim`, with indices. */
    maxDim(dim: number, opts?: ReduceOptions): ValuesIndices;
    min(): Tensor;
    minDim(dim: number, opts?: ReduceOptions): ValuesIndices;
    amax(dim: Dims, opts?: ReduceOptions): Tensor;
    amin(dim: Dims, opts?: ReduceOptions): Tensor;
    argmax(dim?: number, opts?: ReduceOptions): Tensor;
    argmin(dim?: number, opts?: ReduceOptions): Tensor;
    var(dim?: Dims, opts?: VarOptions): Tensor;
    std(dim?: Dims, opts?: VarOptions): Tensor;
    /** p-norm over all elements or over `dim`. */
    norm(p?: number, dim?: Dims, opts?: ReduceOptions): Tensor;
    logsumexp(dim: Dims, opts?: ReduceOptions): Tensor;
    cumsum(dim: number): Tensor;
    any(): Tensor;
    all(): Tensor;
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
  }
}

const P = Tensor.prototype;
const dimsOf = (d: Dims): readonly number[] => (typeof d === 'number' ? [d] : d);

const sumAll = aten('sum'),
  sumDim = aten('sum', 'dim_IntList');
const meanAll = aten('mean'),
  meanDim = aten('mean', 'dim');
const prodAll = aten('prod'),
  prodDim = aten('prod', 'dim_int');
const maxAll = aten('max'),
  maxDim = aten('max', 'dim'),
  minAll = aten('min'),
  minDim = aten('min', 'dim');
const amax = aten('amax'),
  amin = aten('amin'),
  argmax = aten('argmax'),
  argmin = aten('argmin');
const varC = aten('var', 'correction'),
  stdC = aten('std', 'correction');
const norm = aten('linalg_vector_norm'),
  logsumexp = aten('logsumexp'),
  cumsum = aten('cumsum');
const anyAll = aten('any'),
  allAll = aten('all');
const matmul = aten('matmul'),
  mm = aten('mm'),
  bmm = aten('bmm');

P.sum = function (dim?: Dims, o: ReduceOptions = {}) {
  return wrap(dim === undefined ? sumAll(this.h) : sumDim(this.h, dimsOf(dim), o.keepdim ?? false));
};
P.mean = function (dim?: Dims, o: ReduceOptions = {}) {
  return wrap(dim === undefined ? meanAll(this.h) : meanDim(this.h, dimsOf(dim), o.keepdim ?? false));
};
P.prod = function (dim?: number, o: ReduceOptions = {}) {
  return wrap(dim === undefined ? prodAll(this.h) : prodDim(this.h, dim, o.keepdim ?? false));
};
P.max = function () {
  return wrap(maxAll(this.h));
};
P.maxDim = function (dim: number, o: ReduceOptions = {}) {
  const [values, indices] = wrapAll(maxDim(this.h, dim, o.keepdim ?? false));
  return { values: values!, indices: indices! };
};
P.min = function () {
  return wrap(minAll(this.h));
};
P.minDim = function (dim: number, o: ReduceOptions = {}) {
  const [values, indices] = wrapAll(minDim(this.h, dim, o.keepdim ?? false));
  return { values: values!, indices: indices! };
};
P.amax = function (dim: Dims, o: ReduceOptions = {}) {
  return wrap(amax(this.h, dimsOf(dim), o.keepdim ?? false));
};
P.amin = function (dim: Dims, o: ReduceOptions = {}) {
  return wrap(amin(this.h, dimsOf(dim), o.keepdim ?? false));
};
P.argmax = function (dim?: number, o: ReduceOptions = {}) {
  return wrap(argmax(this.h, dim ?? null, o.keepdim ?? false));
};
P.argmin = function (dim?: number, o: ReduceOptions = {}) {
  return wrap(argmin(this.h, dim ?? null, o.keepdim ?? false));
};
P.var = function (dim?: Dims, o: VarOptions = {}) {
  return wrap(varC(this.h, dim === undefined ? null : dimsOf(dim), o.correction ?? 1, o.keepdim ?? false));
};
P.std = function (dim?: Dims, o: VarOptions = {}) {
  return wrap(stdC(this.h, dim === undefined ? null : dimsOf(dim), o.correction ?? 1, o.keepdim ?? false));
};
P.norm = function (p = 2, dim?: Dims, o: ReduceOptions = {}) {
  return wrap(norm(this.h, p, dim === undefined ? null : dimsOf(dim), o.keepdim ?? false));
};
P.logsumexp = function (dim: Dims, o: ReduceOptions = {}) {
  return wrap(logsumexp(this.h, dimsOf(dim), o.keepdim ?? false));
};
P.cumsum = function (dim: number) {
  return wrap(cumsum(this.h, dim));
};
P.any = function () {
  return wrap(anyAll(this.h));
};
P.all = function () {
  return wrap(allAll(this.h));
};
P.matmul = function (o: Tensor) {
  return wrap(matmul(this.h, o.h));
};
P.mm = function (o: Tensor) {
  return wrap(mm(this.h, o.h));
};
P.bmm = function (o: Tensor) {
  return wrap(bmm(this.h, o.h));
};
