// b2b train deblur: train the known-domain deblurrer.
import { DEBLUR_DEFAULTS, readConfigFile, resolveDeblurConfig, trainDeblur, type DeblurConfig } from '../../train/deblur.js';
import { RunDir } from '../../train/run.js';
import { parse, UsageError } from '../usage.js';

const HELP = `usage:
  b2b train deblur --pairs DIR --out RUN [options]      train the known-domain deblurrer D_K
  b2b train deblur --resume RUN                          continue an interrupted run exactly
options (defaults for 2 CPU cores):
  --arch ID        nafnet-small (default), nafnet-gopro-width32, nafnet-gopro-width64,
                   mimo-unet-small, mimo-unet, mimo-unet-plus
  --val DIR        validation pairs (default: 10 % of the training scenes held out)
  --steps N        ${DEBLUR_DEFAULTS.steps}        --batch N   ${DEBLUR_DEFAULTS.batch}        --crop N   ${DEBLUR_DEFAULTS.crop}
  --lr X           ${DEBLUR_DEFAULTS.lr} (AdamW, betas 0.9/0.9, cosine to 1e-7, as NAFNet)
  --seed N         ${DEBLUR_DEFAULTS.seed}           --val-every N  ${DEBLUR_DEFAULTS.valEvery}
  --init FILE      start from weights (.safetensors, or an official .pth)
  --config FILE    a JSON config (keys as in the run's config.json); flags override it
Pairs: a folder with blur/ and sharp/ (b2b simulate --role known writes DIR/pairs), or a GoPro, REDS,
RSBlur, RealBlur or Blur2Blur layout. The run folder gets config.json, metrics.jsonl, checkpoints,
sample grids and model.safetensors. Ctrl-C saves a checkpoint.`;

export async function train(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    pairs: { type: 'string' }, val: { type: 'string' }, out: { type: 'string' }, arch: { type: 'string' }, steps: { type: 'string' },
    batch: { type: 'string' }, crop: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' }, 'val-every': { type: 'string' },
    init: { type: 'string' }, config: { type: 'string' }, resume: { type: 'string' },
  }, HELP);
  const sub = positionals[0];
  if (values.help || sub === undefined) {
    console.log(HELP);
    return;
  }
  if (sub !== 'deblur') throw new UsageError(`unknown train subcommand '${sub}'\n\n${HELP}`);
  let config: DeblurConfig, out: string;
  if (values.resume) {
    out = values.resume;
    const { kind, ...saved } = RunDir.open(out).config<DeblurConfig & { kind: string }>();
    if (kind !== 'deblur') throw new Error(`${out}: a '${kind}' run, not a deblur run`);
    config = resolveDeblurConfig(saved, `${out}/config.json`);
  } else {
    if (!values.out) throw new UsageError(`train deblur: give --out RUN\n\n${HELP}`);
    out = values.out;
    const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
    const flags: Partial<DeblurConfig> = Object.fromEntries(Object.entries({
      pairs: values.pairs, val: values.val, arch: values.arch, steps: num(values.steps), batch: num(values.batch), crop: num(values.crop),
      lr: num(values.lr), seed: num(values.seed), valEvery: num(values['val-every']), init: values.init,
    }).filter(([, v]) => v !== undefined));
    if (flags.valEvery !== undefined) flags.ckptEvery = flags.valEvery;
    const file = values.config ? readConfigFile(values.config) : {};
    config = resolveDeblurConfig({ ...file, ...flags }, values.config ?? 'train deblur');
  }
  const r = await trainDeblur(config, out, { resume: Boolean(values.resume) });
  const v = r.lastValidation;
  console.log(`${r.interrupted ? 'stopped' : 'finished'} at step ${r.steps}/${config.steps} in ${(r.seconds / 60).toFixed(1)} min` +
    (v ? `; validation PSNR ${v.psnr!.toFixed(2)} dB (input ${v.input_psnr!.toFixed(2)} dB, +${v.gain!.toFixed(2)} dB) on ${Math.min(config.valImages, r.valPairs)} images` : '') +
    `; weights: ${r.weights}`);
}
