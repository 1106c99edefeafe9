// The translator's training config: the paper's recipe and the official code's, at the paper's sizes
// or at sizes that train on a few CPU cores.
import { GAN_LOSSES, type GanLoss } from '../losses/gan.js';
import { CONTENT_LOSSES, type ContentLossKind } from '../losses/perceptual.js';
import { parseArch } from '../models/index.js';
import { checkConfig, type Spec } from './config-check.js';

export interface TranslatorConfig {
  /** Blurry images B of the target camera (a folder of images). */
  blur: string;
  /** The known-blur set K (b2b make-known writes it). */
  known: string;
  /** Pairs of the target camera with ground truth, for validation only (simulated benchmarks); or null. */
  valPairs: string | null;
  /** The known-domain deblurrer D_K (run folder or weights), for the validation PSNR of D_K(G(y)); or null. */
  deblurrer: string | null;
  /** G: a MIMO-UNet id. */
  arch: string;
  /** D: the PatchGAN size. */
  disc: 'small' | 'paper';
  gan: GanLoss;
  /** Weight of the gradient penalty (Eq. 4). */
  lambdaGp: number;
  /** The penalty on the full-scale output only (official code) or on all three scales. */
  gpScales: 'full' | 'all';
  /** Weight of the multi-scale content loss (Eq. 5). */
  lambdaRec: number;
  content: ContentLossKind;
  /** torchvision VGG weights for the 'vgg16' / 'vgg19' content losses. */
  vggWeights: string | null;
  lowpassSigma: number;
  /** What D sees: the images ('rgb', the paper) or their high-pass (image − Gaussian σ 2), blind to colour. */
  discInput: 'rgb' | 'highpass';
  /** Start G as the identity (its output convolutions zeroed) instead of the default initialisation. */
  identityInit: boolean;
  /** D's learning rate relative to G's (two time-scale update rule; 1: the same). */
  discLrScale: number;
  /** Steps at the start in which only D trains (G is held), so that G's first gradients mean something. */
  discWarmup: number;
  /** Curriculum by blur degree: the easiest `curriculumFraction` of each B batch until step `curriculumSteps`. */
  curriculum: boolean;
  curriculumFraction: number;
  curriculumSteps: number;
  crop: number;
  batch: number;
  steps: number;
  lr: number;
  betas: [number, number];
  /** Constant rate for this share of the steps, then linear decay to zero (pix2pix schedule). */
  constantFraction: number;
  seed: number;
  valEvery: number;
  ckptEvery: number;
  valImages: number;
  /** G's starting weights; null: fresh. */
  init: string | null;
  /** The weights the run ships: G after the last step, or G at its best validation PSNR of D_K(G(y))
   * (needs valPairs and deblurrer; a selection on the validation split, never on test images). */
  final: 'last' | 'best';
}

const SPEC: Spec<TranslatorConfig> = {
  blur: 'string', known: 'string', valPairs: 'string?', deblurrer: 'string?', arch: 'string', disc: 'string', gan: 'string',
  lambdaGp: 'number', gpScales: 'string', lambdaRec: 'number', content: 'string', vggWeights: 'string?', lowpassSigma: 'number',
  discInput: 'string', identityInit: 'boolean', discLrScale: 'number', discWarmup: 'int', curriculum: 'boolean', curriculumFraction: 'number', curriculumSteps: 'int', crop: 'int', batch: 'int',
  steps: 'int', lr: 'number', betas: 'pair', constantFraction: 'number', seed: 'int', valEvery: 'int', ckptEvery: 'int',
  valImages: 'int', init: 'string?', final: 'string',
};

type Recipe = Omit<TranslatorConfig, 'blur' | 'known' | 'valPairs' | 'deblurrer' | 'vggWeights' | 'init' | 'arch' | 'disc' | 'crop' | 'batch' | 'steps' | 'seed' | 'valEvery' | 'ckptEvery' | 'valImages' | 'final'>;

/** The loss recipes. Without ImageNet VGG weights the paper's and the official code's content loss falls back to 'lowpass'. */
export const RECIPES = {
  /** The paper: log-loss GAN, λ_grad 0.005, VGG19 features, λ_rec 0.8, curriculum. */
  paper: {
    gan: 'vanilla', lambdaGp: 0.005, gpScales: 'full', lambdaRec: 0.8, content: 'vgg19', lowpassSigma: 2, discInput: 'rgb', identityInit: true, discLrScale: 1, discWarmup: 0,
    curriculum: true, curriculumFraction: 0.5, curriculumSteps: 0.5, lr: 2e-4, betas: [0.5, 0.999], constantFraction: 0.5,
  },
  /** The official code: hinge, λ_gp 1e-4 at full scale, VGG16 slices, no curriculum, Adam 2e-4 (0.5, 0.999). */
  'official-code': {
    gan: 'hinge', lambdaGp: 1e-4, gpScales: 'full', lambdaRec: 0.8, content: 'vgg16', lowpassSigma: 2, discInput: 'rgb', identityInit: true, discLrScale: 1, discWarmup: 0,
    curriculum: false, curriculumFraction: 0.5, curriculumSteps: 0.5, lr: 2e-4, betas: [0.5, 0.999], constantFraction: 0.5,
  },
  /**
   * Measured on this project's CPU benchmark without ImageNet VGG weights (docs/experiments.md §3):
   * hinge, λ_gp 1e-4, D sees the high-pass only (blind to colour), content = low-pass L1 + a cap on
   * local high-frequency energy (G may remove noise, not invent texture), 100 D-only steps first.
   */
  measured: {
    gan: 'hinge', lambdaGp: 1e-4, gpScales: 'full', lambdaRec: 0.8, content: 'lowpass-hfcap', lowpassSigma: 2, discInput: 'highpass', identityInit: true, discLrScale: 1, discWarmup: 100,
    curriculum: true, curriculumFraction: 0.5, curriculumSteps: 0.5, lr: 2e-4, betas: [0.5, 0.999], constantFraction: 0.5,
  },
} as const satisfies Record<string, Omit<Recipe, 'curriculumSteps'> & { curriculumSteps: number }>;
export type RecipeName = keyof typeof RECIPES;

/** Model and batch sizes: the paper's (GPUs), and ones that train in an hour on 2 CPU cores. */
export const SIZES = {
  paper: { arch: 'mimo-unet', disc: 'paper', crop: 256, batch: 16, steps: 200000, valEvery: 5000, ckptEvery: 5000, valImages: 16 },
  small: { arch: 'mimo-unet-small', disc: 'small', crop: 128, batch: 4, steps: 3000, valEvery: 250, ckptEvery: 250, valImages: 8 },
} as const;
export type SizeName = keyof typeof SIZES;

/**
 * The content loss used when a recipe asks for VGG features and no ImageNet VGG weights are given
 * (they cannot be downloaded here). Chosen by measurement: docs/experiments.md.
 */
export const FALLBACK_CONTENT: ContentLossKind = 'lowpass';

/**
 * A full config from a recipe, a size and overrides. `curriculumSteps` in a recipe is a share of the
 * steps (the paper widens at 200k of 400k); in the config it is a step count.
 */
export function translatorConfig(recipe: RecipeName, size: SizeName, overrides: Partial<TranslatorConfig>): Record<string, unknown> {
  const r = RECIPES[recipe], s = SIZES[size];
  const steps = overrides.steps ?? s.steps;
  // The measured recipe's content loss needs no VGG; the paper's and the official code's fall back.
  const content = overrides.vggWeights || !r.content.startsWith('vgg') ? r.content : FALLBACK_CONTENT;
  return {
    blur: '', known: '', valPairs: null, deblurrer: null, vggWeights: null, init: null, seed: 0, final: 'last',
    ...s, ...r, betas: [...r.betas], curriculumSteps: Math.round(r.curriculumSteps * steps), content, ...overrides,
  };
}

export function resolveTranslatorConfig(v: Record<string, unknown>, source = 'translator config'): TranslatorConfig {
  // Runs configured before 'final' existed kept their last weights.
  const c = checkConfig<TranslatorConfig>({ final: 'last', ...v }, SPEC, source);
  const oneOf = (k: keyof TranslatorConfig, allowed: readonly string[]): void => {
    if (!allowed.includes(c[k] as string)) throw new Error(`${source}: '${k}' must be one of ${allowed.join(', ')}, got '${String(c[k])}'`);
  };
  oneOf('gan', GAN_LOSSES);
  oneOf('content', CONTENT_LOSSES);
  oneOf('disc', ['small', 'paper']);
  oneOf('gpScales', ['full', 'all']);
  oneOf('discInput', ['rgb', 'highpass']);
  oneOf('final', ['last', 'best']);
  if (c.final === 'best' && (!c.valPairs || !c.deblurrer)) throw new Error(`${source}: final 'best' selects on validation: give valPairs and deblurrer`);
  const arch = parseArch(c.arch);
  if (!arch.startsWith('mimo-unet')) throw new Error(`${source}: the translator is a MIMO-UNet (mimo-unet-small, mimo-unet, mimo-unet-plus), got '${c.arch}'`);
  if (!c.blur) throw new Error(`${source}: give the target camera's blurry images (blur)`);
  if (!c.known) throw new Error(`${source}: give the known-blur set K (known; b2b make-known makes it)`);
  // D judges the ¼ scale too: its three stride-2 layers and two 4×4 convs need at least 32×32 there.
  if (c.crop % 16 || c.crop < 128) throw new Error(`${source}: crop must be a multiple of 16 and at least 128 (the discriminator sees the ¼ scale), got ${c.crop}`);
  if (c.curriculumFraction <= 0 || c.curriculumFraction > 1) throw new Error(`${source}: curriculumFraction must be in (0, 1], got ${c.curriculumFraction}`);
  if (c.constantFraction > 1) throw new Error(`${source}: constantFraction must be in [0, 1], got ${c.constantFraction}`);
  if (c.batch < 1) throw new Error(`${source}: batch must be at least 1`);
  return { ...c, arch };
}
