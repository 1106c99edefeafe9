// Elementwise arithmetic, comparisons, unary functions, activations, conversions and in-place updates.
import { aten, type AtenOp } from '../aten.js';
import { Tensor, wrap } from '../tensor.js';
import { isDType, type DType, type Device } from '../dtype.js';

declare module '../tensor.js' {
  interface Tensor {
    add(other: Tensor | number, alpha?: number): Tensor;
    sub(other: Tensor | number, alpha?: number): Tensor;
    /** other − this (for numbers on the left). */
    rsub(other: number): Tensor;
    mul(other: Tensor | number): Tensor;
    div(other: Tensor | number): Tensor;
    pow(exponent: Tensor | number): Tensor;
    remainder(other: Tensor | number): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    atan2(other: Tensor): Tensor;
    eq(other: Tensor | number): Tensor;
    ne(other: Tensor | number): Tensor;
    lt(other: Tensor | number): Tensor;
    le(other: Tensor | number): Tensor;
    gt(other: Tensor | number): Tensor;
    ge(other: Tensor | number): Tensor;
    logicalAnd(other: Tensor): Tensor;
    logicalOr(other: Tensor): Tensor;
    logicalNot(): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    square(): Tensor;
    exp(): Tensor;
    expm1(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    log10(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    atan(): Tensor;
    erf(): Tensor;
    sign(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    trunc(): Tensor;
    reciprocal(): Tensor;
    isnan(): Tensor;
    isfinite(): Tensor;
    clamp(min?: number, max?: number): Tensor;
    clampTensor(min?: Tensor, max?: Tensor): Tensor;
    lerp(end: Tensor, weight: number | Tensor): Tensor;
    relu(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    gelu(approximate?: 'none' | 'tanh'): Tensor;
    silu(): Tensor;
    elu(alpha?: number): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    softplus(beta?: number, threshold?: number): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
    /** Converts to another dtype or device (a new handle; no copy when nothing changes). */
    to(target: DType | Device): Tensor;
    float(): Tensor;
    double(): Tensor;
    half(): Tensor;
    long(): Tensor;
    bool(): Tensor;
    cpu(): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    contiguous(): Tensor;
    // In-place (return this).
    add_(other: Tensor | number, alpha?: number): this;
    sub_(other: Tensor | number, alpha?: number): this;
    mul_(other: Tensor | number): this;
    div_(other: Tensor | number): this;
    addcmul_(t1: Tensor, t2: Tensor, value?: number): this;
    /** this + value·t1·t2 (broadcasting), one pass. */
    addcmul(t1: Tensor, t2: Tensor, value?: number): Tensor;
    addcdiv_(t1: Tensor, t2: Tensor, value?: number): this;
    lerp_(end: Tensor, weight: number): this;
    clamp_(min?: number, max?: number): this;
    sqrt_(): this;
    zero_(): this;
    fill_(value: number): this;
    copy_(src: Tensor): this;
    /** Sets (in place) the elements where `mask` is true to `value`. */
    maskedFill_(mask: Tensor, value: number): this;
  }
}

const P = Tensor.prototype;
type TS = Tensor | number;

function binary(t: AtenOp, s: AtenOp) {
  return function (this: Tensor, o: TS): Tensor {
    return wrap(o instanceof Tensor ? t(this.h, o.h) : s(this.h, o));
  };
}
function binaryTensor(t: AtenOp) {
  return function (this: Tensor, o: Tensor): Tensor {
    return wrap(t(this.h, o.h));
  };
}
function unary(op: AtenOp) {
  return function (this: Tensor): Tensor {
    return wrap(op(this.h));
  };
}

const addT = aten('add', 'Tensor'),
  addS = aten('add', 'Scalar');
const subT = aten('sub', 'Tensor'),
  subS = aten('sub', 'Scalar');
P.add = function (o: TS, alpha = 1) {
  return wrap(o instanceof Tensor ? addT(this.h, o.h, alpha) : addS(this.h, o, alpha));
};
P.sub = function (o: TS, alpha = 1) {
  return wrap(o instanceof Tensor ? subT(this.h, o.h, alpha) : subS(this.h, o, alpha));
};
const rsubS = aten('rsub', 'Scalar');
P.rsub = function (o: number) {
  return wrap(rsubS(this.h, o));
};
P.mul = binary(aten('mul', 'Tensor'), aten('mul', 'Scalar'));
P.div = binary(aten('div', 'Tensor'), aten('div', 'Scalar'));
P.pow = binary(aten('pow', 'Tensor_Tensor'), aten('pow', 'Tensor_Scalar'));
P.remainder = binary(aten('remainder', 'Tensor'), aten('remainder', 'Scalar'));
P.maximum = binaryTensor(aten('maximum'));
P.minimum = binaryTensor(aten('minimum'));
P.atan2 = binaryTensor(aten('atan2'));
P.eq = binary(aten('eq', 'Tensor'), aten('eq', 'Scalar'));
P.ne = binary(aten('ne', 'Tensor'), aten('ne', 'Scalar'));
P.lt = binary(aten('lt', 'Tensor'), aten('lt', 'Scalar'));
P.le = binary(aten('le', 'Tensor'), aten('le', 'Scalar'));
P.gt = binary(aten('gt', 'Tensor'), aten('gt', 'Scalar'));
P.ge = binary(aten('ge', 'Tensor'), aten('ge', 'Scalar'));
P.logicalAnd = binaryTensor(aten('logical_and'));
P.logicalOr = binaryTensor(aten('logical_or'));
P.logicalNot = unary(aten('logical_not'));

P.neg = unary(aten('neg'));
P.abs = unary(aten('abs'));
P.sqrt = unary(aten('sqrt'));
P.rsqrt = unary(aten('rsqrt'));
P.square = unary(aten('square'));
P.exp = unary(aten('exp'));
P.expm1 = unary(aten('expm1'));
P.log = unary(aten('log'));
P.log1p = unary(aten('log1p'));
P.log10 = unary(aten('log10'));
P.sin = unary(aten('sin'));
P.cos = unary(aten('cos'));
P.tan = unary(aten('tan'));
P.atan = unary(aten('atan'));
P.erf = unary(aten('erf'));
P.sign = unary(aten('sign'));
P.floor = unary(aten('floor'));
P.ceil = unary(aten('ceil'));
P.round = unary(aten('round'));
P.trunc = unary(aten('trunc'));
P.reciprocal = unary(aten('reciprocal'));
P.isnan = unary(aten('isnan'));
P.isfinite = unary(aten('isfinite'));

const clampS = aten('clamp'),
  clampT = aten('clamp', 'Tensor');
P.clamp = function (min?: number, max?: number) {
  if (min === undefined && max === undefined) throw new Error('clamp: give min, max or both');
  return wrap(clampS(this.h, min ?? null, max ?? null));
};
P.clampTensor = function (min?: Tensor, max?: Tensor) {
  return wrap(clampT(this.h, min?.h ?? null, max?.h ?? null));
};
const lerpS = aten('lerp', 'Scalar'),
  lerpT = aten('lerp', 'Tensor');
P.lerp = function (end: Tensor, w: TS) {
  return wrap(w instanceof Tensor ? lerpT(this.h, end.h, w.h) : lerpS(this.h, end.h, w));
};

P.relu = unary(aten('relu'));
const leaky = aten('leaky_relu');
P.leakyRelu = function (slope = 0.01) {
  return wrap(leaky(this.h, slope));
};
const gelu = aten('gelu');
P.gelu = function (approximate: 'none' | 'tanh' = 'none') {
  return wrap(gelu(this.h, approximate));
};
P.silu = unary(aten('silu'));
const elu = aten('elu');
P.elu = function (alpha = 1) {
  return wrap(elu(this.h, alpha));
};
P.sigmoid = unary(aten('sigmoid'));
P.tanh = unary(aten('tanh'));
const softplus = aten('softplus');
P.softplus = function (beta = 1, threshold = 20) {
  return wrap(softplus(this.h, beta, threshold));
};
const softmax = aten('softmax', 'int'),
  logSoftmax = aten('log_softmax', 'int');
P.softmax = function (dim: number) {
  return wrap(softmax(this.h, dim));
};
P.logSoftmax = function (dim: number) {
  return wrap(logSoftmax(this.h, dim));
};

// ---- conversions -------------------------------------------------------------------------------
const toDtype = aten('to', 'dtype'),
  toDevice = aten('to', 'device');
P.to = function (target: DType | Device) {
  return wrap(isDType(target) ? toDtype(this.h, target) : toDevice(this.h, target, this.dtype));
};
P.float = function () {
  return this.to('float32');
};
P.double = function () {
  return this.to('float64');
};
P.half = function () {
  return this.to('float16');
};
P.long = function () {
  return this.to('int64');
};
P.bool = function () {
  return this.to('bool');
};
P.cpu = function () {
  return this.to('cpu');
};
P.clone = unary(aten('clone'));
P.detach = unary(aten('detach'));
P.contiguous = unary(aten('contiguous'));

// ---- in place ----------------------------------------------------------------------------------
function inplace(t: AtenOp, s: AtenOp) {
  return function <T extends Tensor>(this: T, o: TS): T {
    if (o instanceof Tensor) t.inplace(this.h, o.h);
    else s.inplace(this.h, o);
    return this;
  };
}
const addT_ = aten('add_', 'Tensor'),
  addS_ = aten('add_', 'Scalar');
const subT_ = aten('sub_', 'Tensor'),
  subS_ = aten('sub_', 'Scalar');
P.add_ = function (o: TS, alpha = 1) {
  if (o instanceof Tensor) addT_.inplace(this.h, o.h, alpha);
  else addS_.inplace(this.h, o, alpha);
  return this;
};
P.sub_ = function (o: TS, alpha = 1) {
  if (o instanceof Tensor) subT_.inplace(this.h, o.h, alpha);
  else subS_.inplace(this.h, o, alpha);
  return this;
};
P.mul_ = inplace(aten('mul_', 'Tensor'), aten('mul_', 'Scalar'));
P.div_ = inplace(aten('div_', 'Tensor'), aten('div_', 'Scalar'));
const addcmul_ = aten('addcmul_'),
  addcdiv_ = aten('addcdiv_'),
  addcmulOp = aten('addcmul');
P.addcmul = function (a: Tensor, b: Tensor, value = 1) {
  return wrap(addcmulOp(this.h, a.h, b.h, value) as number);
};
P.addcmul_ = function (a: Tensor, b: Tensor, value = 1) {
  addcmul_.inplace(this.h, a.h, b.h, value);
  return this;
};
P.addcdiv_ = function (a: Tensor, b: Tensor, value = 1) {
  addcdiv_.inplace(this.h, a.h, b.h, value);
  return this;
};
const lerp_ = aten('lerp_', 'Scalar');
P.lerp_ = function (end: Tensor, w: number) {
  lerp_.inplace(this.h, end.h, w);
  return this;
};
const clamp_ = aten('clamp_');
P.clamp_ = function (min?: number, max?: number) {
  clamp_.inplace(this.h, min ?? null, max ?? null);
  return this;
};
const sqrt_ = aten('sqrt_'),
  zero_ = aten('zero_'),
  fill_ = aten('fill_', 'Scalar'),
  copy_ = aten('copy_');
P.sqrt_ = function () {
  sqrt_.inplace(this.h);
  return this;
};
P.zero_ = function () {
  zero_.inplace(this.h);
  return this;
};
P.fill_ = function (v: number) {
  fill_.inplace(this.h, v);
  return this;
};
P.copy_ = function (src: Tensor) {
  copy_.inplace(this.h, src.h);
  return this;
};
const maskedFill_ = aten('masked_fill_', 'Scalar');
P.maskedFill_ = function (mask: Tensor, v: number) {
  maskedFill_.inplace(this.h, mask.h, v);
  return this;
};
