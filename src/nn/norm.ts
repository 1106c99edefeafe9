// Normalisation layers: NAFNet's LayerNorm2d, InstanceNorm2d, BatchNorm2d.
import { F, ones, tensor, zeros, type Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';

/**
 * NAFNet's channel LayerNorm for [N, C, H, W]: each pixel's C values are normalised (biased variance),
 * then scaled by weight [C] and shifted by bias [C]. eps 1e-6 as in NAFNet.
 */
export class LayerNorm2d extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(
    readonly channels: number,
    readonly eps = 1e-6,
  ) {
    super();
    this.weight = this.param('weight', ones([channels]));
    this.bias = this.param('bias', zeros([channels]));
  }

  forward(x: Tensor): Tensor {
    // layer_norm over the last dim of the channels-last view: one fused kernel instead of six ops.
    const y = F.layerNorm(x.permute([0, 2, 3, 1]), [this.channels], this.weight, this.bias, this.eps);
    return y.permute([0, 3, 1, 2]);
  }

  /** The same on channels-last activations [N, H, W, C]: a layer norm over the last dimension. */
  forwardNHWC(x: Tensor): Tensor {
    return F.layerNormLast(x, this.weight, this.bias, this.eps);
  }
}

/** Instance norm's epsilon and whether it has an affine transform. */
export interface InstanceNorm2dOptions {
  eps?: number;
  momentum?: number;
  /** Learnable weight/bias (PyTorch default false). */
  affine?: boolean;
  /** Keep running statistics for eval mode (PyTorch default false). */
  trackRunningStats?: boolean;
}

export class InstanceNorm2d extends Module implements Layer {
  readonly weight: Tensor | undefined;
  readonly bias: Tensor | undefined;
  readonly runningMean: Tensor | undefined;
  readonly runningVar: Tensor | undefined;
  private readonly eps: number;
  private readonly momentum: number;

  constructor(
    readonly channels: number,
    o: InstanceNorm2dOptions = {},
  ) {
    super();
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum ?? 0.1;
    if (o.affine) {
      this.weight = this.param('weight', ones([channels]));
      this.bias = this.param('bias', zeros([channels]));
    }
    if (o.trackRunningStats) {
      this.runningMean = this.buffer('running_mean', zeros([channels]));
      this.runningVar = this.buffer('running_var', ones([channels]));
      this.buffer('num_batches_tracked', tensor(0n));
    }
  }

  forward(x: Tensor): Tensor {
    const useBatchStats = this.training || this.runningMean === undefined;
    return F.instanceNorm(x, this.weight, this.bias, {
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      training: useBatchStats,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}

export class BatchNorm2d extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: Tensor;

  constructor(
    readonly channels: number,
    readonly eps = 1e-5,
    readonly momentum = 0.1,
  ) {
    super();
    this.weight = this.param('weight', ones([channels]));
    this.bias = this.param('bias', zeros([channels]));
    this.runningMean = this.buffer('running_mean', zeros([channels]));
    this.runningVar = this.buffer('running_var', ones([channels]));
    this.numBatchesTracked = this.buffer('num_batches_tracked', tensor(0n));
  }

  forward(x: Tensor): Tensor {
    if (this.training) this.numBatchesTracked.add_(1);
    return F.batchNorm(x, this.weight, this.bias, {
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      training: this.training,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}
