// The translator's content (reconstruction) loss, Blur2Blur Eq. 5: Σ over scales i of
// ‖φ(y_i) − φ(G(y)_i)‖₁ / (C·H·W), between each input scale y_i and the matching output of G.
// φ is one of:
//   vgg19      (the paper): VGG19 relu1_1, relu2_1, relu3_1, relu4_1, relu5_1, weighted 1/32 … 1
//              (the pix2pixHD feature loss the official code descends from);
//   vgg16      (the official code's slices): the official code cuts VGG16 after conv2_2, conv3_3,
//              conv4_1, conv4_3 and conv5_1, but each slice ends where the next begins with an in-place
//              ReLU, so the tensors it compares are relu2_2, relu3_3, relu4_1, relu4_3 and conv5_1
//              (weights 1/32 … 1);
//   lowpass    the fallback when no ImageNet VGG weights are at hand: L1 between Gaussian low-passes
//              (σ proportional to the scale). Blur lives in the high frequencies; content, colour and
//              exposure in the low ones, so this keeps what G must keep and leaves the blur free.
//   lowpass-hf the low-pass term plus an L1 between local high-frequency energy maps (|x − blur_1(x)|
//              smoothed by a Gaussian of σ 4): where the image has detail and how much may not change,
//              but its shape (the blur's direction and extent) may. It bounds the high-frequency
//              patterns a generator can invent to fool the discriminator.
//   lowpass-hfcap  the low-pass term plus a one-sided penalty on local high-frequency energy above the
//              input's: G may remove noise and detail (turn a noisy blur into a clean one) but may not
//              add texture, so invented patterns cost while smoothing is left to the discriminator.
// A VGG without a weights file has random weights: allowed only when asked for by name ('vgg19-random',
// 'vgg16-random'), and described as such in every run log — never silently.
import { F, noGrad, scope, tensor, type Device, type Tensor } from '../tensor/index.js';

const { gaussianBlur } = F;
import { VGGFeatures } from '../models/vgg.js';

export const CONTENT_LOSSES = ['vgg19', 'vgg16', 'vgg19-random', 'vgg16-random', 'lowpass', 'lowpass-hf', 'lowpass-hfcap'] as const;
export type ContentLossKind = (typeof CONTENT_LOSSES)[number];

export const VGG19_LAYERS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'] as const;
export const VGG16_OFFICIAL_LAYERS = ['relu2_2', 'relu3_3', 'relu4_1', 'relu4_3', 'conv5_1'] as const;
export const VGG_LAYER_WEIGHTS = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1] as const;

export interface ContentLoss {
  /** One line for the run log: which features are compared and where their weights came from. */
  readonly description: string;
  /** Σ_i mean |φ(inputs_i) − φ(outputs_i)|; inputs are constants (no gradient flows into them). */
  loss(inputs: readonly Tensor[], outputs: readonly Tensor[]): Tensor;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface ContentLossOptions {
  /** torchvision VGG weights (vgg16-397923af.pth / vgg19-dcbb9e9d.pth, or safetensors of them). */
  vggWeights?: string | null;
  /** σ in pixels of the low-pass at full scale (halved at each coarser scale). */
  lowpassSigma?: number;
  /** Where a VGG loss's network lives ('cpu' default). */
  device?: Device;
}

class VGGContent implements ContentLoss {
  readonly description: string;
  private readonly vgg: VGGFeatures;

  constructor(
    depth: 16 | 19,
    private readonly layers: readonly string[],
    weightsFile: string | null,
    imagenet: boolean,
    device: Device,
  ) {
    this.vgg = new VGGFeatures({ depth, imagenetNormalize: imagenet });
    if (weightsFile) this.vgg.loadTorchvision(weightsFile);
    if (device !== 'cpu') this.vgg.to(device);
    this.vgg.eval();
    const src = weightsFile ? `weights from ${weightsFile}` : 'RANDOM weights (torch default init; no ImageNet weights given)';
    this.description = `VGG${depth} features ${layers.join(', ')} (weights ${VGG_LAYER_WEIGHTS.map((w) => (w === 1 ? '1' : `1/${1 / w}`)).join(', ')}), ${src}`;
  }

  loss(inputs: readonly Tensor[], outputs: readonly Tensor[]): Tensor {
    let total: Tensor | undefined;
    inputs.forEach((x, i) => {
      const target = noGrad(() => this.vgg.extract(x, this.layers).map((t) => t.keep()));
      const pred = this.vgg.extract(outputs[i]!, this.layers);
      pred.forEach((p, j) => {
        const term = p.sub(target[j]!).abs().mean().mul(VGG_LAYER_WEIGHTS[j]!);
        total = total ? total.add(term) : term;
      });
      for (const t of target) t.dispose();
    });
    return total!;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    this.vgg.dispose();
  }
}

/** Local high-frequency energy: |x − Gaussian_1(x)| averaged over colour, smoothed by a Gaussian of σ 4. */
export function highFrequencyEnergy(x: Tensor): Tensor {
  return gaussianBlur(x.sub(gaussianBlur(x, 1)).abs().mean(1, { keepdim: true }), 4);
}

class LowpassContent implements ContentLoss {
  readonly description: string;

  constructor(
    private readonly sigma: number,
    private readonly hfWeight = 0,
    private readonly oneSided = false,
  ) {
    this.description =
      `low-pass L1 (Gaussian σ ${sigma} px at full scale, halved per scale)` +
      (hfWeight > 0
        ? ` + ${hfWeight} × ${oneSided ? "mean excess of local high-frequency energy over the input's" : 'L1 of local high-frequency energy'}`
        : '') +
      ': no VGG weights were given';
  }

  loss(inputs: readonly Tensor[], outputs: readonly Tensor[]): Tensor {
    let total: Tensor | undefined;
    const n = inputs.length;
    inputs.forEach((x, i) => {
      // Scales come coarse to fine (¼, ½, 1): the last is full scale.
      const sigma = Math.max(0.5, this.sigma / 2 ** (n - 1 - i));
      const target = noGrad(() => gaussianBlur(x, sigma).keep());
      let term = gaussianBlur(outputs[i]!, sigma).sub(target).abs().mean();
      target.dispose();
      if (this.hfWeight > 0) {
        const energy = noGrad(() => highFrequencyEnergy(x).keep());
        const diff = highFrequencyEnergy(outputs[i]!).sub(energy);
        term = term.add((this.oneSided ? diff.relu() : diff.abs()).mean().mul(this.hfWeight));
        energy.dispose();
      }
      total = total ? total.add(term) : term;
    });
    return total!;
  }

  [Symbol.dispose](): void {}

  dispose(): void {}
}

/** Builds the content loss; a VGG loss without weights is refused unless its '-random' form is named. */
export function contentLoss(kind: ContentLossKind, o: ContentLossOptions = {}): ContentLoss {
  const weights = o.vggWeights ?? null;
  switch (kind) {
    case 'vgg19':
    case 'vgg16':
      if (!weights) {
        throw new Error(
          `content loss '${kind}' needs ImageNet VGG weights (--vgg-weights FILE, torchvision's ${kind === 'vgg19' ? 'vgg19-dcbb9e9d.pth' : 'vgg16-397923af.pth'}); ` +
            `without them use 'lowpass' or, knowingly, '${kind}-random'`,
        );
      }
      // The paper's VGG19 gets torchvision's ImageNet normalisation; the official code feeds its VGG16
      // [0, 1] images as they are, and so does the 'vgg16' loss here.
      return new VGGContent(
        kind === 'vgg19' ? 19 : 16,
        kind === 'vgg19' ? VGG19_LAYERS : VGG16_OFFICIAL_LAYERS,
        weights,
        kind === 'vgg19',
        o.device ?? 'cpu',
      );
    case 'vgg19-random':
    case 'vgg16-random':
      return new VGGContent(
        kind === 'vgg19-random' ? 19 : 16,
        kind === 'vgg19-random' ? VGG19_LAYERS : VGG16_OFFICIAL_LAYERS,
        null,
        false,
        o.device ?? 'cpu',
      );
    case 'lowpass':
      return new LowpassContent(o.lowpassSigma ?? 2);
    case 'lowpass-hf':
      return new LowpassContent(o.lowpassSigma ?? 2, 1);
    case 'lowpass-hfcap':
      return new LowpassContent(o.lowpassSigma ?? 2, 4, true);
  }
}
