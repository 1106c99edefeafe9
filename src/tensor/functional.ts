// Neural-network functions on tensors: convolution, pooling, resampling, padding, normalisation,
// Gaussian blur, warping and FFTs. Shapes follow PyTorch: images are [N, C, H, W].
import { aten } from './aten.js';
import { native, type TensorHandle } from './native.js';
import { activeRecorder, type FusedKernel } from './trace.js';
import { Tensor, wrap } from './tensor.js';
import { scope } from './scope.js';
import { tensor } from './create.js';

type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

const conv2dOp = aten('conv2d'),
  convT2dOp = aten('conv_transpose2d', 'input'),
  linearOp = aten('linear');

/** x [N,Cin,H,W], weight [Cout, Cin/groups, kh, kw], bias [Cout] → [N,Cout,H',W']. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor, o: Conv2dOptions = {}): Tensor {
  return wrap(conv2dOp(x.h, weight.h, bias?.h ?? null, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, o.groups ?? 1));
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: Pair;
}

/** x [N,Cin,H,W], weight [Cin, Cout/groups, kh, kw] → [N,Cout,H',W']. */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor, o: ConvTranspose2dOptions = {}): Tensor {
  return wrap(
    convT2dOp(x.h, weight.h, bias?.h ?? null, o.stride ?? 1, o.padding ?? 0, o.outputPadding ?? 0, o.groups ?? 1, o.dilation ?? 1),
  );
}

/** x [..., in], weight [out, in], bias [out] → [..., out]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  return wrap(linearOp(x.h, weight.h, bias?.h ?? null));
}

// ---- pooling -----------------------------------------------------------------------------------
export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
}
const avgPoolOp = aten('avg_pool2d'),
  maxPoolOp = aten('max_pool2d'),
  adaptiveAvgOp = aten('adaptive_avg_pool2d');

export function avgPool2d(x: Tensor, kernel: Pair, o: Pool2dOptions & { countIncludePad?: boolean } = {}): Tensor {
  return wrap(avgPoolOp(x.h, kernel, o.stride ?? kernel, o.padding ?? 0, o.ceilMode ?? false, o.countIncludePad ?? true));
}
export function maxPool2d(x: Tensor, kernel: Pair, o: Pool2dOptions & { dilation?: Pair } = {}): Tensor {
  return wrap(maxPoolOp(x.h, kernel, o.stride ?? kernel, o.padding ?? 0, o.dilation ?? 1, o.ceilMode ?? false));
}
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  return wrap(adaptiveAvgOp(x.h, typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize));
}

// ---- resampling --------------------------------------------------------------------------------
export interface InterpolateOptions {
  /** Output [H, W]; or give scaleFactor. */
  size?: readonly [number, number];
  scaleFactor?: number | readonly [number, number];
  mode?: 'nearest' | 'bilinear' | 'bicubic';
  alignCorners?: boolean;
}
const upNearest = aten('upsample_nearest2d', 'vec'),
  upBilinear = aten('upsample_bilinear2d', 'vec');
const upBicubic = aten('upsample_bicubic2d', 'vec');

/** Resizes [N,C,H,W] images like torch.nn.functional.interpolate (no antialiasing). */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  if ((o.size === undefined) === (o.scaleFactor === undefined)) {
    throw new Error('interpolate: give exactly one of size and scaleFactor');
  }
  const size = o.size ?? null;
  const scale = o.scaleFactor === undefined ? null : typeof o.scaleFactor === 'number' ? [o.scaleFactor, o.scaleFactor] : o.scaleFactor;
  const mode = o.mode ?? 'nearest';
  if (mode === 'nearest') {
    if (o.alignCorners !== undefined) throw new Error("interpolate: alignCorners is not used with mode 'nearest'");
    return wrap(upNearest(x.h, size, scale));
  }
  const op = mode === 'bilinear' ? upBilinear : upBicubic;
  return wrap(op(x.h, size, o.alignCorners ?? false, scale));
}

const pixelShuffleOp = aten('pixel_shuffle'),
  pixelUnshuffleOp = aten('pixel_unshuffle');
/** [N, C·r², H, W] → [N, C, H·r, W·r]. */
export function pixelShuffle(x: Tensor, r: number): Tensor {
  return wrap(pixelShuffleOp(x.h, r));
}
/** [N, C, H·r, W·r] → [N, C·r², H, W]. */
export function pixelUnshuffle(x: Tensor, r: number): Tensor {
  return wrap(pixelUnshuffleOp(x.h, r));
}

const padOp = aten('pad');
/** Pads the last dims: pads = [left, right, top, bottom, ...] as torch.nn.functional.pad. */
export function pad(
  x: Tensor,
  pads: readonly number[],
  mode: 'constant' | 'reflect' | 'replicate' | 'circular' = 'constant',
  value = 0,
): Tensor {
  return wrap(padOp(x.h, pads, mode, mode === 'constant' ? value : null));
}

/** Wraps a fused kernel's result, telling the active recorder (tensor layer's trace.ts) what ran. */
function fused(kernel: FusedKernel, result: TensorHandle, ...args: (TensorHandle | number | undefined)[]): Tensor {
  activeRecorder()?.fused(kernel, args, result);
  return wrap(result);
}

// ---- Gaussian blur ----------------------------------------------------------------------------
/** A normalised 1-D Gaussian of standard deviation σ, radius ⌈3σ⌉. */
export function gaussianKernel1d(sigma: number): number[] {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
}

/** Separable Gaussian blur of [N, C, H, W] with reflect padding (differentiable). */
export function gaussianBlur(x: Tensor, sigma: number): Tensor {
  const k = gaussianKernel1d(sigma);
  const r = (k.length - 1) / 2,
    c = x.shape[1]!;
  return scope(() => {
    const kx = tensor(k, { device: x.device }).view([1, 1, 1, k.length]).expand([c, 1, 1, k.length]).contiguous();
    const ky = kx.view([c, 1, k.length, 1]);
    const p = pad(x, [r, r, r, r], x.shape[2]! > r && x.shape[3]! > r ? 'reflect' : 'replicate');
    return conv2d(conv2d(p, kx, undefined, { groups: c }), ky, undefined, { groups: c });
  });
}

// ---- normalisation -----------------------------------------------------------------------------
const layerNormOp = aten('layer_norm'),
  groupNormOp = aten('group_norm');
const instanceNormOp = aten('instance_norm'),
  batchNormOp = aten('batch_norm');

export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  return wrap(layerNormOp(x.h, normalizedShape, weight?.h ?? null, bias?.h ?? null, eps, true));
}
/**
 * layer_norm over the last dimension ([..., C] → [..., C], weight and bias [C]), as layerNorm(x, [C], …),
 * through the addon's fused kernel for float32 on the CPU (ATen's otherwise). For channels-last activations.
 */
export function layerNormLast(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  return fused('layerNormLast', native.layerNormLast(x.h, weight.h, bias.h, eps), x.h, weight.h, bias.h, eps);
}

/** NAFNet's SimpleGate on the last dimension: [..., 2c] → [..., c], x[..., :c]·x[..., c:], fused forward and backward. */
export function simpleGate(x: Tensor): Tensor {
  return fused('simpleGate', native.simpleGate(x.h), x.h);
}

/**
 * A 1×1 convolution on channels-last activations: [..., Cin] · wᵀ + b with w [Cout, Cin] or
 * [Cout, Cin, 1, 1] (a Conv2d's own weight; its gradient keeps that shape), the matrix products split
 * by rows over libtorch's threads.
 */
export function pointwiseConv(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  return fused('pointwiseConv', native.pointwiseConv(x.h, weight.h, bias?.h), x.h, weight.h, bias?.h);
}

/** [N, H, W, C] · s [N, 1, 1, C] (a per-image channel scale: NAFNet's attention), fused forward and backward. */
export function channelScale(x: Tensor, s: Tensor): Tensor {
  return fused('channelScale', native.channelScale(x.h, s.h), x.h, s.h);
}

/** r + x·w for w [C] on the last dimension (NAFNet's β and γ branches), fused forward and backward. */
export function scaledResidual(r: Tensor, x: Tensor, w: Tensor): Tensor {
  return fused('scaledResidual', native.scaledResidual(r.h, x.h, w.h), r.h, x.h, w.h);
}

export function groupNorm(x: Tensor, groups: number, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  return wrap(groupNormOp(x.h, groups, weight?.h ?? null, bias?.h ?? null, eps, true));
}

export interface RunningStats {
  runningMean?: Tensor;
  runningVar?: Tensor;
  /** Use batch statistics (and update running ones when given). */
  training: boolean;
  momentum?: number;
  eps?: number;
}
export function instanceNorm(x: Tensor, weight?: Tensor, bias?: Tensor, o: RunningStats = { training: true }): Tensor {
  return wrap(
    instanceNormOp(
      x.h,
      weight?.h ?? null,
      bias?.h ?? null,
      o.runningMean?.h ?? null,
      o.runningVar?.h ?? null,
      o.training,
      o.momentum ?? 0.1,
      o.eps ?? 1e-5,
      true,
    ),
  );
}
export function batchNorm(x: Tensor, weight: Tensor | undefined, bias: Tensor | undefined, o: RunningStats): Tensor {
  return wrap(
    batchNormOp(
      x.h,
      weight?.h ?? null,
      bias?.h ?? null,
      o.runningMean?.h ?? null,
      o.runningVar?.h ?? null,
      o.training,
      o.momentum ?? 0.1,
      o.eps ?? 1e-5,
      true,
    ),
  );
}

const dropoutOp = aten('dropout');
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  return wrap(dropoutOp(x.h, p, training));
}

// ---- warping -----------------------------------------------------------------------------------
export interface GridSampleOptions {
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
}
const gridSamplerOp = aten('grid_sampler'),
  affineGridOp = aten('affine_grid_generator');
const MODES = { bilinear: 0, nearest: 1, bicubic: 2 } as const;
const PADDINGS = { zeros: 0, border: 1, reflection: 2 } as const;

/** Samples x [N,C,H,W] at grid [N,Ho,Wo,2] (x, y in [-1, 1]) → [N,C,Ho,Wo]. */
export function gridSample(x: Tensor, grid: Tensor, o: GridSampleOptions = {}): Tensor {
  return wrap(gridSamplerOp(x.h, grid.h, MODES[o.mode ?? 'bilinear'], PADDINGS[o.paddingMode ?? 'zeros'], o.alignCorners ?? false));
}
/** theta [N,2,3] → sampling grid [N,H,W,2] for output size [N,C,H,W]. */
export function affineGrid(theta: Tensor, size: readonly [number, number, number, number], alignCorners = false): Tensor {
  return wrap(affineGridOp(theta.h, size, alignCorners));
}

// ---- FFT ---------------------------------------------------------------------------------------
export type FftNorm = 'backward' | 'ortho' | 'forward';
const fft2Op = aten('fft_fft2'),
  ifft2Op = aten('fft_ifft2'),
  rfft2Op = aten('fft_rfft2'),
  irfft2Op = aten('fft_irfft2');

/** 2-D FFT over the last two dims (complex result). */
export function fft2(x: Tensor, norm: FftNorm = 'backward'): Tensor {
  return wrap(fft2Op(x.h, null, [-2, -1], norm));
}
export function ifft2(x: Tensor, norm: FftNorm = 'backward'): Tensor {
  return wrap(ifft2Op(x.h, null, [-2, -1], norm));
}
/** Real-input 2-D FFT over the last two dims: [..., H, W] → complex [..., H, W/2+1]. */
export function rfft2(x: Tensor, norm: FftNorm = 'backward'): Tensor {
  return wrap(rfft2Op(x.h, null, [-2, -1], norm));
}
/** Inverse of rfft2; `size` gives the real output's [H, W]. */
export function irfft2(x: Tensor, size?: readonly [number, number], norm: FftNorm = 'backward'): Tensor {
  return wrap(irfft2Op(x.h, size ?? null, [-2, -1], norm));
}

const featureDropoutOp = aten('feature_dropout');
/** Channel-wise dropout (Dropout2d): zeroes whole [H, W] planes with probability p. */
export function featureDropout(x: Tensor, p: number, training: boolean): Tensor {
  return wrap(featureDropoutOp(x.h, p, training));
}
