// b2b train deblur | kernel | translator | synthetic | cyclegan | domain-classifier: each trainer's command, its flags and
// help derived from its option table (src/cli/train-run.ts).
import { DEBLUR_DEFAULTS, DEBLUR_OPTIONS, resolveDeblurConfig, trainDeblur, type DeblurConfig } from '../../train/deblur.js';
import { KERNEL_DEFAULTS, KERNEL_OPTIONS, resolveKernelConfig, trainKernel, type KernelConfig } from '../../train/kernel.js';
import { withFlags } from '../options.js';
import { finishedLine, runTraining, trainerOptions, type TrainingCommand } from '../train-run.js';
import { didYouMean, HelpRequest, UsageError } from '../usage.js';
import { TRANSLATOR_COMMAND } from './train-translator.js';
import { CYCLEGAN_COMMAND, SYNTHETIC_COMMAND } from './train-baselines.js';
import { DOMAIN_CLASSIFIER_COMMAND } from './train-classifier.js';

const HELP = `usage:
  b2b train deblur --pairs DIR --out RUN [options]      train the known-domain deblurrer D_K
  b2b train kernel --pairs DIR --out RUN [options]      train KernelWizard (blur extractor + adapter)
  b2b train translator --blur B --known K --out RUN      train the Blur2Blur translator G
  b2b train synthetic --sharp S --out RUN                the paper's synthetic-blur baseline
  b2b train cyclegan --blur B --sharp S --out RUN        the paper's CycleGAN baseline
  b2b train domain-classifier --blur B --known K --out RUN   B against K, to check a translator
  b2b train SUBCOMMAND --resume RUN                      continue an interrupted run exactly
b2b train SUBCOMMAND --help lists its options.`;

export const DEBLUR_COMMAND: TrainingCommand<DeblurConfig> = {
  name: 'train deblur',
  kind: 'deblur',
  usage: `usage: b2b train deblur --pairs DIR --out RUN [options]
       b2b train deblur --render CAMERA --pairs PHOTOS --exclude BENCH --out RUN [options]
The known-domain deblurrer D_K: NAFNet with the PSNR loss, AdamW and cosine annealing (as NAFNet trains),
or MIMO-UNet with its multi-scale L1 + FFT loss. Defaults are sized for 2 CPU cores.`,
  table: withFlags(DEBLUR_OPTIONS, { motionBlur: null }),
  defaults: DEBLUR_DEFAULTS,
  notes: `Pairs: a folder with blur/ and sharp/ (b2b simulate --role known writes DIR/pairs), or a GoPro, REDS,
RSBlur, RealBlur or Blur2Blur layout. The run folder gets config.json, metrics.jsonl, checkpoints,
sample grids and model.safetensors. Ctrl-C saves a checkpoint.`,
  build: (given, _extra, source) => resolveDeblurConfig(given, source),
  resolve: (saved, source) => resolveDeblurConfig(saved as Partial<DeblurConfig>, source),
  async run(c, out, o) {
    const r = await trainDeblur(c, out, trainerOptions(o));
    const v = r.lastValidation,
      f = r.final;
    const summary = v
      ? `; validation PSNR ${v.psnr!.toFixed(2)} dB (input ${v.input_psnr!.toFixed(2)} dB, ${v.gain! >= 0 ? '+' : ''}${v.gain!.toFixed(2)} dB)`
      : '';
    const final = f
      ? `\nall ${f.images} validation pairs (centre crops ≤ 256²): PSNR ${f.psnr.toFixed(2)} dB, input ${f.input_psnr.toFixed(2)} dB (${(f.psnr - f.input_psnr).toFixed(2)} dB gain)`
      : '';
    return finishedLine(r, summary) + final;
  },
};

export const KERNEL_COMMAND: TrainingCommand<KernelConfig> = {
  name: 'train kernel',
  kind: 'kernel',
  usage: `usage: b2b train kernel --pairs DIR --out RUN [options]
KernelWizard reconstructs each blurry image from its sharp image and the blur embedding of the pair
(Charbonnier loss; Adam, betas 0.9/0.99, as the official recipe). Validation: how well it re-blurs.`,
  table: KERNEL_OPTIONS,
  defaults: KERNEL_DEFAULTS,
  build: (given, _extra, source) => resolveKernelConfig(given, source),
  resolve: (saved, source) => resolveKernelConfig(saved as Partial<KernelConfig>, source),
  async run(c, out, o) {
    const r = await trainKernel(c, out, trainerOptions(o));
    const v = r.lastValidation;
    return finishedLine(
      r,
      v ? `; re-blur PSNR ${v.reblur_psnr!.toFixed(2)} dB (sharp vs blurry ${v.sharp_vs_blurry_psnr!.toFixed(2)} dB)` : '',
    );
  },
};

const COMMANDS = {
  deblur: DEBLUR_COMMAND,
  kernel: KERNEL_COMMAND,
  translator: TRANSLATOR_COMMAND,
  synthetic: SYNTHETIC_COMMAND,
  cyclegan: CYCLEGAN_COMMAND,
  'domain-classifier': DOMAIN_CLASSIFIER_COMMAND,
} as const;

export async function train(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') throw new HelpRequest(HELP);
  if (sub === undefined) throw new UsageError(`train: give a subcommand\n\n${HELP}`);
  if (!Object.hasOwn(COMMANDS, sub))
    throw new UsageError(`unknown train subcommand '${sub}'${didYouMean(sub, Object.keys(COMMANDS))}\n\n${HELP}`);
  const cmd = COMMANDS[sub as keyof typeof COMMANDS];
  await runTraining(cmd as TrainingCommand<object>, rest);
}
