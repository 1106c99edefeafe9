// The translator's training config: the paper's recipe and the official code's, at the paper's sizes
// or at sizes that train on a few CPU cores.
import { GAN_LOSSES, type GanLoss } from '../losses/gan.js';
import { CONTENT_LOSSES, type ContentLossKind } from '../losses/perceptual.js';
import { parseArch } from '../models/index.js';
import { BASE_OPTIONS, checkConfig, oneOf, type OptionTable, type TrainConfigBase } from './options.js';

/** The base fields (arch: G's MIMO-UNet id; init: G's starting weights) and the translator's own. */
export interface TranslatorConfig extends TrainConfigBase {
  /** Blurry images B of the target camera (a folder of images). */
  blur: string;
  /** The known-blur set K (b2b make-known writes it). */
  known: string;
  /** Pairs of the target camera with ground truth, for validation only (simulated benchmarks); or null. */
  valPairs: string | null;
  /** The known-domain deblurrer D_K (run folder or weights), for the validation PSNR of D_K(G(y)); or null. */
  deblurrer: string | null;
  /** A blur-domain classifier's run (b2b train domain-classifier): validation also reports how known-blur
   * G(B) looks to it, on images of B (no ground truth needed); or null. */
  domainClassifier: string | null;
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
  /** σ (px) of a fixed Gaussian in front of G (0: none): G(y) = MIMO-UNet(G_σ * y), so an identity-started G begins as that low-pass. */
  inputSigma: number;
  /** Weight of the denoising term (0: off): the camera's own noise, taken from the flattest patches of
   * B, is added to known-blur crops and G must give the crops back, L1 at full scale. */
  denoise: number;
  /** The camera's JPEG quality range [lo, hi] (1–100), or null: the denoising term's noisy crops are then
   * also written as JPEG at a quality drawn from it, so G learns to take the blocking away too. */
  jpeg: [number, number] | null;
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
  /** Constant rate for this share of the steps, then linear decay to zero (pix2pix schedule). */
  constantFraction: number;
  /** The weights the run ships: G after the last step, or G at its best validation PSNR of D_K(G(y))
   * (needs valPairs and deblurrer; a selection on the validation split, never on test images). */
  final: 'last' | 'best' | 'domain';
}

export const TRANSLATOR_OPTIONS: OptionTable<TranslatorConfig> = {
  ...BASE_OPTIONS,
  arch: { ...BASE_OPTIONS.arch, help: "G's MIMO-UNet: mimo-unet-small, mimo-unet or mimo-unet-plus (--size sets it)" },
  crop: { ...BASE_OPTIONS.crop, min: 128, help: 'side of the training crops, a multiple of 16 (D sees the ¼ scale)' },
  blur: { type: 'string', flag: 'blur', arg: 'DIR', help: "the target camera's blurry images B" },
  known: { type: 'string', flag: 'known', arg: 'DIR', help: 'the known-blur set K (b2b make-known)' },
  valPairs: { type: 'string?', flag: 'val-pairs', arg: 'DIR', help: 'pairs of the target camera with ground truth (validation only)' },
  deblurrer: { type: 'string?', flag: 'deblurrer', arg: 'RUN', help: 'D_K, for the validation PSNR of D_K(G(y)) and sample grids' },
  domainClassifier: {
    type: 'string?',
    flag: 'domain-classifier',
    arg: 'RUN',
    help: 'a blur-domain classifier: validation also reports P(known blur) of G(B) on images of B (no ground truth)',
  },
  disc: { type: 'string', choices: ['small', 'paper'], help: 'the PatchGAN size (--size sets it)' },
  gan: oneOf(GAN_LOSSES, 'gan', 'L', 'the adversarial loss: hinge, vanilla (log-loss) or lsgan'),
  lambdaGp: { type: 'number', min: 0, flag: 'lambda-gp', arg: 'X', help: 'gradient-penalty weight' },
  gpScales: oneOf(['full', 'all'], 'gp-scales', 'S', 'the penalty at full scale only, or at all three'),
  lambdaRec: { type: 'number', min: 0, flag: 'lambda-rec', arg: 'X', help: 'content-loss weight' },
  content: oneOf(CONTENT_LOSSES, 'content', 'C', `${CONTENT_LOSSES.join(', ')} (vgg16/19 need --vgg-weights)`),
  vggWeights: { type: 'string?', flag: 'vgg-weights', arg: 'FILE', help: 'torchvision VGG (vgg19-dcbb9e9d.pth, vgg16-397923af.pth)' },
  lowpassSigma: {
    type: 'number',
    above: 0,
    max: 32,
    flag: 'lowpass-sigma',
    arg: 'S',
    help: "σ (px) of the low-pass content losses' Gaussian at full scale (halved per scale; the bench: 1)",
  },
  inputSigma: {
    type: 'number',
    min: 0,
    max: 4,
    flag: 'input-sigma',
    arg: 'S',
    help: 'σ (px) of a fixed Gaussian in front of G (0: none; G then starts as that low-pass)',
  },
  denoise: {
    type: 'number',
    min: 0,
    max: 100,
    flag: 'denoise',
    arg: 'X',
    help: "weight of the denoising term: B's own noise (from its flattest patches) added to K crops, G gives K back (0: off)",
  },
  jpeg: {
    type: 'pair?',
    min: 1,
    max: 100,
    help: "the camera's JPEG quality range for the denoising term's input (null: none; b2b train translator --jpeg sets it)",
  },
  discInput: oneOf(['rgb', 'highpass'], 'disc-input', 'V', 'what D sees: rgb (paper) or highpass (blind to colour and exposure)'),
  identityInit: { type: 'boolean', flag: 'identity-init', arg: 'on|off', help: 'start G as the identity' },
  discLrScale: { type: 'number', above: 0, max: 100, flag: 'disc-lr-scale', arg: 'X', help: "D's learning rate relative to G's" },
  discWarmup: { type: 'int', min: 0, flag: 'disc-warmup', arg: 'N', help: 'steps at the start in which only D trains' },
  curriculum: { type: 'boolean', flag: 'curriculum', arg: 'on|off', help: 'the easiest share of each batch first (by blur degree)' },
  curriculumFraction: { type: 'number', above: 0, max: 1, help: 'the share of each batch the curriculum keeps' },
  curriculumSteps: { type: 'int', min: 0, help: 'the step from which the whole batch is used' },
  constantFraction: { type: 'number', min: 0, max: 1, help: 'share of the steps at the constant rate, before the linear decay' },
  final: oneOf(
    ['last', 'best', 'domain'],
    'final',
    'last|best|domain',
    "G after the last step, at its best validation PSNR (needs --val-pairs, --deblurrer), or where the domain classifier's P(known blur) of G(B) is highest (needs --domain-classifier)",
  ),
};

type Recipe = Omit<
  TranslatorConfig,
  | 'blur'
  | 'known'
  | 'valPairs'
  | 'deblurrer'
  | 'domainClassifier'
  | 'vggWeights'
  | 'init'
  | 'arch'
  | 'disc'
  | 'crop'
  | 'batch'
  | 'steps'
  | 'seed'
  | 'valEvery'
  | 'ckptEvery'
  | 'valImages'
  | 'final'
>;

/** What the three recipes share: λ_rec 0.8, Adam 2e-4 (0.5, 0.999) constant for half the steps, G started as the identity. */
const RECIPE_BASE = {
  gpScales: 'full',
  lambdaRec: 0.8,
  lowpassSigma: 2,
  inputSigma: 0,
  denoise: 0,
  jpeg: null,
  identityInit: true,
  discLrScale: 1,
  curriculumFraction: 0.5,
  curriculumSteps: 0.5,
  lr: 2e-4,
  betas: [0.5, 0.999],
  constantFraction: 0.5,
} satisfies Partial<Recipe>;

/** The loss recipes. Without ImageNet VGG weights the paper's and the official code's content loss falls back to 'lowpass'. */
export const RECIPES = {
  /** The paper: log-loss GAN, λ_grad 0.005, VGG19 features, λ_rec 0.8, curriculum. */
  paper: { ...RECIPE_BASE, gan: 'vanilla', lambdaGp: 0.005, content: 'vgg19', discInput: 'rgb', discWarmup: 0, curriculum: true },
  /** The official code: hinge, λ_gp 1e-4 at full scale, VGG16 slices, no curriculum, Adam 2e-4 (0.5, 0.999). */
  'official-code': { ...RECIPE_BASE, gan: 'hinge', lambdaGp: 1e-4, content: 'vgg16', discInput: 'rgb', discWarmup: 0, curriculum: false },
  /**
   * Measured on this project's CPU benchmark without ImageNet VGG weights (docs/experiments.md §3):
   * hinge, λ_gp 1e-4, D sees the high-pass only (blind to colour), content = low-pass L1 + a cap on
   * local high-frequency energy (G may remove noise, not invent texture), 100 D-only steps first.
   */
  measured: {
    ...RECIPE_BASE,
    gan: 'hinge',
    lambdaGp: 1e-4,
    content: 'lowpass-hfcap',
    discInput: 'highpass',
    discWarmup: 100,
    curriculum: true,
  },
} as const satisfies Record<string, Omit<Recipe, 'curriculumSteps'> & { curriculumSteps: number }>;
/** A loss recipe: paper, official-code or measured. */
export type RecipeName = keyof typeof RECIPES;

/** Model and batch sizes: the paper's (GPUs), and ones that train in an hour on 2 CPU cores. */
export const SIZES = {
  paper: { arch: 'mimo-unet', disc: 'paper', crop: 256, batch: 16, steps: 200000, valEvery: 5000, ckptEvery: 5000, valImages: 16 },
  small: { arch: 'mimo-unet-small', disc: 'small', crop: 128, batch: 4, steps: 3000, valEvery: 250, ckptEvery: 250, valImages: 8 },
} as const;
/** A model size: small (CPU) or paper (GPUs). */
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
  const r = RECIPES[recipe],
    s = SIZES[size];
  const steps = overrides.steps ?? s.steps;
  // The measured recipe's content loss needs no VGG; the paper's and the official code's fall back.
  const content = overrides.vggWeights || !r.content.startsWith('vgg') ? r.content : FALLBACK_CONTENT;
  return {
    blur: '',
    known: '',
    valPairs: null,
    deblurrer: null,
    domainClassifier: null,
    vggWeights: null,
    init: null,
    seed: 0,
    final: 'last',
    ...s,
    ...r,
    betas: [...r.betas],
    curriculumSteps: Math.round(r.curriculumSteps * steps),
    content,
    ...overrides,
  };
}

/** A checked translator config (errors name `source`). */
export function resolveTranslatorConfig(v: Record<string, unknown>, source = 'translator config'): TranslatorConfig {
  // Runs configured before 'final' existed kept their last weights; before the classifier, had none;
  // before the input blur, the denoising term and its JPEG, had none of them.
  const c = checkConfig<TranslatorConfig>(
    { final: 'last', domainClassifier: null, inputSigma: 0, denoise: 0, jpeg: null, ...v },
    TRANSLATOR_OPTIONS,
    source,
  );
  if (c.final === 'best' && (!c.valPairs || !c.deblurrer))
    throw new Error(`${source}: final 'best' selects on validation: give valPairs and deblurrer`);
  if (c.final === 'domain' && !c.domainClassifier)
    throw new Error(`${source}: final 'domain' selects by the blur-domain classifier: give domainClassifier`);
  if (c.jpeg && c.denoise === 0) throw new Error(`${source}: jpeg shapes the denoising term's input: give denoise a weight above 0`);
  if (c.jpeg && c.jpeg[0] > c.jpeg[1]) throw new Error(`${source}: jpeg [lo, hi] needs lo ≤ hi, got [${c.jpeg.join(', ')}]`);
  const arch = parseArch(c.arch);
  if (!arch.startsWith('mimo-unet'))
    throw new Error(`${source}: the translator is a MIMO-UNet (mimo-unet-small, mimo-unet, mimo-unet-plus), got '${c.arch}'`);
  if (!c.blur) throw new Error(`${source}: give the target camera's blurry images (blur)`);
  if (!c.known) throw new Error(`${source}: give the known-blur set K (known; b2b make-known makes it)`);
  // D judges the ¼ scale too: its three stride-2 layers and two 4×4 convs need at least 32×32 there.
  if (c.crop % 16) throw new Error(`${source}: crop must be a multiple of 16, got ${c.crop}`);
  return { ...c, arch };
}
