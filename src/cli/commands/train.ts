// b2b train deblur: train the known-domain deblurrer.
import { DEBLUR_DEFAULTS, readConfigFile, resolveDeblurConfig, trainDeblur, type DeblurConfig, type DeblurResult } from '../../train/deblur.js';
import { KERNEL_DEFAULTS, resolveKernelConfig, trainKernel, type KernelConfig } from '../../train/kernel.js';
import { RunDir } from '../../train/run.js';
import { budgetHelp, budgetSeconds, checkDevice, parse, UsageError } from '../usage.js';
import { trainTranslatorCommand } from './train-translator.js';
import { trainBaseline } from './train-baselines.js';

const HELP = `usage:
  b2b train deblur --pairs DIR --out RUN [options]      train the known-domain deblurrer D_K
  b2b train kernel --pairs DIR --out RUN [options]      train KernelWizard (blur extractor + adapter)
  b2b train translator --blur B --known K --out RUN      train the Blur2Blur translator (b2b train translator --help)
  b2b train synthetic|cyclegan ...                       the paper's baselines (b2b train synthetic --help)
  b2b train deblur|kernel|translator|… --resume RUN      continue an interrupted run exactly
kernel: --arch kernel-wizard-small (default), kernel-wizard, kernel-wizard-vae; crop ${KERNEL_DEFAULTS.crop}
  (multiples of 128), batch ${KERNEL_DEFAULTS.batch}, steps ${KERNEL_DEFAULTS.steps}, Adam lr ${KERNEL_DEFAULTS.lr} (0.9, 0.99), Charbonnier loss.
deblur options (defaults for 2 CPU cores):
  --arch ID        nafnet-small (default), nafnet-gopro-width32, nafnet-gopro-width64,
                   mimo-unet-small, mimo-unet, mimo-unet-plus
  --val DIR        validation pairs (default: 10 % of the training scenes held out)
  --steps N        ${DEBLUR_DEFAULTS.steps}        --batch N   ${DEBLUR_DEFAULTS.batch}        --crop N   ${DEBLUR_DEFAULTS.crop}
  --lr X           ${DEBLUR_DEFAULTS.lr} (AdamW, betas 0.9/0.9, cosine to 1e-7, as NAFNet)
  --seed N         ${DEBLUR_DEFAULTS.seed}           --val-every N  ${DEBLUR_DEFAULTS.valEvery}
  --init FILE      start from weights (.safetensors, or an official .pth)
  --render CAMERA  render pairs on the fly through a camera (preset or JSON): --pairs is then a folder
                   of photos (several joined by ':'); validation crops come from a held-out square of
                   every photo (--val-crop ${DEBLUR_DEFAULTS.valCrop}, --val-images ${DEBLUR_DEFAULTS.valImages}); --prefetch ${DEBLUR_DEFAULTS.prefetch} batches are rendered
                   ahead by a worker process (0: in the training process)
  --exclude DIR    with --render: never render the test scenes of this benchmark (b2b simulate folder)
  --config FILE    a JSON config (keys as in the run's config.json); flags override it
  --device D       cpu (default), cuda or cuda:N (an addon built against a CUDA libtorch: README)
  --fit-steps      with --minutes: shorten the run (and its cosine schedule) to the steps that fit
${budgetHelp(19)}
Pairs: a folder with blur/ and sharp/ (b2b simulate --role known writes DIR/pairs), or a GoPro, REDS,
RSBlur, RealBlur or Blur2Blur layout. The run folder gets config.json, metrics.jsonl, checkpoints,
sample grids and model.safetensors. Ctrl-C saves a checkpoint.`;

export async function train(argv: string[]): Promise<void> {
  if (argv[0] === 'translator') return trainTranslatorCommand(argv.slice(1));
  if (argv[0] === 'synthetic' || argv[0] === 'cyclegan') return trainBaseline(argv[0], argv.slice(1));
  const { values, positionals } = parse(argv, {
    pairs: { type: 'string' }, val: { type: 'string' }, out: { type: 'string' }, arch: { type: 'string' }, steps: { type: 'string' },
    batch: { type: 'string' }, crop: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' }, 'val-every': { type: 'string' },
    init: { type: 'string' }, config: { type: 'string' }, resume: { type: 'string' }, minutes: { type: 'string' },
    render: { type: 'string' }, exclude: { type: 'string' }, prefetch: { type: 'string' }, 'val-crop': { type: 'string' }, 'val-images': { type: 'string' },
    device: { type: 'string' }, 'fit-steps': { type: 'boolean' },
  }, HELP);
  const sub = positionals[0];
  if (values.help || sub === undefined) {
    console.log(HELP);
    return;
  }
  if (sub !== 'deblur' && sub !== 'kernel') throw new UsageError(`unknown train subcommand '${sub}'\n\n${HELP}`);
  const resolve = (c: Record<string, unknown>, source: string): DeblurConfig | KernelConfig =>
    sub === 'deblur' ? resolveDeblurConfig(c as Partial<DeblurConfig>, source) : resolveKernelConfig(c as Partial<KernelConfig>, source);
  let config: DeblurConfig | KernelConfig, out: string;
  if (values.resume) {
    out = values.resume;
    const { kind, ...saved } = RunDir.open(out).config<Record<string, unknown> & { kind: string }>();
    if (kind !== sub) throw new Error(`${out}: a '${kind}' run, not a ${sub} run`);
    config = resolve(saved, `${out}/config.json`);
  } else {
    if (!values.out) throw new UsageError(`train deblur: give --out RUN\n\n${HELP}`);
    out = values.out;
    const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
    const flags: Record<string, unknown> = Object.fromEntries(Object.entries({
      pairs: values.pairs, val: values.val, arch: values.arch, steps: num(values.steps), batch: num(values.batch), crop: num(values.crop),
      lr: num(values.lr), seed: num(values.seed), valEvery: num(values['val-every']), init: values.init,
      render: values.render, exclude: values.exclude, prefetch: num(values.prefetch), valCrop: num(values['val-crop']), valImages: num(values['val-images']),
    }).filter(([, v]) => v !== undefined));
    if (flags.valEvery !== undefined) flags.ckptEvery = flags.valEvery;
    const file = values.config ? readConfigFile(values.config) : {};
    config = resolve({ ...file, ...flags }, values.config ?? `train ${sub}`);
  }
  const resume = Boolean(values.resume);
  const maxSeconds = budgetSeconds(values.minutes, `train ${sub}`);
  const device = checkDevice(values.device, `train ${sub}`);
  if (values['fit-steps'] && maxSeconds === undefined) throw new UsageError(`train ${sub}: --fit-steps fits the schedule to --minutes; give --minutes`);
  if (sub === 'kernel' && (device !== 'cpu' || values['fit-steps'])) throw new UsageError('train kernel: --device and --fit-steps are for train deblur');
  const r = sub === 'deblur'
    ? await trainDeblur(config as DeblurConfig, out, { resume, maxSeconds, device, fitSteps: values['fit-steps'] })
    : await trainKernel(config as KernelConfig, out, { resume, maxSeconds });
  const v = r.lastValidation;
  const summary = !v ? '' : sub === 'deblur'
    ? `; validation PSNR ${v.psnr!.toFixed(2)} dB (input ${v.input_psnr!.toFixed(2)} dB, ${v.gain! >= 0 ? '+' : ''}${v.gain!.toFixed(2)} dB)`
    : `; re-blur PSNR ${v.reblur_psnr!.toFixed(2)} dB (sharp vs blurry ${v.sharp_vs_blurry_psnr!.toFixed(2)} dB)`;
  const f = (r as DeblurResult).final;
  const final = f
    ? `\nall ${f.images} validation pairs (centre crops ≤ 256²): PSNR ${f.psnr.toFixed(2)} dB, input ${f.input_psnr.toFixed(2)} dB (${(f.psnr - f.input_psnr).toFixed(2)} dB gain)`
    : '';
  console.log(`${r.interrupted ? 'stopped' : 'finished'} at step ${r.steps}/${r.plannedSteps} in ${(r.seconds / 60).toFixed(1)} min${summary}; weights: ${r.weights}${final}`);
}
