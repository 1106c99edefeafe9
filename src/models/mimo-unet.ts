// MIMO-UNet — "Rethinking Coarse-to-Fine Approach in Single Image Deblurring" (Cho et al., ICCV 2021).
// The blur translator G of Blur2Blur: multi-input (the image at 1, ½, ¼ scale) multi-output U-Net.
// Outputs are residuals on the (nearest-)resized input at ¼, ½ and full scale.
// Parameter names equal the official state_dict (checkpoints store {'model': state_dict}).
import { F, cat, noGrad, type Tensor } from '../tensor/index.js';
import { Conv2d, ConvTranspose2d, Module, ModuleList, ReLU, Sequential, Dropout, Identity } from '../nn/index.js';

/** MIMO-UNet's size: base channels and residual blocks per stage, dropout. */
export interface MIMOUNetOptions {
  /** ResBlocks per encoder/decoder stage: 8 (MIMO-UNet) or 20 (MIMO-UNet+). */
  numRes: number;
  /** Channels at full resolution (×2, ×4 at ½ and ¼). */
  baseChannels: number;
  /** Dropout2d(0.1) on the fused skips (MIMO-UNet+). */
  plus: boolean;
  /** σ (px) of a fixed Gaussian blur applied to the input before everything else (0: none). */
  inputSigma: number;
}

export const MIMO_PRESETS = {
  'mimo-unet': { numRes: 8, baseChannels: 32, plus: false, inputSigma: 0 },
  'mimo-unet-plus': { numRes: 20, baseChannels: 32, plus: true, inputSigma: 0 },
  small: { numRes: 2, baseChannels: 16, plus: false, inputSigma: 0 },
} as const satisfies Record<string, MIMOUNetOptions>;
export type MIMOPreset = keyof typeof MIMO_PRESETS;

/** Conv (or 4×4 stride-2 transposed conv) + optional ReLU, held in `main` as the official BasicConv. */
export class BasicConv extends Module {
  readonly main: Sequential;
  constructor(cin: number, cout: number, k: number, o: { stride?: number; relu?: boolean; transpose?: boolean } = {}) {
    super();
    const stride = o.stride ?? 1;
    const conv = o.transpose
      ? new ConvTranspose2d(cin, cout, k, { stride, padding: Math.floor(k / 2) - 1 })
      : new Conv2d(cin, cout, k, { stride, padding: Math.floor(k / 2) });
    this.main = this.child('main', o.relu === false ? new Sequential(conv) : new Sequential(conv, new ReLU()));
  }
  forward(x: Tensor): Tensor {
    return this.main.forward(x);
  }
}

/** x + conv(relu(conv(x))), 3×3. */
class ResBlock extends Module {
  readonly main: Sequential;
  constructor(c: number) {
    super();
    this.main = this.child('main', new Sequential(new BasicConv(c, c, 3), new BasicConv(c, c, 3, { relu: false })));
  }
  forward(x: Tensor): Tensor {
    return this.main.forward(x).add(x);
  }
}

/** EBlock / DBlock: `layers` = numRes ResBlocks. */
class ResStage extends Module {
  readonly layers: Sequential;
  constructor(c: number, n: number) {
    super();
    this.layers = this.child('layers', new Sequential(...Array.from({ length: n }, () => new ResBlock(c))));
  }
  forward(x: Tensor): Tensor {
    return this.layers.forward(x);
  }
}

/** Asymmetric feature fusion: features of three scales (already resized) → one scale. */
class AFF extends Module {
  readonly conv: Sequential;
  constructor(cin: number, cout: number) {
    super();
    this.conv = this.child('conv', new Sequential(new BasicConv(cin, cout, 1), new BasicConv(cout, cout, 3, { relu: false })));
  }
  forward(x1: Tensor, x2: Tensor, x4: Tensor): Tensor {
    return this.conv.forward(cat([x1, x2, x4], 1));
  }
}

/** Shallow convolutional module: image [N,3,h,w] → features [N,P,h,w] (input concatenated first). */
class SCM extends Module {
  readonly main: Sequential;
  readonly conv: BasicConv;
  constructor(p: number) {
    super();
    this.main = this.child(
      'main',
      new Sequential(
        new BasicConv(3, p / 4, 3),
        new BasicConv(p / 4, p / 2, 1),
        new BasicConv(p / 2, p / 2, 3),
        new BasicConv(p / 2, p - 3, 1),
      ),
    );
    this.conv = this.child('conv', new BasicConv(p, p, 1, { relu: false }));
  }
  forward(x: Tensor): Tensor {
    return this.conv.forward(cat([x, this.main.forward(x)], 1));
  }
}

/** Feature attention module: x1 + conv(x1 · x2). */
class FAM extends Module {
  readonly merge: BasicConv;
  constructor(c: number) {
    super();
    this.merge = this.child('merge', new BasicConv(c, c, 3, { relu: false }));
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return x1.add(this.merge.forward(x1.mul(x2)));
  }
}

const half = (x: Tensor): Tensor => F.interpolate(x, { scaleFactor: 0.5, mode: 'nearest' });
const twice = (x: Tensor): Tensor => F.interpolate(x, { scaleFactor: 2, mode: 'nearest' });

/** MIMO-UNet (Cho et al., ICCV 2021), the translator G: three scales in, three out, official state_dict keys; presets `mimo-unet`, `mimo-unet-plus`, `small`. */
export class MIMOUNet extends Module {
  readonly options: MIMOUNetOptions;
  readonly encoder: ModuleList<ResStage>;
  readonly featExtract: ModuleList<BasicConv>;
  readonly decoder: ModuleList<ResStage>;
  readonly convs: ModuleList<BasicConv>;
  readonly convsOut: ModuleList<BasicConv>;
  readonly affs: ModuleList<AFF>;
  readonly fam1: FAM;
  readonly scm1: SCM;
  readonly fam2: FAM;
  readonly scm2: SCM;
  private readonly drop1: Module & { forward(x: Tensor): Tensor };
  private readonly drop2: Module & { forward(x: Tensor): Tensor };

  constructor(options: Partial<MIMOUNetOptions> | MIMOPreset = 'mimo-unet') {
    super();
    const o: MIMOUNetOptions = typeof options === 'string' ? { ...MIMO_PRESETS[options] } : { ...MIMO_PRESETS['mimo-unet'], ...options };
    this.options = o;
    const b = o.baseChannels,
      n = o.numRes;
    // Registration order = official state_dict order.
    this.encoder = this.child('Encoder', new ModuleList([new ResStage(b, n), new ResStage(2 * b, n), new ResStage(4 * b, n)]));
    this.featExtract = this.child(
      'feat_extract',
      new ModuleList([
        new BasicConv(3, b, 3),
        new BasicConv(b, 2 * b, 3, { stride: 2 }),
        new BasicConv(2 * b, 4 * b, 3, { stride: 2 }),
        new BasicConv(4 * b, 2 * b, 4, { stride: 2, transpose: true }),
        new BasicConv(2 * b, b, 4, { stride: 2, transpose: true }),
        new BasicConv(b, 3, 3, { relu: false }),
      ]),
    );
    this.decoder = this.child('Decoder', new ModuleList([new ResStage(4 * b, n), new ResStage(2 * b, n), new ResStage(b, n)]));
    this.convs = this.child('Convs', new ModuleList([new BasicConv(4 * b, 2 * b, 1), new BasicConv(2 * b, b, 1)]));
    this.convsOut = this.child(
      'ConvsOut',
      new ModuleList([new BasicConv(4 * b, 3, 3, { relu: false }), new BasicConv(2 * b, 3, 3, { relu: false })]),
    );
    this.affs = this.child('AFFs', new ModuleList([new AFF(7 * b, b), new AFF(7 * b, 2 * b)]));
    this.fam1 = this.child('FAM1', new FAM(4 * b));
    this.scm1 = this.child('SCM1', new SCM(4 * b));
    this.fam2 = this.child('FAM2', new FAM(2 * b));
    this.scm2 = this.child('SCM2', new SCM(2 * b));
    this.drop1 = o.plus ? this.child('drop1', new Dropout2d(0.1)) : new Identity();
    this.drop2 = o.plus ? this.child('drop2', new Dropout2d(0.1)) : new Identity();
  }

  /**
   * [N, 3, H, W] → [¼-scale, ½-scale, full-scale] outputs ([N,3,H/4,W/4], [N,3,H/2,W/2], [N,3,H,W]).
   * H and W must be multiples of 4 (use forwardAnySize for other sizes).
   */
  forward(x: Tensor): [Tensor, Tensor, Tensor] {
    const [, , h, w] = x.shape as [number, number, number, number];
    if (h % 4 || w % 4) throw new Error(`MIMO-UNet needs H and W divisible by 4, got ${h}×${w} (use forwardAnySize)`);
    if (this.options.inputSigma > 0) x = F.gaussianBlur(x, this.options.inputSigma); // a fixed low-pass in front
    const x2 = half(x),
      x4 = half(x2);
    const z2 = this.scm2.forward(x2),
      z4 = this.scm1.forward(x4);
    const fe = this.featExtract.items;
    const res1 = this.encoder.at(0).forward(fe[0]!.forward(x));
    let z = this.fam2.forward(fe[1]!.forward(res1), z2);
    const res2 = this.encoder.at(1).forward(z);
    z = this.fam1.forward(fe[2]!.forward(res2), z4);
    z = this.encoder.at(2).forward(z);
    const z12 = half(res1),
      z21 = twice(res2),
      z42 = twice(z),
      z41 = twice(z42);
    const f2 = this.drop2.forward(this.affs.at(1).forward(z12, res2, z42));
    const f1 = this.drop1.forward(this.affs.at(0).forward(res1, z21, z41));
    z = this.decoder.at(0).forward(z);
    const out4 = this.convsOut.at(0).forward(z).add(x4);
    z = fe[3]!.forward(z);
    z = this.decoder.at(1).forward(this.convs.at(0).forward(cat([z, f2], 1)));
    const out2 = this.convsOut.at(1).forward(z).add(x2);
    z = fe[4]!.forward(z);
    z = this.decoder.at(2).forward(this.convs.at(1).forward(cat([z, f1], 1)));
    const out1 = fe[5]!.forward(z).add(x);
    return [out4, out2, out1];
  }

  /** Puts a fixed Gaussian blur of σ px in front of the network (0: none). Not a parameter: weights files record it (input_sigma). */
  withInputBlur(sigma: number): this {
    if (!(sigma >= 0)) throw new Error(`MIMO-UNet: the input blur's σ must be ≥ 0, got ${sigma}`);
    this.options.inputSigma = sigma;
    return this;
  }

  /**
   * Zeroes the three output convolutions, so that every output equals its (resized) input: the model
   * starts as the identity (a translator that has not yet changed anything).
   */
  initIdentity(): this {
    noGrad(() => {
      for (const head of [this.convsOut.at(0), this.convsOut.at(1), this.featExtract.at(5)]) {
        for (const p of head.parameters()) p.zero_();
      }
    });
    return this;
  }

  /** Any H, W: replicate-pads to a multiple of 4, runs, and crops each output back to its scale. */
  forwardAnySize(x: Tensor): [Tensor, Tensor, Tensor] {
    const [, , h, w] = x.shape as [number, number, number, number];
    const ph = (4 - (h % 4)) % 4,
      pw = (4 - (w % 4)) % 4;
    if (ph === 0 && pw === 0) return this.forward(x);
    const outs = this.forward(F.pad(x, [0, pw, 0, ph], 'replicate'));
    return outs.map((o, i) => {
      const s = 4 >> i; // output scales ¼, ½, 1
      return o.slice(2, 0, Math.ceil(h / s)).slice(3, 0, Math.ceil(w / s));
    }) as [Tensor, Tensor, Tensor];
  }
}

/** Dropout2d: zeroes whole channels with probability p in training. */
class Dropout2d extends Dropout {
  override forward(x: Tensor): Tensor {
    return this.training ? F.featureDropout(x, this.p, true) : x;
  }
}
