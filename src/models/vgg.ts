// VGG16 / VGG19 feature extractors for perceptual losses (Simonyan & Zisserman, ICLR 2015).
// `features.N.weight` keys as torchvision's, so torchvision checkpoints (vgg16-397923af.pth,
// vgg19-dcbb9e9d.pth; the classifier is ignored) load as they are. Layers are named like the paper
// (conv2_2, relu3_3, pool4). Pretrained weights cannot be downloaded here: a VGG starts with random
// weights and says so (`pretrained` stays false) until loadTorchvision() is called with a file.
import { F, tensor, type DType, type Device, type Tensor } from '../tensor/index.js';
import { Conv2d, Module, ReLU, Sequential, type Layer } from '../nn/index.js';
import { loadWeights } from '../io/weights.js';

export type VGGDepth = 16 | 19;

const CFG: Record<VGGDepth, number[][]> = {
  16: [
    [64, 64],
    [128, 128],
    [256, 256, 256],
    [512, 512, 512],
    [512, 512, 512],
  ],
  19: [
    [64, 64],
    [128, 128],
    [256, 256, 256, 256],
    [512, 512, 512, 512],
    [512, 512, 512, 512],
  ],
};

class MaxPool extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, 2);
  }
}

export interface VGGOptions {
  depth: VGGDepth;
  /** Subtract ImageNet mean / divide by std before the first layer (torchvision's convention). The
   * official Blur2Blur code does not normalise: its inputs are in [0, 1]. */
  imagenetNormalize: boolean;
}

/** VGG16/19 feature extractor for perceptual losses; loads torchvision's weights. */
export class VGGFeatures extends Module {
  readonly features: Sequential;
  /** Layer name → index in `features` (conv1_1 → 0, relu1_1 → 1, pool1 → 4, …). */
  readonly index: ReadonlyMap<string, number>;
  readonly options: VGGOptions;
  private isPretrained = false;
  // Made directly in their final shape: an intermediate tensor outside any scope would stay alive
  // until garbage collection.
  private mean = tensor([[[[0.485]], [[0.456]], [[0.406]]]]).keep();
  private std = tensor([[[[0.229]], [[0.224]], [[0.225]]]]).keep();

  constructor(options: Partial<VGGOptions> = {}) {
    super();
    this.options = { depth: 19, imagenetNormalize: false, ...options };
    const layers: (Module & Layer)[] = [];
    const index = new Map<string, number>();
    let cin = 3;
    CFG[this.options.depth].forEach((block, b) => {
      block.forEach((cout, c) => {
        index.set(`conv${b + 1}_${c + 1}`, layers.length);
        layers.push(new Conv2d(cin, cout, 3, { padding: 1 }));
        index.set(`relu${b + 1}_${c + 1}`, layers.length);
        layers.push(new ReLU());
        cin = cout;
      });
      index.set(`pool${b + 1}`, layers.length);
      layers.push(new MaxPool());
    });
    this.features = this.child('features', new Sequential(...layers));
    this.index = index;
    this.requiresGrad_(false); // a fixed feature extractor
  }

  /** True once ImageNet (or other) weights were loaded from a file. */
  get pretrained(): boolean {
    return this.isPretrained;
  }

  /** Loads torchvision VGG weights (features.* keys; classifier.* keys are ignored). */
  loadTorchvision(file: string): void {
    const sd = loadWeights(file);
    try {
      const features = new Map([...sd].filter(([k]) => k.startsWith('features.')));
      if (features.size === 0) throw new Error(`${file}: no 'features.*' tensors: not a torchvision VGG checkpoint`);
      this.loadStateDict(features, {}, file);
      this.isPretrained = true;
    } finally {
      for (const t of sd.values()) t.dispose();
    }
  }

  /**
   * Runs the network up to the deepest requested layer and returns each requested layer's output
   * (by name, e.g. ['relu2_2', 'conv4_3']). Input [N, 3, H, W] in [0, 1].
   */
  extract(x: Tensor, layers: readonly string[]): Tensor[] {
    const wanted = layers.map((name) => {
      const i = this.index.get(name);
      if (i === undefined) throw new Error(`VGG${this.options.depth} has no layer '${name}' (names like conv3_3, relu4_1, pool2)`);
      return i;
    });
    const last = Math.max(...wanted);
    const out = new Map<number, Tensor>();
    let y = this.options.imagenetNormalize ? x.sub(this.mean).div(this.std) : x;
    const items = this.features.layers;
    for (let i = 0; i <= last; i++) {
      y = items[i]!.forward(y);
      if (wanted.includes(i)) out.set(i, y);
    }
    return wanted.map((i) => out.get(i)!);
  }

  /** Moves the normalisation constants with the parameters (they are not part of the state dict). */
  override to(target: Device | DType): this {
    super.to(target);
    for (const k of ['mean', 'std'] as const) {
      const moved = this[k].to(target).keep();
      this[k].dispose();
      this[k] = moved;
    }
    return this;
  }

  override dispose(): void {
    super.dispose();
    this.mean.dispose();
    this.std.dispose();
  }
}
