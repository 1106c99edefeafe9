// b2b train synthetic | cyclegan: the paper's baselines that train a deblurrer for the unknown camera.
import { DEBLUR_DEFAULTS, readConfigFile, resolveDeblurConfig, trainDeblur, type DeblurConfig } from '../../train/deblur.js';
import { CYCLEGAN_DEFAULTS, resolveCycleGANConfig, trainCycleGAN, type CycleGANConfig } from '../../train/cyclegan.js';
import { RunDir } from '../../train/run.js';
import { budgetHelp, budgetSeconds, parse, UsageError } from '../usage.js';

const HELP = `usage:
  b2b train synthetic --sharp S_DIR --out RUN [options]
      NAFNet on the target camera's sharp images S blurred by random linear motion kernels
      (the paper's synthetic-blur baseline). --motion-blur MIN,MAX  kernel lengths in px (default 3,21)
  b2b train cyclegan --blur B_DIR --sharp S_DIR --out RUN [options]
      CycleGAN between B and S (least squares, cycle λ ${CYCLEGAN_DEFAULTS.lambdaCycle}, identity ${CYCLEGAN_DEFAULTS.lambdaIdentity}·λ); its B→S generator is the
      deblurrer (NAFNet, --arch nafnet-small)
  b2b train synthetic|cyclegan --resume RUN
The upper bound (a deblurrer trained on the camera's own pairs, possible only on simulated data) is
  b2b train deblur --pairs UNKNOWN_DIR (the B/ and B-gt/ folders b2b simulate writes).
options: --val DIR (pairs with ground truth, validation only)  --init FILE (start from weights, e.g. D_K)
  --steps N  --batch N  --crop N  --lr X  --seed N  --val-every N  --arch ID  --config FILE
${budgetHelp(19)}
defaults: synthetic as train deblur (steps ${DEBLUR_DEFAULTS.steps}, batch ${DEBLUR_DEFAULTS.batch}, crop ${DEBLUR_DEFAULTS.crop}); cyclegan steps ${CYCLEGAN_DEFAULTS.steps}, batch ${CYCLEGAN_DEFAULTS.batch}, crop ${CYCLEGAN_DEFAULTS.crop}.`;

export async function trainBaseline(kind: 'synthetic' | 'cyclegan', argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    blur: { type: 'string' }, sharp: { type: 'string' }, val: { type: 'string' }, out: { type: 'string' }, 'motion-blur': { type: 'string' },
    init: { type: 'string' }, steps: { type: 'string' }, batch: { type: 'string' }, crop: { type: 'string' }, lr: { type: 'string' },
    seed: { type: 'string' }, 'val-every': { type: 'string' }, arch: { type: 'string' }, config: { type: 'string' }, resume: { type: 'string' }, minutes: { type: 'string' },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return;
  }
  const maxSeconds = budgetSeconds(values.minutes, `train ${kind}`);
  const runKind = kind === 'synthetic' ? 'deblur' : 'cyclegan';
  let saved: Record<string, unknown> | undefined, out: string;
  if (values.resume) {
    out = values.resume;
    const { kind: k, ...rest } = RunDir.open(out).config<Record<string, unknown> & { kind: string }>();
    if (k !== runKind) throw new Error(`${out}: a '${k}' run, not a ${kind} run`);
    saved = rest;
  } else {
    if (!values.out) throw new UsageError(`train ${kind}: give --out RUN\n\n${HELP}`);
    out = values.out;
  }
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const common = Object.fromEntries(Object.entries({
    val: values.val, init: values.init, steps: num(values.steps), batch: num(values.batch), crop: num(values.crop), lr: num(values.lr),
    seed: num(values.seed), valEvery: num(values['val-every']), ckptEvery: num(values['val-every']), arch: values.arch,
  }).filter(([, v]) => v !== undefined));
  const file = values.config ? readConfigFile(values.config) : {};
  const source = values.config ?? (values.resume ? `${out}/config.json` : `train ${kind}`);
  if (kind === 'synthetic') {
    let motionBlur: [number, number] = [3, 21];
    if (values['motion-blur']) {
      const m = values['motion-blur'].split(',').map(Number);
      if (m.length !== 2 || m.some((v) => !Number.isFinite(v))) throw new UsageError(`train synthetic: --motion-blur is MIN,MAX (pixels), got '${values['motion-blur']}'`);
      motionBlur = [m[0]!, m[1]!];
    }
    if (!saved && !values.sharp) throw new UsageError(`train synthetic: give --sharp S_DIR\n\n${HELP}`);
    const c: DeblurConfig = resolveDeblurConfig(saved ?? { ...file, ...common, pairs: values.sharp, motionBlur }, source);
    const r = await trainDeblur(c, out, { resume: Boolean(values.resume), maxSeconds });
    const f = r.final;
    console.log(`${r.interrupted ? 'stopped' : 'finished'} at step ${r.steps}/${c.steps} in ${(r.seconds / 60).toFixed(1)} min; weights: ${r.weights}` +
      (f ? `\n${f.images} validation images: PSNR ${f.psnr.toFixed(2)} dB, input ${f.input_psnr.toFixed(2)} dB` : ''));
    return;
  }
  if (!saved && (!values.blur || !values.sharp)) throw new UsageError(`train cyclegan: give --blur B_DIR and --sharp S_DIR\n\n${HELP}`);
  const c: CycleGANConfig = resolveCycleGANConfig(saved ?? { ...file, ...common, blur: values.blur, sharp: values.sharp }, source);
  const r = await trainCycleGAN(c, out, { resume: Boolean(values.resume), maxSeconds });
  const v = r.lastValidation;
  console.log(`${r.interrupted ? 'stopped' : 'finished'} at step ${r.steps}/${c.steps} in ${(r.seconds / 60).toFixed(1)} min; B→S generator: ${r.weights}` +
    (v?.psnr !== undefined ? `; validation PSNR ${v.psnr.toFixed(2)} dB (input ${v.input_psnr!.toFixed(2)} dB)` : ''));
}
