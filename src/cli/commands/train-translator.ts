// b2b train translator: the Blur2Blur translator G (target camera's blur → known blur).
import {
  RECIPES,
  SIZES,
  FALLBACK_CONTENT,
  TRANSLATOR_OPTIONS,
  resolveTranslatorConfig,
  translatorConfig,
  type RecipeName,
  type SizeName,
  type TranslatorConfig,
} from '../../train/translator-config.js';
import { trainTranslator } from '../../train/translator.js';
import { finishedLine, trainerOptions, type TrainingCommand } from '../train-run.js';
import { UsageError } from '../usage.js';
import { jpegQualityRange } from '../../data/jpeg.js';
import { listImages } from '../../data/image.js';

/** --jpeg: 'auto' (the range of B's JPEG files), one quality, 'LO,HI' or 'none'. */
function jpegFlag(raw: string, blur: string | undefined): [number, number] | null {
  if (raw === 'none') return null;
  if (raw === 'auto') {
    if (!blur) throw new UsageError('train translator: --jpeg auto reads the quality from the files of --blur: give --blur');
    return jpegQualityRange(listImages(blur), blur);
  }
  const v = raw.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
  const [lo, hi] = v.length === 1 ? [v[0]!, v[0]!] : v;
  if (v.length > 2 || !Number.isInteger(lo) || !Number.isInteger(hi) || lo! < 1 || hi! > 100 || lo! > hi!)
    throw new UsageError(`train translator: --jpeg must be auto, none, a quality 1–100 or a range LO,HI of them, got '${raw}'`);
  return [lo!, hi!];
}

export const TRANSLATOR_COMMAND: TrainingCommand<TranslatorConfig> = {
  name: 'train translator',
  kind: 'translator',
  usage: `usage: b2b train translator --blur B_DIR --known K_DIR --out RUN [options]
G (MIMO-UNet, 3 scales) learns to turn the target camera's blur (B) into the known blur (K, from
b2b make-known), against a PatchGAN shared by the three scales. --preset and --size fill every option
the flags leave open.`,
  table: TRANSLATOR_OPTIONS,
  defaults: {},
  extra: {
    preset: {
      arg: 'P',
      help: `paper (log-loss GAN, λ_gp 0.005, VGG19, curriculum; the default with --vgg-weights), official-code (hinge, λ_gp 1e-4, VGG16 slices, no curriculum), or measured (hinge, λ_gp 1e-4, high-pass D, low-pass + high-frequency cap content loss, 100 D-only steps: what works here without ImageNet VGG weights, and the default without them)`,
    },
    jpeg: {
      arg: 'Q|LO,HI|auto',
      help: "the camera's JPEG quality (one, or a range) for the denoising term: its noisy K crops are also written as JPEG, so G takes the blocking away too; auto reads it from B's JPEG files (needs --denoise)",
    },
    size: {
      arg: 'S',
      help: `small (MIMO-UNet-small, PatchGAN ndf 32, crop ${SIZES.small.crop}, batch ${SIZES.small.batch}, ${SIZES.small.steps} steps; default) or paper (MIMO-UNet, ndf 64, crop 256, batch 16, 200k steps: GPUs)`,
    },
  },
  notes: `Without --vgg-weights, the paper's and official-code's VGG content loss falls back to '${FALLBACK_CONTENT}' (the run log says so).
Logged every 50 steps: D and G losses, gradient penalty, content loss, D's accuracy on real K vs G(B).`,
  build(given, extra, source) {
    const preset = (extra.preset ?? (given.vggWeights ? 'paper' : 'measured')) as string,
      size = (extra.size ?? 'small') as string;
    if (!Object.hasOwn(RECIPES, preset))
      throw new UsageError(`train translator: --preset must be ${Object.keys(RECIPES).join(', ')}, got '${preset}'`);
    if (!Object.hasOwn(SIZES, size))
      throw new UsageError(`train translator: --size must be ${Object.keys(SIZES).join(' or ')}, got '${size}'`);
    const jpeg = extra.jpeg === undefined ? {} : { jpeg: jpegFlag(String(extra.jpeg), given.blur) };
    return resolveTranslatorConfig(translatorConfig(preset as RecipeName, size as SizeName, { ...given, ...jpeg }), source);
  },
  resolve: (saved, source) => resolveTranslatorConfig(saved, source),
  async run(c, out, o) {
    const r = await trainTranslator(c, out, trainerOptions(o));
    const v = r.lastValidation;
    const domain =
      v?.known_prob !== undefined ? `, P(known blur) of G(B) ${v.known_prob.toFixed(3)} (of B ${v.known_prob_input!.toFixed(3)})` : '';
    const last =
      v && v.psnr !== undefined
        ? `; last validation D_K(G(y)) ${v.psnr.toFixed(2)} dB, D_K(y) ${v.dk_alone_psnr!.toFixed(2)} dB, input ${v.input_psnr!.toFixed(2)} dB${domain}`
        : domain
          ? `; last validation${domain}`
          : '';
    // Which G the weights file holds: the best validation's (final best or domain) or the last step's.
    const kept = !r.kept
      ? '; kept G of the last step'
      : r.kept.by === 'psnr'
        ? `; kept G of step ${r.kept.step} (validation D_K(G(y)) ${r.kept.score.toFixed(2)} dB)`
        : `; kept G of step ${r.kept.step} (P(known blur) of G(B) ${r.kept.score.toFixed(3)})`;
    return finishedLine(r, last + kept);
  },
};
