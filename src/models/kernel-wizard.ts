// KernelWizard — "Explore Image Deblurring via Encoded Blur Kernel Space" (Tran et al., CVPR 2021).
// Blur2Blur uses it to build the known-blur set K: extract the blur of a known pair (sharp x, blurry y)
// as an embedding k = E(x, y) [N, 512, H/128, W/128], then re-apply it to another sharp image: F(s, k).
//   feature_extractor  image → features at H/4 (3×3 convs, two stride-2, ResBlocks)
//   kernel_extractor   cat(features(x), features(y)) → 5 stride-2 convs → ResnetBlocks → k (VAE: mean, σ)
//   adapter            5-level U-Net on features(s), with k joined at the bottleneck (H/128)
//   recon_trunk        ResBlocks, two ×2 pixel-shuffle up-samplings → residual added to s
// Parameter names equal the official state_dict (released files hold a bare state_dict).
import { cat, zerosLike, type Tensor } from '../tensor/index.js';
import { Conv2d, ConvTranspose2d, Identity, LeakyReLU, Module, PixelShuffle, ReLU, Sequential, Tanh, type Layer } from '../nn/index.js';

export interface KernelWizardOptions {
  /** Feature channels (the adapter's bottleneck has 8·nf). */
  nf: number;
  /** ResBlocks in the feature extractor / the reconstruction trunk. */
  frontRBs: number;
  backRBs: number;
  /** Channels of the blur embedding; must equal 8·nf (joined with the adapter's bottleneck). */
  kernelDim: number;
  /** ResnetBlocks at the end of the kernel extractor. */
  extractorBlocks: number;
  /** The extractor outputs a mean and a σ (2·kernelDim channels). */
  useVae: boolean;
}

export const KERNEL_WIZARD_PRESETS = {
  paper: { nf: 64, frontRBs: 10, backRBs: 20, kernelDim: 512, extractorBlocks: 4, useVae: false },
  'paper-vae': { nf: 64, frontRBs: 10, backRBs: 20, kernelDim: 512, extractorBlocks: 4, useVae: true },
  small: { nf: 16, frontRBs: 2, backRBs: 4, kernelDim: 128, extractorBlocks: 1, useVae: false },
} as const satisfies Record<string, KernelWizardOptions>;
export type KernelWizardPreset = keyof typeof KERNEL_WIZARD_PRESETS;

/** Blur embedding: mean [N, kernelDim, H/128, W/128] and σ (zeros without the VAE). */
export interface BlurKernel {
  mean: Tensor;
  sigma: Tensor;
}

/** x + conv2(relu(conv1(x))), 3×3, with biases (EDVR's ResidualBlock_noBN). */
class ResidualBlockNoBN extends Module implements Layer {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  constructor(nf: number) {
    super();
    this.conv1 = this.child('conv1', new Conv2d(nf, nf, 3, { padding: 1 }));
    this.conv2 = this.child('conv2', new Conv2d(nf, nf, 3, { padding: 1 }));
  }
  forward(x: Tensor): Tensor {
    return x.add(this.conv2.forward(this.conv1.forward(x).relu()));
  }
}

/** Reflection-padded 3×3 conv pair without biases: x + conv(relu(conv(x))) (keys conv_block.1/.5). */
class ResnetBlock extends Module implements Layer {
  readonly convBlock: Sequential;
  constructor(c: number) {
    super();
    // [pad, conv, norm(none), relu, pad, conv, norm(none)]: padding is done by the convs themselves.
    this.convBlock = this.child(
      'conv_block',
      new Sequential(
        new Identity(),
        new Conv2d(c, c, 3, { padding: 1, paddingMode: 'reflect', bias: false }),
        new Identity(),
        new ReLU(),
        new Identity(),
        new Conv2d(c, c, 3, { padding: 1, paddingMode: 'reflect', bias: false }),
        new Identity(),
      ),
    );
  }
  forward(x: Tensor): Tensor {
    return x.add(this.convBlock.forward(x));
  }
}

class KernelExtractor extends Module {
  readonly model: Sequential;
  constructor(o: KernelWizardOptions) {
    super();
    const out = o.useVae ? 2 * o.kernelDim : o.kernelDim;
    const layers: (Module & Layer)[] = [
      new Identity(),
      new Conv2d(2 * o.nf, o.nf, 7, { padding: 3, paddingMode: 'reflect', bias: false }),
      new Identity(),
      new ReLU(),
    ];
    for (let i = 0; i < 5; i++) {
      const m = 2 ** i;
      layers.push(
        new Conv2d(Math.min(o.nf * m, out), Math.min(o.nf * m * 2, out), 3, { stride: 2, padding: 1, bias: false }),
        new Identity(),
        new ReLU(),
      );
    }
    for (let i = 0; i < o.extractorBlocks; i++) layers.push(new ResnetBlock(out));
    this.model = this.child('model', new Sequential(...layers));
  }
  forward(x: Tensor): Tensor {
    return this.model.forward(x);
  }
}

/** One U-Net level (pix2pix's UnetSkipConnectionBlock with no norm). */
class UnetLevel extends Module {
  readonly down: Sequential;
  readonly submodule: UnetLevel | undefined;
  readonly up: Sequential;
  constructor(
    readonly outerNc: number,
    innerNc: number,
    readonly kind: 'outermost' | 'middle' | 'innermost',
    submodule?: UnetLevel,
  ) {
    super();
    const downConv = new Conv2d(outerNc, innerNc, 4, { stride: 2, padding: 1, bias: false });
    // The official down path starts with an in-place LeakyReLU(0.2) (not at the outermost level); it is
    // applied in forward() because its result is also the skip connection.
    this.down = this.child('down', kind === 'outermost' ? new Sequential(downConv) : new Sequential(new Identity(), downConv));
    if (submodule) this.submodule = this.child('submodule', submodule);
    const upConv = new ConvTranspose2d(2 * innerNc, outerNc, 4, { stride: 2, padding: 1, bias: kind === 'outermost' });
    this.up = this.child('up', new Sequential(new ReLU(), upConv, kind === 'outermost' ? new Tanh() : new Identity()));
  }
  forward(x: Tensor, kernel: Tensor): Tensor {
    if (this.kind === 'outermost') return this.up.forward(this.submodule!.forward(this.down.forward(x), kernel));
    const a = x.leakyRelu(0.2); // the skip carries the activated input (the official ReLU is in place)
    const inner =
      this.kind === 'innermost' ? cat([this.down.forward(a), kernel], 1) : this.submodule!.forward(this.down.forward(a), kernel);
    return cat([this.up.forward(inner), a], 1);
  }
}

class KernelAdapter extends Module {
  readonly model: UnetLevel;
  constructor(nf: number) {
    super();
    let level = new UnetLevel(8 * nf, 8 * nf, 'innermost');
    level = new UnetLevel(4 * nf, 8 * nf, 'middle', level);
    level = new UnetLevel(2 * nf, 4 * nf, 'middle', level);
    level = new UnetLevel(nf, 2 * nf, 'middle', level);
    this.model = this.child('model', new UnetLevel(nf, nf, 'outermost', level));
  }
  forward(features: Tensor, kernel: Tensor): Tensor {
    return this.model.forward(features, kernel);
  }
}

/** KernelWizard (Tran et al., CVPR 2021): a blur-kernel extractor E(x, y) and an adapter F(x, k) that re-applies a blur to another sharp image. */
export class KernelWizard extends Module {
  readonly options: KernelWizardOptions;
  readonly featureExtractor: Sequential;
  readonly kernelExtractor: KernelExtractor;
  readonly adapter: KernelAdapter;
  readonly reconTrunk: Sequential;
  /** H and W of every input must be multiples of this (and at least 2× it). */
  static readonly multiple = 128;

  constructor(options: Partial<KernelWizardOptions> | KernelWizardPreset = 'paper') {
    super();
    const o: KernelWizardOptions =
      typeof options === 'string' ? { ...KERNEL_WIZARD_PRESETS[options] } : { ...KERNEL_WIZARD_PRESETS.paper, ...options };
    if (o.kernelDim !== 8 * o.nf) throw new Error(`KernelWizard: kernelDim (${o.kernelDim}) must be 8·nf (${8 * o.nf})`);
    this.options = o;
    const nf = o.nf;
    const lrelu = (): LeakyReLU => new LeakyReLU(0.1);
    this.featureExtractor = this.child(
      'feature_extractor',
      new Sequential(
        new Conv2d(3, nf, 3, { padding: 1 }),
        lrelu(),
        new Conv2d(nf, nf, 3, { stride: 2, padding: 1 }),
        lrelu(),
        new Conv2d(nf, nf, 3, { stride: 2, padding: 1 }),
        lrelu(),
        ...Array.from({ length: o.frontRBs }, () => new ResidualBlockNoBN(nf)),
      ),
    );
    this.kernelExtractor = this.child('kernel_extractor', new KernelExtractor(o));
    this.adapter = this.child('adapter', new KernelAdapter(nf));
    this.reconTrunk = this.child(
      'recon_trunk',
      new Sequential(
        ...Array.from({ length: o.backRBs }, () => new ResidualBlockNoBN(nf)),
        new Conv2d(nf, 4 * nf, 3, { padding: 1 }),
        new PixelShuffle(2),
        lrelu(),
        new Conv2d(nf, 4 * 64, 3, { padding: 1 }),
        new PixelShuffle(2),
        lrelu(),
        new Conv2d(64, 64, 3, { padding: 1 }),
        lrelu(),
        new Conv2d(64, 3, 3, { padding: 1 }),
      ),
    );
  }

  private check(x: Tensor, what: string): void {
    const [, c, h, w] = x.shape as [number, number, number, number];
    if (x.ndim !== 4 || c !== 3) throw new Error(`KernelWizard: ${what} must be [N, 3, H, W], got [${x.shape.join(', ')}]`);
    if (h % KernelWizard.multiple || w % KernelWizard.multiple || h < 256 || w < 256) {
      throw new Error(
        `KernelWizard: ${what} is ${h}×${w}; H and W must be multiples of ${KernelWizard.multiple} and at least 256 ` +
          '(the blur embedding is H/128 × W/128 and needs 2×2 for its reflection padding): crop or pad the images',
      );
    }
  }

  /** The blur of a pair: sharp, blurry [N, 3, H, W] → embedding [N, kernelDim, H/128, W/128]. */
  extractKernel(sharp: Tensor, blurry: Tensor): BlurKernel {
    this.check(sharp, 'the sharp image');
    this.check(blurry, 'the blurry image');
    const out = this.kernelExtractor.forward(cat([this.featureExtractor.forward(sharp), this.featureExtractor.forward(blurry)], 1));
    if (!this.options.useVae) return { mean: out, sigma: zerosLike(out) };
    const [mean, sigma] = out.chunk(2, 1);
    return { mean: mean!, sigma: sigma! };
  }

  /** Re-blurs sharp images [N, 3, H, W] with an embedding [N, kernelDim, H/128, W/128]. */
  adaptKernel(sharp: Tensor, kernel: Tensor): Tensor {
    this.check(sharp, 'the sharp image');
    const [n, , h, w] = sharp.shape as [number, number, number, number];
    const want = [n, this.options.kernelDim, h / 128, w / 128];
    if (kernel.shape.join(',') !== want.join(',')) {
      throw new Error(`KernelWizard: kernel is [${kernel.shape.join(', ')}], expected [${want.join(', ')}] for a ${h}×${w} image`);
    }
    return this.reconTrunk.forward(this.adapter.forward(this.featureExtractor.forward(sharp), kernel)).add(sharp);
  }

  /** Reconstructs the blurry image of a pair from its sharp image and its own kernel (training target). */
  forward(sharp: Tensor, blurry: Tensor): Tensor {
    return this.adaptKernel(sharp, this.extractKernel(sharp, blurry).mean);
  }
}
