// PatchGAN discriminator (pix2pix / CycleGAN's NLayerDiscriminator; Isola et al., CVPR 2017), as
// Blur2Blur uses it: one set of weights applied to each of G's three output scales.
// 4×4 convs, ndf → 2·ndf → 4·ndf → 8·ndf (strides 2, 2, 2, 1), LeakyReLU 0.2, then a 1-channel map.
// Parameter names equal the official state_dict (model.0.weight, model.2.weight, …).
import type { Tensor } from '../tensor/index.js';
import { BatchNorm2d, Conv2d, Identity, InstanceNorm2d, LeakyReLU, Module, Sequential } from '../nn/index.js';

export interface PatchGANOptions {
  inChannels: number;
  /** Filters of the first layer. */
  ndf: number;
  /** Stride-2 layers after the first (3: the 70×70 PatchGAN). */
  nLayers: number;
  /** instance (affine-free, as the official code), batch, or none. */
  norm: 'instance' | 'batch' | 'none';
}

export const PATCHGAN_PRESETS = {
  paper: { inChannels: 3, ndf: 64, nLayers: 3, norm: 'instance' },
  small: { inChannels: 3, ndf: 32, nLayers: 3, norm: 'instance' },
} as const satisfies Record<string, PatchGANOptions>;
export type PatchGANPreset = keyof typeof PATCHGAN_PRESETS;

/** The PatchGAN discriminator D (70×70 receptive field at ndf 64), shared across the translator's three scales. */
export class PatchGAN extends Module {
  readonly options: PatchGANOptions;
  readonly model: Sequential;

  constructor(options: Partial<PatchGANOptions> | PatchGANPreset = 'paper') {
    super();
    const o: PatchGANOptions = typeof options === 'string' ? { ...PATCHGAN_PRESETS[options] } : { ...PATCHGAN_PRESETS.paper, ...options };
    this.options = o;
    // The official code gives convs before a norm a bias only with instance norm (which has no affine
    // parameters); with batch norm they have none.
    const bias = o.norm !== 'batch';
    const norm = (c: number): Module & { forward(x: Tensor): Tensor } =>
      o.norm === 'instance' ? new InstanceNorm2d(c) : o.norm === 'batch' ? new BatchNorm2d(c) : new Identity();
    const layers: (Module & { forward(x: Tensor): Tensor })[] = [
      new Conv2d(o.inChannels, o.ndf, 4, { stride: 2, padding: 1 }),
      new LeakyReLU(0.2),
    ];
    let mult = 1;
    for (let n = 1; n <= o.nLayers; n++) {
      const prev = mult;
      mult = Math.min(2 ** n, 8);
      const stride = n < o.nLayers ? 2 : 1;
      layers.push(new Conv2d(o.ndf * prev, o.ndf * mult, 4, { stride, padding: 1, bias }), norm(o.ndf * mult), new LeakyReLU(0.2));
    }
    layers.push(new Conv2d(o.ndf * mult, 1, 4, { stride: 1, padding: 1 }));
    this.model = this.child('model', new Sequential(...layers));
  }

  /** [N, C, H, W] → patch scores [N, 1, H', W'] (30×30 for 256×256 at the paper preset). */
  forward(x: Tensor): Tensor {
    return this.model.forward(x);
  }

  /** The same discriminator on each scale (Blur2Blur's multi-scale use). */
  forwardScales(xs: readonly Tensor[]): Tensor[] {
    return xs.map((x) => this.forward(x));
  }
}
