// NAFNet — "Simple Baselines for Image Restoration" (Chen, Chu, Zhang, Sun; ECCV 2022).
// The known-domain deblurrer D_K. A U-Net of NAFBlocks: no nonlinear activations, SimpleGate
// (x₁·x₂ of the two channel halves) and simplified channel attention instead.
// Parameter names equal the official state_dict (checkpoints store {'params': state_dict}).
import { F, zeros, type Tensor } from '../tensor/index.js';
import { Conv2d, Dropout, Identity, LayerNorm2d, Module, ModuleList, PixelShuffle, Sequential } from '../nn/index.js';

/** NAFNet's size: width, blocks per encoder level, middle blocks, blocks per decoder level, dropout. */
export interface NAFNetOptions {
  imgChannels: number;
  /** Channels at full resolution; doubled at each down-sampling. */
  width: number;
  /** NAFBlocks per encoder level (one 2× down-sampling after each). */
  encBlocks: number[];
  middleBlocks: number;
  /** NAFBlocks per decoder level (after each 2× up-sampling). */
  decBlocks: number[];
  dropout: number;
}

/** Named configurations. gopro-width32/64: the official GoPro models (32.87 / 33.71 dB); small: trains on 2 CPU cores. */
export const NAFNET_PRESETS = {
  'gopro-width32': { imgChannels: 3, width: 32, encBlocks: [1, 1, 1, 28], middleBlocks: 1, decBlocks: [1, 1, 1, 1], dropout: 0 },
  'gopro-width64': { imgChannels: 3, width: 64, encBlocks: [1, 1, 1, 28], middleBlocks: 1, decBlocks: [1, 1, 1, 1], dropout: 0 },
  small: { imgChannels: 3, width: 16, encBlocks: [1, 1, 2, 4], middleBlocks: 1, decBlocks: [1, 1, 1, 1], dropout: 0 },
  /** small's depths at widths 24 and 32 (the CPU model-size pilots). */
  small24: { imgChannels: 3, width: 24, encBlocks: [1, 1, 2, 4], middleBlocks: 1, decBlocks: [1, 1, 1, 1], dropout: 0 },
  small32: { imgChannels: 3, width: 32, encBlocks: [1, 1, 2, 4], middleBlocks: 1, decBlocks: [1, 1, 1, 1], dropout: 0 },
} as const satisfies Record<string, NAFNetOptions>;
export type NAFNetPreset = keyof typeof NAFNET_PRESETS;

// Layout. The blocks run channels-last: activations are [N, H, W, C] tensors, so that LayerNorm2d is
// a layer norm over the contiguous last dimension, every 1×1 convolution is one matrix product over all
// pixels, and the depthwise, down-sampling and outer 3×3 convolutions see channels-last memory (oneDNN's
// fast path; measured 2–5× faster than NCHW here). The parameters keep PyTorch's NCHW shapes and keys.

/** [N, H, W, C] → the same memory seen as [N, C, H, W] (channels_last strides; no copy). */
const asNCHW = (x: Tensor): Tensor => x.permute([0, 3, 1, 2]);
/** [N, C, H, W] → [N, H, W, C] (no copy for channels_last memory). */
const asNHWC = (x: Tensor): Tensor => x.permute([0, 2, 3, 1]);

/** A 1×1 convolution on [N, H, W, Cin] → [N, H, W, Cout]: a matrix product over all pixels (split by rows over the threads). */
function pointwise(conv: Conv2d, x: Tensor): Tensor {
  return F.pointwiseConv(x, conv.weight, conv.bias);
}

/** Any other convolution on [N, H, W, C], through channels_last memory. */
function spatial(conv: Conv2d, x: Tensor): Tensor {
  return asNHWC(conv.forward(asNCHW(x)));
}

/** [N, H, W, 2c] → [N, H, W, c]: product of the two channel halves (SimpleGate; a fused kernel). */
const simpleGate = F.simpleGate;

/** PixelShuffle(2) on [N, H, W, 4c] → [N, 2H, 2W, c] (input channel k·4 + 2i + j → pixel (2h+i, 2w+j), as PyTorch's). */
function pixelShuffle2(x: Tensor): Tensor {
  const [n, h, w, c4] = x.shape as [number, number, number, number];
  const c = c4 / 4;
  return x
    .view([n, h, w, c, 2, 2])
    .permute([0, 1, 4, 2, 5, 3])
    .reshape([n, 2 * h, 2 * w, c]);
}

/**
 * Mean over every k0×k1 window of [N, H, W, C], same size out (TLC's local pooling): an integral image,
 * box sums of the valid windows, then edge replication back to H×W (as the official NAFNet's AvgPool2d).
 */
export function localMeanNHWC(x: Tensor, k0: number, k1: number): Tensor {
  const [, h, w] = x.shape as [number, number, number, number];
  if (k0 >= h && k1 >= w) return x.mean([1, 2], { keepdim: true });
  const a = Math.min(h, k0),
    b = Math.min(w, k1);
  const s = F.pad(x.cumsum(1).cumsum(2), [0, 0, 1, 0, 1, 0]); // [N, H+1, W+1, C], zero first row and column
  const box = (y: number, x0: number): Tensor => s.slice(1, y, y + h - a + 1).slice(2, x0, x0 + w - b + 1);
  const out = box(a, b)
    .add(box(0, 0))
    .sub(box(0, b))
    .sub(box(a, 0))
    .div(a * b); // [N, H−a+1, W−b+1, C]
  const [oh, ow] = [h - a + 1, w - b + 1];
  const padded = F.pad(asNCHW(out), [(w - ow) >> 1, (w - ow + 1) >> 1, (h - oh) >> 1, (h - oh + 1) >> 1], 'replicate');
  return asNHWC(padded);
}

/** NAFBlock(c): norm → 1×1 (2c) → depthwise 3×3 → gate → channel attention → 1×1 → +β·, then the FFN → +γ·. */
export class NAFBlock extends Module {
  readonly beta: Tensor;
  readonly gamma: Tensor;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly conv3: Conv2d;
  readonly sca: Sequential; // [AdaptiveAvgPool2d(1) (no parameters), Conv2d c→c 1×1] → keys sca.1.*
  readonly scaConv: Conv2d;
  readonly conv4: Conv2d;
  readonly conv5: Conv2d;
  readonly norm1: LayerNorm2d;
  readonly norm2: LayerNorm2d;
  readonly dropout1: Module & { forward(x: Tensor): Tensor };
  readonly dropout2: Module & { forward(x: Tensor): Tensor };
  /**
   * TLC (test-time local converter): the channel attention pools over this window of the block's feature
   * map instead of globally (set by NAFNet.useLocalPooling for inference on images larger than the
   * training crops); undefined: global pooling, as trained.
   */
  localPool: [number, number] | undefined;

  constructor(
    readonly channels: number,
    dropout = 0,
  ) {
    super();
    const c = channels;
    const dw = 2 * c; // depthwise expansion 2
    const ffn = 2 * c; // FFN expansion 2
    this.beta = this.param('beta', zeros([1, c, 1, 1]));
    this.gamma = this.param('gamma', zeros([1, c, 1, 1]));
    this.conv1 = this.child('conv1', new Conv2d(c, dw, 1));
    this.conv2 = this.child('conv2', new Conv2d(dw, dw, 3, { padding: 1, groups: dw }));
    this.conv3 = this.child('conv3', new Conv2d(dw / 2, c, 1));
    this.scaConv = new Conv2d(dw / 2, dw / 2, 1);
    this.sca = this.child('sca', new Sequential(new Identity(), this.scaConv));
    this.conv4 = this.child('conv4', new Conv2d(c, ffn, 1));
    this.conv5 = this.child('conv5', new Conv2d(ffn / 2, c, 1));
    this.norm1 = this.child('norm1', new LayerNorm2d(c));
    this.norm2 = this.child('norm2', new LayerNorm2d(c));
    this.dropout1 = this.child('dropout1', dropout > 0 ? new Dropout(dropout) : new Identity());
    this.dropout2 = this.child('dropout2', dropout > 0 ? new Dropout(dropout) : new Identity());
  }

  /** [N, c, H, W] → [N, c, H, W]. */
  forward(inp: Tensor): Tensor {
    return asNCHW(this.forwardNHWC(asNHWC(inp).contiguous())).contiguous();
  }

  /** [N, H, W, c] → [N, H, W, c]: the block on channels-last activations. */
  forwardNHWC(inp: Tensor): Tensor {
    const c = this.channels;
    let x = simpleGate(spatial(this.conv2, pointwise(this.conv1, this.norm1.forwardNHWC(inp)))); // [N, H, W, c]
    const pooled = this.localPool ? localMeanNHWC(x, ...this.localPool) : x.mean([1, 2], { keepdim: true });
    const weights = pointwise(this.scaConv, pooled); // channel attention: [N, 1, 1, c] ([N, H, W, c] with TLC)
    x = this.localPool ? x.mul(weights) : F.channelScale(x, weights);
    x = this.dropout1.forward(pointwise(this.conv3, x));
    const y = F.scaledResidual(inp, x, this.beta.view([c]));
    x = pointwise(this.conv5, simpleGate(pointwise(this.conv4, this.norm2.forwardNHWC(y))));
    return F.scaledResidual(y, this.dropout2.forward(x), this.gamma.view([c]));
  }
}

/** A Sequential of NAFBlocks on [N, H, W, c], each in its own scope (as Sequential.forward). */
function runBlocks(seq: Sequential, x: Tensor): Tensor {
  return seq.run<NAFBlock>(x, (b, y) => b.forwardNHWC(y));
}

/** Multiply-add FLOPs (2 per MAC) of one NAFBlock(c) over hw pixels: its six convolutions. */
function blockFlops(c: number, hw: number): number {
  // conv1 c→2c, depthwise 3×3 on 2c, SCA c→c (one pixel), conv3 c→c, conv4 c→2c, conv5 c→c
  return 2 * (hw * (2 * c * c + 9 * 2 * c + c * c + 2 * c * c + c * c) + c * c);
}

/**
 * Forward FLOPs of a NAFNet on an h×w input (a multiple of 2^levels), counting the convolutions (the
 * elementwise work is memory-bound and counted as none). A training step costs about 3× this.
 */
export function nafnetFlops(o: NAFNetOptions, h: number, w: number): number {
  let hw = h * w,
    c = o.width;
  let f = 2 * hw * 9 * o.imgChannels * c * 2; // intro and ending 3×3
  for (const n of o.encBlocks) {
    f += n * blockFlops(c, hw);
    f += 2 * (hw / 4) * (4 * c) * (2 * c); // 2×2 stride-2 down conv c→2c
    hw /= 4;
    c *= 2;
  }
  f += o.middleBlocks * blockFlops(c, hw);
  for (const n of o.decBlocks) {
    f += 2 * hw * c * 2 * c; // 1×1 c→2c before PixelShuffle
    hw *= 4;
    c /= 2;
    f += n * blockFlops(c, hw);
  }
  return f;
}

function blocks(n: number, c: number, dropout: number): Sequential {
  return new Sequential(...Array.from({ length: n }, () => new NAFBlock(c, dropout)));
}

/** NAFNet (Chen et al., ECCV 2022), the known-domain deblurrer D_K: a U-Net of NAFBlocks with official state_dict keys; presets `gopro-width32|64`, `small`, `small24`, `small32`. */
export class NAFNet extends Module {
  readonly options: NAFNetOptions;
  readonly intro: Conv2d;
  readonly ending: Conv2d;
  readonly encoders: ModuleList<Sequential>;
  readonly decoders: ModuleList<Sequential>;
  readonly middleBlks: Sequential;
  readonly ups: ModuleList<Sequential>;
  readonly downs: ModuleList<Conv2d>;
  /** Input sizes are padded (zeros, right/bottom) to a multiple of this, then cropped back. */
  readonly padMultiple: number;

  constructor(options: Partial<NAFNetOptions> | NAFNetPreset = 'gopro-width32') {
    super();
    const o: NAFNetOptions =
      typeof options === 'string'
        ? {
            ...NAFNET_PRESETS[options],
            encBlocks: [...NAFNET_PRESETS[options].encBlocks],
            decBlocks: [...NAFNET_PRESETS[options].decBlocks],
          }
        : { ...NAFNET_PRESETS['gopro-width32'], encBlocks: [1, 1, 1, 28], decBlocks: [1, 1, 1, 1], ...options };
    if (o.encBlocks.length !== o.decBlocks.length) {
      throw new Error(`NAFNet: ${o.encBlocks.length} encoder levels but ${o.decBlocks.length} decoder levels`);
    }
    this.options = o;
    // Registration order = official state_dict order: intro, ending, encoders, decoders, middle_blks, ups, downs.
    this.intro = this.child('intro', new Conv2d(o.imgChannels, o.width, 3, { padding: 1 }));
    this.ending = this.child('ending', new Conv2d(o.width, o.imgChannels, 3, { padding: 1 }));
    const enc: Sequential[] = [],
      downs: Conv2d[] = [],
      ups: Sequential[] = [],
      dec: Sequential[] = [];
    let chan = o.width;
    for (const n of o.encBlocks) {
      enc.push(blocks(n, chan, o.dropout));
      downs.push(new Conv2d(chan, 2 * chan, 2, { stride: 2 }));
      chan *= 2;
    }
    const middle = blocks(o.middleBlocks, chan, o.dropout);
    for (const n of o.decBlocks) {
      ups.push(new Sequential(new Conv2d(chan, 2 * chan, 1, { bias: false }), new PixelShuffle(2)));
      chan /= 2;
      dec.push(blocks(n, chan, o.dropout));
    }
    this.encoders = this.child('encoders', new ModuleList(enc));
    this.decoders = this.child('decoders', new ModuleList(dec));
    this.middleBlks = this.child('middle_blks', middle);
    this.ups = this.child('ups', new ModuleList(ups));
    this.downs = this.child('downs', new ModuleList(downs));
    this.padMultiple = 2 ** o.encBlocks.length;
  }

  /** Whether useLocalPooling is on (some block pools locally). */
  usesLocalPooling(): boolean {
    return [...this.encoders.items, this.middleBlks, ...this.decoders.items].some((seq) =>
      (seq.layers as NAFBlock[]).some((b) => b.localPool),
    );
  }

  /**
   * TLC (Chu et al., "Improving Image Restoration by Revisiting Global Information Aggregation", as the
   * official NAFNet applies it to full-size images): with a training crop size, every block's channel
   * attention pools over a window of 1.5× that crop (in image pixels, scaled to the block's level)
   * instead of the whole image; null restores global pooling. Returns this.
   */
  useLocalPooling(trainCrop: number | null): this {
    const base = trainCrop === null ? 0 : Math.floor(trainCrop * 1.5);
    const levels: [Sequential, number][] = [
      ...this.encoders.items.map((s, i) => [s, i] as [Sequential, number]),
      [this.middleBlks, this.options.encBlocks.length],
      ...this.decoders.items.map((s, i) => [s, this.options.decBlocks.length - 1 - i] as [Sequential, number]),
    ];
    for (const [seq, level] of levels) {
      const k = Math.max(1, Math.floor(base / 2 ** level));
      for (const b of seq.layers as NAFBlock[]) b.localPool = trainCrop === null ? undefined : [k, k];
    }
    return this;
  }

  /** [N, C, H, W] (any H, W) → deblurred [N, C, H, W]. */
  forward(inp: Tensor): Tensor {
    const [, , h, w] = inp.shape as [number, number, number, number];
    const m = this.padMultiple;
    const padded = F.pad(inp, [0, (m - (w % m)) % m, 0, (m - (h % m)) % m]); // zeros right/bottom
    let x = spatial(this.intro, asNHWC(padded).contiguous()); // [N, H, W, width], channels-last from here on
    const skips: Tensor[] = [];
    this.encoders.items.forEach((encoder, i) => {
      x = runBlocks(encoder, x);
      skips.push(x);
      x = spatial(this.downs.at(i), x); // [N, H/2, W/2, 2c]
    });
    x = runBlocks(this.middleBlks, x);
    this.decoders.items.forEach((decoder, i) => {
      const up = this.ups.at(i).layers[0] as Conv2d;
      x = pixelShuffle2(pointwise(up, x)).add(skips[skips.length - 1 - i]!); // [N, 2H, 2W, c/2] + skip
      x = runBlocks(decoder, x);
    });
    const out = asNCHW(spatial(this.ending, x)).add(padded); // global residual
    return out.slice(2, 0, h).slice(3, 0, w).contiguous();
  }
}
