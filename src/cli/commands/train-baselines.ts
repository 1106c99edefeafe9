// b2b train synthetic | cyclegan: the paper's baselines that train a deblurrer for the unknown camera.
import { DEBLUR_DEFAULTS, DEBLUR_OPTIONS, resolveDeblurConfig, trainDeblur, type DeblurConfig } from '../../train/deblur.js';
import { CYCLEGAN_DEFAULTS, CYCLEGAN_OPTIONS, resolveCycleGANConfig, trainCycleGAN, type CycleGANConfig } from '../../train/cyclegan.js';
import { withFlags } from '../options.js';
import { finishedLine, trainerOptions, type TrainingCommand } from '../train-run.js';
import { UsageError } from '../usage.js';

const UPPER_BOUND = `The upper bound (a deblurrer trained on the camera's own pairs, possible only on simulated data) is
  b2b train deblur --pairs UNKNOWN_DIR (the B/ and B-gt/ folders b2b simulate writes).`;

/** The synthetic-blur baseline is the deblurrer's config with motion-blurred sharp images as its data. */
const SYNTHETIC_DEFAULTS: Partial<DeblurConfig> = { ...DEBLUR_DEFAULTS, motionBlur: [3, 21] };

export const SYNTHETIC_COMMAND: TrainingCommand<DeblurConfig> = {
  name: 'train synthetic',
  kind: 'deblur',
  usage: `usage: b2b train synthetic --sharp S_DIR --out RUN [options]
NAFNet on the target camera's sharp images S blurred by random linear motion kernels (the paper's
synthetic-blur baseline).`,
  table: withFlags(DEBLUR_OPTIONS, { pairs: 'sharp', render: null, exclude: null, renderMaxSide: null, valCrop: null, prefetch: null }),
  defaults: SYNTHETIC_DEFAULTS,
  notes: UPPER_BOUND,
  build(given, _extra, source) {
    if (!given.pairs) throw new UsageError("train synthetic: give --sharp S_DIR (the camera's sharp images)");
    return resolveDeblurConfig({ ...SYNTHETIC_DEFAULTS, ...given }, source);
  },
  resolve: (saved, source) => resolveDeblurConfig(saved as Partial<DeblurConfig>, source),
  async run(c, out, o) {
    const r = await trainDeblur(c, out, trainerOptions(o));
    const f = r.final;
    return (
      finishedLine(r) + (f ? `\n${f.images} validation images: PSNR ${f.psnr.toFixed(2)} dB, input ${f.input_psnr.toFixed(2)} dB` : '')
    );
  },
};

export const CYCLEGAN_COMMAND: TrainingCommand<CycleGANConfig> = {
  name: 'train cyclegan',
  kind: 'cyclegan',
  usage: `usage: b2b train cyclegan --blur B_DIR --sharp S_DIR --out RUN [options]
CycleGAN between B and S (least squares, cycle λ ${CYCLEGAN_DEFAULTS.lambdaCycle}, identity ${CYCLEGAN_DEFAULTS.lambdaIdentity}·λ); its B→S generator is the deblurrer.`,
  table: CYCLEGAN_OPTIONS,
  defaults: CYCLEGAN_DEFAULTS,
  notes: UPPER_BOUND,
  build: (given, _extra, source) => resolveCycleGANConfig(given as Record<string, unknown>, source),
  resolve: (saved, source) => resolveCycleGANConfig(saved, source),
  async run(c, out, o) {
    const r = await trainCycleGAN(c, out, trainerOptions(o));
    const v = r.lastValidation;
    return finishedLine(
      r,
      v?.psnr !== undefined ? `; validation PSNR ${v.psnr.toFixed(2)} dB (input ${v.input_psnr!.toFixed(2)} dB)` : '',
    ).replace('; weights:', '; B→S generator:');
  },
};
