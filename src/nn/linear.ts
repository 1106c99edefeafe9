// Linear layer: weight [out, in], bias [out].
import { F, empty, type Generator, type Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';
import { defaultLayerInit } from './init.js';

export class Linear extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    o: { bias?: boolean; generator?: Generator } = {},
  ) {
    super();
    this.weight = this.param('weight', empty([outFeatures, inFeatures]));
    this.bias = o.bias === false ? undefined : this.param('bias', empty([outFeatures]));
    defaultLayerInit(this.weight, this.bias, o.generator);
  }

  /** [..., in] → [..., out]. */
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}
