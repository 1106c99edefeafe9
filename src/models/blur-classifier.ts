// A small blur-domain classifier: does an image carry the known blur (K) or the camera's own (B)? It
// checks a translator without ground truth, as Blur2Blur's supplement does (its Table 6): the share of
// translated images G(B) it calls known-blur. Fine scales first (blur lives there), then global average
// pooling, so that a verdict rests on local statistics rather than on where things are in the scene.
// 3×3 convs: width (stride 1) → width → 2·width → 2·width (strides 2), LeakyReLU 0.2, mean, linear.
// This model is blur2blur's own (no official weights); parameter names follow torch.nn.Sequential.
import type { Tensor } from '../tensor/index.js';
import { Conv2d, LeakyReLU, Linear, Module, Sequential } from '../nn/index.js';

export interface BlurClassifierOptions {
  /** Channels of the first layers (the last two have twice as many). */
  width: number;
}

export const BLUR_CLASSIFIER_PRESETS = {
  small: { width: 32 },
} as const satisfies Record<string, BlurClassifierOptions>;
export type BlurClassifierPreset = keyof typeof BLUR_CLASSIFIER_PRESETS;

/** The blur-domain classifier: an image batch in [0, 1] → one logit per image (positive: the known blur K). */
export class BlurClassifier extends Module {
  readonly options: BlurClassifierOptions;
  readonly features: Sequential;
  readonly head: Linear;

  constructor(options: Partial<BlurClassifierOptions> | BlurClassifierPreset = 'small') {
    super();
    const o = typeof options === 'string' ? { ...BLUR_CLASSIFIER_PRESETS[options] } : { ...BLUR_CLASSIFIER_PRESETS.small, ...options };
    this.options = o;
    const w = o.width;
    this.features = this.child(
      'features',
      new Sequential(
        new Conv2d(3, w, 3, { padding: 1 }),
        new LeakyReLU(0.2),
        new Conv2d(w, w, 3, { stride: 2, padding: 1 }),
        new LeakyReLU(0.2),
        new Conv2d(w, 2 * w, 3, { stride: 2, padding: 1 }),
        new LeakyReLU(0.2),
        new Conv2d(2 * w, 2 * w, 3, { stride: 2, padding: 1 }),
        new LeakyReLU(0.2),
      ),
    );
    this.head = this.child('head', new Linear(2 * w, 1));
  }

  /** [N, 3, H, W] in [0, 1] → logits [N]: positive means the known blur K. */
  forward(x: Tensor): Tensor {
    // Each tile standardised (its mean and contrast removed) so that a verdict rests on the spectrum's
    // shape, not on the scene's brightness or contrast.
    const m = x.mean([1, 2, 3], { keepdim: true }),
      s = x.std([1, 2, 3], { keepdim: true, correction: 0 }).add(0.02);
    const f = this.features.forward(x.sub(m).div(s)).mean([2, 3]); // [N, 2w]
    return this.head.forward(f).flatten();
  }
}
