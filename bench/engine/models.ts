// The engine benchmark's two workloads, operation for operation the same as reference.py.
import { F, type Tensor } from '../../src/tensor/index.js';
import { Conv2d, LayerNorm2d, Module } from '../../src/nn/index.js';
import { zeros } from '../../src/tensor/index.js';

/** (a) two 3×3 convolutions 32→32 with a ReLU between. */
export class ConvPair extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  constructor(c = 32) {
    super();
    this.conv1 = this.child('conv1', new Conv2d(c, c, 3, { padding: 1 }));
    this.conv2 = this.child('conv2', new Conv2d(c, c, 3, { padding: 1 }));
  }
  forward(x: Tensor): Tensor {
    return this.conv2.forward(this.conv1.forward(x).relu());
  }
}

/** (b) NAFNet's block: layer norm, 1×1, depthwise 3×3, simple gate, channel attention, FFN. */
export class NafBlockBench extends Module {
  readonly norm1: LayerNorm2d;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly scaConv: Conv2d;
  readonly conv3: Conv2d;
  readonly norm2: LayerNorm2d;
  readonly conv4: Conv2d;
  readonly conv5: Conv2d;
  readonly beta: Tensor;
  readonly gamma: Tensor;
  constructor(c: number) {
    super();
    const dw = 2 * c;
    this.norm1 = this.child('norm1', new LayerNorm2d(c));
    this.conv1 = this.child('conv1', new Conv2d(c, dw, 1));
    this.conv2 = this.child('conv2', new Conv2d(dw, dw, 3, { padding: 1, groups: dw }));
    this.scaConv = this.child('sca', new Conv2d(dw / 2, dw / 2, 1));
    this.conv3 = this.child('conv3', new Conv2d(dw / 2, c, 1));
    this.norm2 = this.child('norm2', new LayerNorm2d(c));
    this.conv4 = this.child('conv4', new Conv2d(c, 2 * c, 1));
    this.conv5 = this.child('conv5', new Conv2d(c, c, 1));
    this.beta = this.param('beta', zeros([1, c, 1, 1]));
    this.gamma = this.param('gamma', zeros([1, c, 1, 1]));
  }
  forward(inp: Tensor): Tensor {
    const [a, b] = this.conv2.forward(this.conv1.forward(this.norm1.forward(inp))).chunk(2, 1);
    let x = a!.mul(b!);
    x = x.mul(this.scaConv.forward(F.adaptiveAvgPool2d(x, 1)));
    const y = inp.add(this.conv3.forward(x).mul(this.beta));
    const [c, d] = this.conv4.forward(this.norm2.forward(y)).chunk(2, 1);
    return y.add(this.conv5.forward(c!.mul(d!)).mul(this.gamma));
  }
}

export class NafStack extends Module {
  readonly b0 = this.child('0', new NafBlockBench(32));
  readonly b1 = this.child('1', new NafBlockBench(32));
  forward(x: Tensor): Tensor {
    return this.b1.forward(this.b0.forward(x));
  }
}

/**
 * Multiply-adds ×2 of the convolutions in one training step (forward, input gradients except for
 * the network input, weight gradients); elementwise work is not counted.
 */
export function stepFlops(kind: 'conv' | 'nafblock'): number {
  const px = 4 * 128 * 128;
  const conv = (cin: number, cout: number, k: number, groups = 1): number => 2 * px * (cin / groups) * cout * k * k;
  if (kind === 'conv') {
    const f = conv(32, 32, 3);
    return 2 * f /* forward */ + 2 * f /* conv2: dX, dW */ + f; /* conv1: dW only */
  }
  const block = conv(32, 64, 1) + conv(64, 64, 3, 64) + conv(32, 32, 1) + conv(32, 64, 1) + conv(32, 32, 1);
  return 2 * 3 * block; // two blocks, forward + two backward products each
}
