// Training the known-domain deblurrer D_K: NAFNet with the PSNR loss, AdamW and cosine annealing (as
// NAFNet trains), or MIMO-UNet with its multi-scale L1 + FFT loss, on blurry/sharp pairs.
import { manualSeed, noGrad, scope, type Device, type Tensor } from '../tensor/index.js';
import { NAFNet, buildDeblurrer, deblur, parseArch, type Deblurrer } from '../models/index.js';
import { AdamW } from '../optim/index.js';
import { loadWeights } from '../io/weights.js';
import { readImageFolder, readLayout, allPairs } from '../data/datasets/layouts.js';
import { BatchLoader, releaseBatch, type Batch } from '../data/datasets/loader.js';
import { psnrLoss, mimoLoss } from '../losses/restoration.js';
import { meanPsnr, psnrPerImage } from '../eval/psnr.js';
import { RunDir } from './run.js';
import { weightsFile } from '../infer/load.js';
import { loopOptions, trainLoop, type DataSource, type TrainOptions, type TrainResult } from './trainer.js';
import { validationPreview } from './preview.js';
import { SyntheticPairs, holdOutSharp, syntheticValidation } from './synthetic.js';
import type { Schedule } from './schedule.js';
import { COMMON_OPTIONS, checkConfig, type CommonTrainConfig, type OptionTable } from './options.js';
import { holdOut, loadValidation, mapInGroups, stackOn } from './validation-data.js';
import type { PairedSample } from '../data/datasets/match.js';
import { RenderSource } from '../data/render-prefetch.js';
import { readExcludedScenes } from '../data/rendered-pairs.js';
import { loadCamera } from '../data/camera/config.js';
import { delimiter } from 'node:path';
import { shardBatch } from './data-parallel.js';

/** The deblurrer trainer's config (each key described in DEBLUR_OPTIONS). */
export interface DeblurConfig extends CommonTrainConfig {
  weightDecay: number;
  /** Cosine to lrMin over all steps (NAFNet's schedule). */
  lrMin: number;
  /**
   * The synthetic-blur baseline: `pairs` is then a folder of sharp images, blurred on the fly by random
   * linear motion kernels of length in this range (pixels); null: real pairs.
   */
  motionBlur: [number, number] | null;
  /**
   * Render pairs on the fly through this camera (a preset name or a camera JSON file): `pairs` is then
   * one or more folders of photos (joined by ':'), every batch a fresh draw of crop, flips, trajectory,
   * exposure and noise; validation crops come from a held-out square of every photo. null: stored pairs.
   */
  render: string | null;
  /** With render: a benchmark folder (its manifest's test scenes) or a list of scene names never rendered. */
  exclude: string | null;
  /** With render: photos are downscaled to this longer side when larger. */
  renderMaxSide: number;
  /** With render: side of the validation crops (held out from every photo). */
  valCrop: number;
  /** With render: batches rendered ahead by a worker process (0: render in the training process). */
  prefetch: number;
}

/** Defaults sized for 2 CPU cores; NAFNet's GoPro recipe is lr 1e-3, betas (0.9, 0.9), cosine. */
export const DEBLUR_DEFAULTS: DeblurConfig = {
  arch: 'nafnet-small',
  pairs: '',
  val: null,
  crop: 128,
  batch: 8,
  steps: 4000,
  lr: 1e-3,
  weightDecay: 1e-3,
  betas: [0.9, 0.9],
  lrMin: 1e-7,
  motionBlur: null,
  render: null,
  exclude: null,
  renderMaxSide: 1024,
  valCrop: 128,
  prefetch: 2,
  seed: 0,
  valEvery: 250,
  ckptEvery: 250,
  valImages: 16,
  init: null,
};

export const DEBLUR_OPTIONS: OptionTable<DeblurConfig> = {
  ...COMMON_OPTIONS,
  arch: {
    ...COMMON_OPTIONS.arch,
    help: 'nafnet-small, nafnet-small24, nafnet-small32, nafnet-gopro-width32|64, mimo-unet-small, mimo-unet, mimo-unet-plus',
  },
  weightDecay: { type: 'number', min: 0, max: 1, flag: 'weight-decay', arg: 'X', help: "AdamW's weight decay" },
  lrMin: { type: 'number', min: 0, max: 1, flag: 'lr-min', arg: 'X', help: 'the learning rate the cosine ends at' },
  motionBlur: {
    type: 'pair?',
    min: 1,
    max: 256,
    flag: 'motion-blur',
    arg: 'MIN,MAX',
    help: 'the synthetic-blur baseline: pairs is a folder of sharp images, blurred by linear motion of these lengths (px)',
  },
  render: {
    type: 'string?',
    flag: 'render',
    arg: 'CAMERA',
    help: "render pairs on the fly through a camera (preset or JSON): pairs is then photo folders joined by ':'",
  },
  exclude: {
    type: 'string?',
    flag: 'exclude',
    arg: 'BENCH',
    help: "with render: never render this benchmark's test scenes (a b2b simulate folder, or a list)",
  },
  renderMaxSide: {
    type: 'int',
    min: 64,
    flag: 'render-max-side',
    arg: 'N',
    help: 'with render: photos are downscaled to this longer side',
  },
  valCrop: {
    type: 'int',
    min: 16,
    flag: 'val-crop',
    arg: 'N',
    help: 'with render: side of the validation crops held out from every photo',
  },
  prefetch: {
    type: 'int',
    min: 0,
    max: 64,
    flag: 'prefetch',
    arg: 'N',
    help: 'with render: batches rendered ahead by a worker process (0: in the training process)',
  },
};

/** A checked deblurrer config: the defaults, `partial` over them, every value in its range (errors name `source`). */
export function resolveDeblurConfig(partial: Partial<DeblurConfig>, source = 'deblur config'): DeblurConfig {
  const c = checkConfig<DeblurConfig>({ ...DEBLUR_DEFAULTS, ...partial }, DEBLUR_OPTIONS, source);
  const arch = parseArch(c.arch);
  if (!arch.startsWith('nafnet') && !arch.startsWith('mimo-unet'))
    throw new Error(`${source}: arch must be a NAFNet or MIMO-UNet id, got '${c.arch}'`);
  if (!c.pairs) throw new Error(`${source}: give the training pairs (pairs)`);
  if (c.motionBlur && !(c.motionBlur[1] >= c.motionBlur[0]))
    throw new Error(`${source}: motionBlur must be [min, max] lengths with min ≤ max, got [${c.motionBlur.join(', ')}]`);
  if (c.render && c.motionBlur) throw new Error(`${source}: render and motionBlur are two kinds of on-the-fly data; give one`);
  if (c.render && c.val) throw new Error(`${source}: rendered data validates on held-out squares of the training photos; leave val empty`);
  if (c.render) loadCamera(c.render); // a bad camera is an error now, not after the photos are loaded
  if (c.valCrop % 16 || c.valCrop < 16) throw new Error(`${source}: valCrop must be a multiple of 16 and at least 16, got ${c.valCrop}`);
  if (c.crop % 4) throw new Error(`${source}: crop must be a multiple of 4, got ${c.crop}`);
  return { ...c, arch };
}

export interface DeblurResult extends TrainResult {
  trainPairs: number;
  valPairs: number;
  /** Every validation pair (centre crops up to 256²), after the last step. */
  final?: { psnr: number; input_psnr: number; images: number };
}

/** PSNR of the deblurred and of the input images over every validation pair, in groups of 8. */
async function evaluateAll(
  model: Deblurrer,
  pairs: PairedSample[],
  device: Device,
): Promise<{ psnr: number; input_psnr: number; images: number }> {
  model.eval();
  let out = 0,
    inp = 0;
  for (let i = 0; i < pairs.length; i += 8) {
    using v = stackOn(await loadValidation(pairs.slice(i, i + 8), 8, 256, 4), device);
    const pred = noGrad(() => scope(() => deblur(model, v.blurry).clamp(0, 1)));
    out += psnrPerImage(pred, v.sharp).reduce((a, b) => a + b, 0);
    inp += psnrPerImage(v.blurry, v.sharp).reduce((a, b) => a + b, 0);
    pred.dispose();
  }
  model.train();
  return { psnr: out / pairs.length, input_psnr: inp / pairs.length, images: pairs.length };
}

const AUGMENT = { hflip: true, vflip: true, rot90: true } as const;

/** Training batches, the validation split and its fixed validation stack: real pairs, synthetic blur of S, or rendered pairs. */
async function deblurData(
  c: DeblurConfig,
  device: Device,
): Promise<{
  split: { train: unknown[]; val: PairedSample[] };
  loader: DataSource<Batch> & Disposable;
  val: { blurry: Tensor; sharp: Tensor };
}> {
  if (c.render) {
    const source = await RenderSource.open({
      camera: loadCamera(c.render),
      photos: c.pairs.split(delimiter).filter((d) => d !== ''),
      exclude: c.exclude ? [...readExcludedScenes(c.exclude)] : [],
      maxSide: c.renderMaxSide,
      batchSize: c.batch,
      crop: c.crop,
      valCrop: c.valCrop,
      seed: c.seed,
      prefetch: c.prefetch,
      device,
    });
    try {
      const val = await source.validation(c.valImages);
      return { split: { train: Array.from({ length: source.photoCount }), val: [] }, loader: source, val };
    } catch (e) {
      source.dispose();
      throw e;
    }
  }
  if (c.motionBlur) {
    const range = { length: c.motionBlur, direction: 1 };
    const files = readImageFolder(c.pairs).files;
    const synthetic = (train: string[]): SyntheticPairs =>
      new SyntheticPairs(
        new BatchLoader(train, { batchSize: c.batch, crop: c.crop, seed: c.seed, augment: AUGMENT, cache: true }),
        range,
        c.seed,
      );
    if (c.val) {
      const valPairs = allPairs(readLayout(c.val));
      return { split: { train: files, val: valPairs }, loader: synthetic(files), val: await loadValidation(valPairs, c.valImages, 256, 4) };
    }
    const split = holdOutSharp(files, c.seed);
    return { split, loader: synthetic(split.train), val: await syntheticValidation(split.val, c.valImages, 256, 4, range, c.seed) };
  }
  const pairs = allPairs(readLayout(c.pairs));
  const split = c.val ? { train: pairs, val: allPairs(readLayout(c.val)) } : holdOut(pairs, c.seed);
  const loader = new BatchLoader(split.train, { batchSize: c.batch, crop: c.crop, seed: c.seed, augment: AUGMENT, cache: true });
  return { split, loader, val: await loadValidation(split.val, c.valImages, 256, 4) };
}

export type DeblurRunOptions = TrainOptions;

/** Trains the deblurrer D_K (or a synthetic-blur baseline, or an upper bound) into the run folder `out`; resumable. */
export async function trainDeblur(c: DeblurConfig, out: string, o: DeblurRunOptions = {}): Promise<DeblurResult> {
  const device = o.device ?? 'cpu';
  const resumed = o.resume ? RunDir.open(out) : undefined;
  const arch = parseArch(c.arch);
  manualSeed(c.seed);
  using model = buildDeblurrer(arch);
  if (c.init) scope(() => model.loadStateDict(loadWeights(weightsFile(c.init!)), {}, c.init!));
  if (device !== 'cpu') model.to(device);
  using optimizer = new AdamW(model.parameters(), { lr: c.lr, betas: c.betas, weightDecay: c.weightDecay });
  const data = await deblurData(c, device);
  using loader = data.loader;
  using val = stackOn(data.val, device);
  const { split } = data;
  // The run folder is made once the data has loaded: a command that fails on its data leaves nothing behind.
  const run = RunDir.start(out, { kind: 'deblur', ...c }, o, resumed); // once the data has loaded
  const validate = (step: number): Promise<Record<string, number>> =>
    validationPreview(run, step, [model], 3, () => {
      const pred = mapInGroups(val.blurry.shape[0]!, 4, (i, j) => deblur(model, val.blurry.slice(0, i, j)).clamp(0, 1));
      const psnr = meanPsnr(pred, val.sharp),
        input = meanPsnr(val.blurry, val.sharp);
      return { metrics: { psnr, input_psnr: input, gain: psnr - input }, columns: [val.blurry, pred, val.sharp] };
    });
  const r = await trainLoop<Batch>({
    run,
    parts: [{ name: 'model', model, optimizer }],
    data: loader,
    steps: c.steps,
    baseLr: c.lr,
    schedule: { kind: 'cosine', total: c.steps, min: c.lrMin } satisfies Schedule,
    step: (batch) => {
      const x = batch.blurry.to(device),
        y = batch.sharp!.to(device);
      const loss = model instanceof NAFNet ? psnrLoss(model.forward(x), y) : mimoLoss(model.forward(x), y);
      return { loss };
    },
    release: releaseBatch,
    shard: shardBatch,
    validate,
    primary: 'psnr',
    ...loopOptions(o, c),
  });
  run.saveFinal(model.stateDict(), { arch, kind: 'deblurrer' }, r);
  // Synthetic blur without --val, and rendered pairs: the final evaluation is over the validation
  // stack, which the last validation (run after the last step) has already scored.
  const last = r.lastValidation;
  const final = r.interrupted
    ? undefined
    : (c.motionBlur && !c.val) || c.render
      ? last
        ? { psnr: last.psnr!, input_psnr: last.input_psnr!, images: val.blurry.shape[0]! }
        : undefined
      : await evaluateAll(model, split.val, device);
  if (final) run.log({ step: r.steps, final_validation: final });
  return { ...r, run: out, weights: run.finalWeights, trainPairs: split.train.length, valPairs: split.val.length, final };
}
