// Conv2d and ConvTranspose2d with PyTorch's parameter names (weight, bias) and default init.
import { F, empty, type Generator, type Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';
import { defaultLayerInit } from './init.js';

type Pair = number | [number, number];

/** A 2-D convolution's stride, padding, dilation, groups and bias. */
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  /** Padding applied before the convolution ('zeros' is the convolution's own). */
  paddingMode?: 'zeros' | 'reflect' | 'replicate';
  generator?: Generator;
}

const pairOf = (p: Pair): [number, number] => (typeof p === 'number' ? [p, p] : p);

/** [N, Cin, H, W] → [N, Cout, H', W']; weight [Cout, Cin/groups, kh, kw]. */
export class Conv2d extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: 'zeros' | 'reflect' | 'replicate';

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernel: Pair,
    o: Conv2dOptions = {},
  ) {
    super();
    this.groups = o.groups ?? 1;
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new Error(`Conv2d: channels ${inChannels}→${outChannels} are not divisible by groups=${this.groups}`);
    }
    const [kh, kw] = pairOf(kernel);
    this.stride = pairOf(o.stride ?? 1);
    this.padding = pairOf(o.padding ?? 0);
    this.dilation = pairOf(o.dilation ?? 1);
    this.paddingMode = o.paddingMode ?? 'zeros';
    this.weight = this.param('weight', empty([outChannels, inChannels / this.groups, kh, kw]));
    this.bias = o.bias === false ? undefined : this.param('bias', empty([outChannels]));
    defaultLayerInit(this.weight, this.bias, o.generator);
  }

  forward(x: Tensor): Tensor {
    if (this.paddingMode !== 'zeros') {
      const [ph, pw] = this.padding;
      const padded = F.pad(x, [pw, pw, ph, ph], this.paddingMode);
      return F.conv2d(padded, this.weight, this.bias, { stride: this.stride, dilation: this.dilation, groups: this.groups });
    }
    return F.conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

/** A transposed convolution's stride, padding, output padding, groups and bias. */
export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  generator?: Generator;
}

/** [N, Cin, H, W] → [N, Cout, H', W']; weight [Cin, Cout/groups, kh, kw]. */
export class ConvTranspose2d extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  private readonly o: Required<Omit<ConvTranspose2dOptions, 'bias' | 'generator'>>;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernel: Pair,
    o: ConvTranspose2dOptions = {},
  ) {
    super();
    const groups = o.groups ?? 1;
    const [kh, kw] = pairOf(kernel);
    this.o = { stride: o.stride ?? 1, padding: o.padding ?? 0, outputPadding: o.outputPadding ?? 0, dilation: o.dilation ?? 1, groups };
    this.weight = this.param('weight', empty([inChannels, outChannels / groups, kh, kw]));
    this.bias = o.bias === false ? undefined : this.param('bias', empty([outChannels]));
    defaultLayerInit(this.weight, this.bias, o.generator);
  }

  forward(x: Tensor): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, this.o);
  }
}
