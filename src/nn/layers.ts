// Parameter-free layers (activations, pixel shuffle) and containers.
import { F, scope, type Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';

export class ReLU extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}
export class LeakyReLU extends Module implements Layer {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }
}
export class GELU extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return x.gelu();
  }
}
export class Sigmoid extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}
export class Tanh extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}
export class Identity extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return x;
  }
}
/** [N, C·r², H, W] → [N, C, H·r, W·r]. */
export class PixelShuffle extends Module implements Layer {
  constructor(readonly factor: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.pixelShuffle(x, this.factor);
  }
}
export class PixelUnshuffle extends Module implements Layer {
  constructor(readonly factor: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.pixelUnshuffle(x, this.factor);
  }
}

type LayerModule = Module & Layer;

/** Children named "0", "1", … (PyTorch's nn.Sequential keys), applied in order. */
export class Sequential extends Module implements Layer {
  readonly layers: LayerModule[];
  constructor(...layers: LayerModule[]) {
    super();
    this.layers = layers.map((l, i) => this.child(String(i), l));
  }
  /**
   * Each layer runs in its own scope and the previous layer's output is released once the next one has
   * it, so only the live activations stay in memory (autograd keeps what it saved for backward itself).
   */
  forward(x: Tensor): Tensor {
    return this.run(x, (l, y) => l.forward(y));
  }

  /** The same layer-by-layer release, with another call per layer (e.g. a block's channels-last forward). */
  run<L extends LayerModule>(x: Tensor, call: (layer: L, y: Tensor) => Tensor): Tensor {
    let y = x;
    for (const l of this.layers as L[]) {
      const next = scope(() => call(l, y));
      if (y !== x && next !== y) y.dispose();
      y = next;
    }
    return y;
  }
}

/** A list of modules named "0", "1", … (PyTorch's nn.ModuleList), with no forward of its own. */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[];
  constructor(items: M[]) {
    super();
    this.items = items.map((m, i) => this.child(String(i), m));
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): M {
    const m = this.items[i];
    if (m === undefined) throw new RangeError(`ModuleList index ${i} out of range (length ${this.items.length})`);
    return m;
  }
}

/** Dropout with probability p in training mode; identity in eval mode. */
export class Dropout extends Module implements Layer {
  constructor(readonly p: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}
