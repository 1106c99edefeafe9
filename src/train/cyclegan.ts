// The CycleGAN baseline (Zhu et al., ICCV 2017) as the Blur2Blur paper uses it: unpaired translation
// between the target camera's blurry images B and its sharp images S; the B→S generator is the deblurrer.
// Losses as CycleGAN's defaults: least-squares GAN, cycle L1 (λ 10), identity L1 (λ 0.5·10); Adam 2e-4
// (0.5, 0.999), constant then linear decay. Generators are NAFNets (so the B→S one loads wherever a
// deblurrer does, and can start from D_K), discriminators PatchGANs. CycleGAN's pool of 50 past fakes is
// not used: each D sees the current fakes.
import { manualSeed, scope, type Tensor } from '../tensor/index.js';
import { PatchGAN, buildDeblurrer, deblur, parseArch } from '../models/index.js';
import { Module } from '../nn/index.js';
import { Adam } from '../optim/index.js';
import { loadWeights } from '../io/weights.js';
import { readImageFolder, readLayout, allPairs } from '../data/datasets/layouts.js';
import { BatchLoader } from '../data/datasets/loader.js';
import { GAN_LOSSES, discriminatorAccuracy, discriminatorLoss, generatorLoss, type GanLoss } from '../losses/gan.js';
import { RunDir } from './run.js';
import { loopOptions, trainLoop, type StepResult, type TrainOptions, type TrainResult } from './trainer.js';
import { validationPreview } from './preview.js';
import { UnpairedLoader, adversarialUpdate, releaseUnpaired, type UnpairedBatch, adversarialParts, shardUnpaired } from './adversarial.js';
import { loadValidation, mapInGroups, stackOn } from './validation-data.js';
import { weightsFile } from '../infer/load.js';
import { meanPsnr } from '../eval/psnr.js';
import { BASE_OPTIONS, COMMON_OPTIONS, checkConfig, type OptionTable, type TrainConfigBase } from './options.js';
import { GradScaler } from './grad-scaler.js';

/** The base fields (arch: the generators' NAFNet id; init: the B→S generator's start, e.g. D_K). */
export interface CycleGANConfig extends TrainConfigBase {
  /** Pairs with ground truth, for validation only; or null. */
  val: string | null;
  /** Blurry images B of the target camera. */
  blur: string;
  /** Sharp images S of the target camera (unpaired with B). */
  sharp: string;
  disc: 'small' | 'paper';
  gan: GanLoss;
  lambdaCycle: number;
  /** Identity weight, as a share of lambdaCycle (CycleGAN's 0.5). */
  lambdaIdentity: number;
}

/** The CycleGAN baseline's defaults, sized for 2 CPU cores. */
export const CYCLEGAN_DEFAULTS: CycleGANConfig = {
  blur: '',
  sharp: '',
  val: null,
  arch: 'nafnet-small',
  disc: 'small',
  gan: 'lsgan',
  lambdaCycle: 10,
  lambdaIdentity: 0.5,
  crop: 128,
  batch: 4,
  steps: 3000,
  lr: 2e-4,
  betas: [0.5, 0.999],
  seed: 0,
  valEvery: 250,
  ckptEvery: 250,
  valImages: 8,
  init: null,
};

export const CYCLEGAN_OPTIONS: OptionTable<CycleGANConfig> = {
  ...BASE_OPTIONS,
  arch: { ...BASE_OPTIONS.arch, help: "the generators' NAFNet (nafnet-small, …)" },
  crop: { ...BASE_OPTIONS.crop, min: 32, help: 'side of the training crops, a multiple of 16' },
  val: { ...COMMON_OPTIONS.val, help: 'pairs of the camera with ground truth (validation only)' },
  blur: { type: 'string', flag: 'blur', arg: 'DIR', help: 'blurry images B of the target camera' },
  sharp: { type: 'string', flag: 'sharp', arg: 'DIR', help: 'sharp images S of the target camera (unpaired with B)' },
  disc: { type: 'string', choices: ['small', 'paper'], help: 'the PatchGAN size' },
  gan: { type: 'string', choices: GAN_LOSSES, help: 'the adversarial loss' },
  lambdaCycle: { type: 'number', min: 0, help: 'weight of the cycle L1' },
  lambdaIdentity: { type: 'number', min: 0, help: 'identity weight, as a share of lambdaCycle' },
};

/** A checked CycleGAN config (errors name `source`). */
export function resolveCycleGANConfig(partial: Record<string, unknown>, source = 'cyclegan config'): CycleGANConfig {
  const c = checkConfig<CycleGANConfig>({ ...CYCLEGAN_DEFAULTS, ...partial }, CYCLEGAN_OPTIONS, source);
  const arch = parseArch(c.arch);
  if (!arch.startsWith('nafnet')) throw new Error(`${source}: the CycleGAN generators are NAFNets here (nafnet-small, …), got '${c.arch}'`);
  if (!c.blur || !c.sharp) throw new Error(`${source}: give the blurry (blur) and sharp (sharp) image folders`);
  if (c.crop % 16) throw new Error(`${source}: crop must be a multiple of 16, got ${c.crop}`);
  return { ...c, arch };
}

/** Two modules under one name (parameters in order: the first's, then the second's). */
class ModulePair extends Module {
  constructor(names: [string, string], a: Module, b: Module) {
    super();
    this.child(names[0], a);
    this.child(names[1], b);
  }
}

/** Trains both generators and discriminators; the result's weights are the B→S generator, stored as a deblurrer. */
export async function trainCycleGAN(c: CycleGANConfig, out: string, o: TrainOptions = {}): Promise<TrainResult> {
  const resumed = o.resume ? RunDir.open(out) : undefined;
  manualSeed(c.seed);
  const arch = parseArch(c.arch);
  const gBS = buildDeblurrer(arch),
    gSB = buildDeblurrer(arch),
    dS = new PatchGAN(c.disc),
    dB = new PatchGAN(c.disc);
  // The loop checkpoints one module per optimiser: the generators together, the discriminators together.
  using gPair = new ModulePair(['b_to_s', 's_to_b'], gBS, gSB);
  using dPair = new ModulePair(['d_s', 'd_b'], dS, dB);
  if (c.init) scope(() => gBS.loadStateDict(loadWeights(weightsFile(c.init!)), {}, c.init!));
  const device = o.device ?? 'cpu';
  if (device !== 'cpu') for (const m of [gPair, dPair]) m.to(device);
  using optG = new Adam(gPair.parameters(), { lr: c.lr, betas: c.betas });
  using optD = new Adam(dPair.parameters(), { lr: c.lr, betas: c.betas });
  const opts = { batchSize: c.batch, crop: c.crop, augment: { hflip: true, vflip: true, rot90: true }, cache: true };
  using data = new UnpairedLoader(
    new BatchLoader(readImageFolder(c.blur).files, { ...opts, seed: c.seed }),
    new BatchLoader(readImageFolder(c.sharp).files, { ...opts, seed: c.seed + 1 }),
  );
  using val = c.val ? stackOn(await loadValidation(allPairs(readLayout(c.val)), c.valImages, 256, 16), device) : null;
  const run = RunDir.start(out, { kind: 'cyclegan', ...c }, o, resumed); // once the data has loaded
  let acc = 0.5;
  const dScaler = o.amp === 'float16' ? new GradScaler() : undefined;

  // source = blurry B, target = sharp S.
  const step = (batch: UnpairedBatch): StepResult => {
    const b = batch.source.blurry.to(device),
      s = batch.target.blurry.to(device);
    const fakeS = deblur(gBS, b),
      fakeB = deblur(gSB, s);
    const r = adversarialUpdate(
      dPair,
      optD,
      () => {
        // Both discriminators, on detached fakes.
        const rS = dS.forward(s),
          fS = dS.forward(fakeS.detach()),
          rB = dB.forward(b),
          fB = dB.forward(fakeB.detach());
        acc = 0.95 * acc + 0.05 * discriminatorAccuracy(c.gan, [rS, rB], [fS, fB]).mean;
        return discriminatorLoss(c.gan, [rS], [fS]).add(discriminatorLoss(c.gan, [rB], [fB]));
      },
      () => {
        const adv = generatorLoss(c.gan, [dS.forward(fakeS)]).add(generatorLoss(c.gan, [dB.forward(fakeB)]));
        const cycle = deblur(gSB, fakeS).sub(b).abs().mean().add(deblur(gBS, fakeB).sub(s).abs().mean());
        const identity = c.lambdaIdentity > 0 ? deblur(gBS, s).sub(s).abs().mean().add(deblur(gSB, b).sub(b).abs().mean()) : undefined;
        return { adv, cycle, identity };
      },
      { device, scaler: dScaler, dp: o.dp },
    );
    if (r.nonFinite) return { loss: fakeS.mean(), ...(r.overflow ? { skipUpdate: true } : { nonFinite: true }), logs: { d_loss: r.dLoss } };
    const { adv, cycle, identity } = r.generator;
    let loss = adv.add(cycle.mul(c.lambdaCycle));
    if (identity) loss = loss.add(identity.mul(c.lambdaCycle * c.lambdaIdentity));
    return { loss, logs: { d_loss: r.dLoss, g_adv: adv.item(), cycle: cycle.item(), identity: identity?.item() ?? 0, d_acc: acc } };
  };

  const validate = async (s: number): Promise<Record<string, number>> => {
    if (!val) return {};
    return validationPreview(run, s, [gBS], 2, () => {
      const pred = mapInGroups(val.blurry.shape[0]!, 4, (i, j) => deblur(gBS, val.blurry.slice(0, i, j)).clamp(0, 1));
      return {
        metrics: { psnr: meanPsnr(pred, val.sharp), input_psnr: meanPsnr(val.blurry, val.sharp) },
        columns: [val.blurry, pred, val.sharp],
      };
    });
  };

  const half = Math.round(c.steps / 2);
  const r = await trainLoop<UnpairedBatch>({
    run,
    data,
    steps: c.steps,
    baseLr: c.lr,
    schedule: { kind: 'constant-then-linear', constant: half, decay: c.steps - half },
    parts: adversarialParts(gPair, optG, dPair, optD),
    step,
    scalers: dScaler ? { d: dScaler } : undefined,
    release: releaseUnpaired,
    shard: shardUnpaired,
    validate: val ? validate : undefined,
    primary: val ? 'psnr' : undefined,
    ...loopOptions(o, c),
  });
  run.saveFinal(gBS.stateDict(), { arch, kind: 'deblurrer', baseline: 'cyclegan' }, r);
  return { ...r, run: out, weights: run.finalWeights };
}
