// Weight initialisers with PyTorch's formulas; with the default generator and the same seed they
// draw the same numbers as torch.nn's default initialisation.
import { aten } from '../tensor/aten.js';
import { noGrad, type Generator, type Tensor } from '../tensor/index.js';

const uniform_ = aten('uniform_'),
  normal_ = aten('normal_');

/** fan_in and fan_out as torch.nn.init computes them (dim 1 is "in", dim 0 is "out"). */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new Error(`fan in/out needs a tensor with at least 2 dimensions, got [${t.shape.join(', ')}]`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

export function uniform(t: Tensor, a: number, b: number, gen?: Generator): Tensor {
  noGrad(() => uniform_.inplace(t.h, a, b, gen?.g ?? null));
  return t;
}

export function normal(t: Tensor, mean: number, std: number, gen?: Generator): Tensor {
  noGrad(() => normal_.inplace(t.h, mean, std, gen?.g ?? null));
  return t;
}

export function constant(t: Tensor, v: number): Tensor {
  noGrad(() => t.fill_(v));
  return t;
}

function gain(nonlinearity: 'relu' | 'leaky_relu' | 'linear', a: number): number {
  if (nonlinearity === 'relu') return Math.SQRT2;
  if (nonlinearity === 'leaky_relu') return Math.sqrt(2 / (1 + a * a));
  return 1;
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: 'relu' | 'leaky_relu' | 'linear';
  generator?: Generator;
}

export function kaimingUniform(t: Tensor, o: KaimingOptions = {}): Tensor {
  const f = fans(t);
  const std = gain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(o.mode === 'fan_out' ? f.fanOut : f.fanIn);
  const bound = Math.sqrt(3) * std;
  return uniform(t, -bound, bound, o.generator);
}

export function kaimingNormal(t: Tensor, o: KaimingOptions = {}): Tensor {
  const f = fans(t);
  const std = gain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(o.mode === 'fan_out' ? f.fanOut : f.fanIn);
  return normal(t, 0, std, o.generator);
}

export function xavierUniform(t: Tensor, g = 1, gen?: Generator): Tensor {
  const f = fans(t);
  const bound = g * Math.sqrt(6 / (f.fanIn + f.fanOut));
  return uniform(t, -bound, bound, gen);
}

/** torch.nn's default for Conv/Linear: weight kaiming_uniform(a=√5), bias U(±1/√fan_in). */
export function defaultLayerInit(weight: Tensor, bias: Tensor | undefined, gen?: Generator): void {
  kaimingUniform(weight, { a: Math.sqrt(5), generator: gen });
  if (bias) {
    const { fanIn } = fans(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform(bias, -bound, bound, gen);
  }
}
