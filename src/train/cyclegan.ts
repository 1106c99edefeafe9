// The CycleGAN baseline (Zhu et al., ICCV 2017) as the Blur2Blur paper uses it: unpaired translation
// between the target camera's blurry images B and its sharp images S; the B→S generator is the deblurrer.
// Losses as CycleGAN's defaults: least-squares GAN, cycle L1 (λ 10), identity L1 (λ 0.5·10); Adam 2e-4
// (0.5, 0.999), constant then linear decay. Generators are NAFNets (so the B→S one loads wherever a
// deblurrer does, and can start from D_K), discriminators PatchGANs. CycleGAN's pool of 50 past fakes is
// not used: each D sees the current fakes.
import { manualSeed, scope, type Tensor } from '../tensor/index.js';
import { PatchGAN, parseArch } from '../models/index.js';
import { Module } from '../nn/index.js';
import { Adam } from '../optim/index.js';
import { loadWeights } from '../io/weights.js';
import { writeImage } from '../data/image.js';
import { readImageFolder, readLayout, allPairs } from '../data/datasets/layouts.js';
import { BatchLoader, releaseBatch } from '../data/datasets/loader.js';
import { discriminatorAccuracy, discriminatorLoss, generatorLoss, type GanLoss } from '../losses/gan.js';
import { RunDir } from './run.js';
import { trainLoop, type LoopResult } from './trainer.js';
import { buildDeblurrer, deblur } from './deblur.js';
import { UnpairedLoader, type UnpairedBatch } from './translator.js';
import { loadValidation, mapInGroups, sampleGrid } from './validation-data.js';
import { weightsFile } from './load.js';
import { meanPsnr } from '../eval/psnr.js';
import { COMMON_SPEC, checkConfig, type CommonTrainConfig, type Spec } from './config-check.js';

/** The common fields (arch: the generators' NAFNet id; val: pairs with ground truth for validation; init: the B→S generator's start, e.g. D_K), minus pairs. */
export interface CycleGANConfig extends Omit<CommonTrainConfig, 'pairs'> {
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

export const CYCLEGAN_DEFAULTS: CycleGANConfig = {
  blur: '', sharp: '', val: null, arch: 'nafnet-small', disc: 'small', gan: 'lsgan', lambdaCycle: 10, lambdaIdentity: 0.5,
  crop: 128, batch: 4, steps: 3000, lr: 2e-4, betas: [0.5, 0.999], seed: 0, valEvery: 250, ckptEvery: 250, valImages: 8, init: null,
};

const { pairs: _pairs, ...COMMON_WITHOUT_PAIRS } = COMMON_SPEC;
const SPEC: Spec<CycleGANConfig> = {
  ...COMMON_WITHOUT_PAIRS, blur: 'string', sharp: 'string', disc: 'string', gan: 'string', lambdaCycle: 'number', lambdaIdentity: 'number',
};

export function resolveCycleGANConfig(partial: Record<string, unknown>, source = 'cyclegan config'): CycleGANConfig {
  const c = checkConfig<CycleGANConfig>({ ...CYCLEGAN_DEFAULTS, ...partial }, SPEC, source);
  const arch = parseArch(c.arch);
  if (!arch.startsWith('nafnet')) throw new Error(`${source}: the CycleGAN generators are NAFNets here (nafnet-small, …), got '${c.arch}'`);
  if (!c.blur || !c.sharp) throw new Error(`${source}: give the blurry (blur) and sharp (sharp) image folders`);
  if (!['small', 'paper'].includes(c.disc)) throw new Error(`${source}: disc must be small or paper`);
  if (!['hinge', 'vanilla', 'lsgan'].includes(c.gan)) throw new Error(`${source}: gan must be hinge, vanilla or lsgan`);
  if (c.crop % 16 || c.crop < 32) throw new Error(`${source}: crop must be a multiple of 16 and at least 32, got ${c.crop}`);
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

export interface CycleGANResult extends LoopResult {
  run: string;
  /** The B→S generator, stored as a deblurrer. */
  weights: string;
}

export async function trainCycleGAN(c: CycleGANConfig, out: string, o: { resume?: boolean; quiet?: boolean; logEvery?: number; maxSeconds?: number } = {}): Promise<CycleGANResult> {
  const run = o.resume ? RunDir.open(out) : RunDir.create(out, { kind: 'cyclegan', ...c });
  manualSeed(c.seed);
  const arch = parseArch(c.arch);
  const gBS = buildDeblurrer(arch), gSB = buildDeblurrer(arch);
  if (c.init) scope(() => gBS.loadStateDict(loadWeights(weightsFile(c.init!)), {}, c.init!));
  const dS = new PatchGAN(c.disc), dB = new PatchGAN(c.disc);
  const gParams = [...gBS.parameters(), ...gSB.parameters()];
  const optG = new Adam(gParams, { lr: c.lr, betas: c.betas });
  const optD = new Adam([...dS.parameters(), ...dB.parameters()], { lr: c.lr, betas: c.betas });
  // The loop checkpoints one module per optimiser: the generators together, the discriminators together.
  const gPair = new ModulePair(['b_to_s', 's_to_b'], gBS, gSB), dPair = new ModulePair(['d_s', 'd_b'], dS, dB);
  const opts = { batchSize: c.batch, crop: c.crop, augment: { hflip: true, vflip: true, rot90: true }, cache: true };
  const data = new UnpairedLoader(new BatchLoader(readImageFolder(c.blur).files, { ...opts, seed: c.seed }), new BatchLoader(readImageFolder(c.sharp).files, { ...opts, seed: c.seed + 1 }));
  const val = c.val ? await loadValidation(allPairs(readLayout(c.val)), c.valImages, 256, 16) : null;
  let acc = 0.5;

  const step = (batch: UnpairedBatch): { loss: Tensor; logs: Record<string, number> } => {
    const b = batch.b.blurry, s = batch.k.blurry;
    const fakeS = deblur(gBS, b), fakeB = deblur(gSB, s);
    // Discriminators first, on detached fakes.
    dPair.requiresGrad_(true);
    const rS = dS.forward(s), fS = dS.forward(fakeS.detach()), rB = dB.forward(b), fB = dB.forward(fakeB.detach());
    const dLoss = discriminatorLoss(c.gan, [rS], [fS]).add(discriminatorLoss(c.gan, [rB], [fB]));
    if (!Number.isFinite(dLoss.item())) return { loss: dLoss, logs: {} };
    acc = 0.95 * acc + 0.05 * discriminatorAccuracy(c.gan, [rS, rB], [fS, fB]).mean;
    optD.zeroGrad();
    dLoss.backward();
    optD.update();
    dPair.requiresGrad_(false);
    const adv = generatorLoss(c.gan, [dS.forward(fakeS)]).add(generatorLoss(c.gan, [dB.forward(fakeB)]));
    const cycle = deblur(gSB, fakeS).sub(b).abs().mean().add(deblur(gBS, fakeB).sub(s).abs().mean());
    const identity = c.lambdaIdentity > 0 ? deblur(gBS, s).sub(s).abs().mean().add(deblur(gSB, b).sub(b).abs().mean()) : undefined;
    dPair.requiresGrad_(true);
    let loss = adv.add(cycle.mul(c.lambdaCycle));
    if (identity) loss = loss.add(identity.mul(c.lambdaCycle * c.lambdaIdentity));
    return { loss, logs: { d_loss: dLoss.item(), g_adv: adv.item(), cycle: cycle.item(), identity: identity?.item() ?? 0, d_acc: acc } };
  };

  const validate = async (s: number): Promise<Record<string, number>> => {
    if (!val) return {};
    gBS.eval();
    const pred = mapInGroups(val.blurry.shape[0]!, 4, (i, j) => deblur(gBS, val.blurry.slice(0, i, j)).clamp(0, 1));
    gBS.train();
    const res = { psnr: meanPsnr(pred, val.sharp), input_psnr: meanPsnr(val.blurry, val.sharp) };
    const grid = sampleGrid([val.blurry, pred, val.sharp], 2);
    await writeImage(run.sample(s), grid);
    grid.dispose();
    pred.dispose();
    return res;
  };

  try {
    const half = Math.round(c.steps / 2);
    const r = await trainLoop<UnpairedBatch>({
      run, data, steps: c.steps, baseLr: c.lr, schedule: { kind: 'constant-then-linear', constant: half, decay: c.steps - half },
      parts: [{ name: 'g', model: gPair, optimizer: optG }, { name: 'd', model: dPair, optimizer: optD, selfUpdated: true }],
      step, release: (x) => { releaseBatch(x.b); releaseBatch(x.k); },
      validate: val ? validate : undefined, primary: val ? 'psnr' : undefined,
      valEvery: c.valEvery, ckptEvery: c.ckptEvery, resume: o.resume ?? false, quiet: o.quiet, maxSeconds: o.maxSeconds, logEvery: o.logEvery,
    });
    run.saveFinal(gBS.stateDict(), { arch, kind: 'deblurrer', baseline: 'cyclegan' }, r);
    return { ...r, run: out, weights: run.finalWeights };
  } finally {
    for (const m of [gPair, dPair, optG, optD, data]) m.dispose();
    val?.blurry.dispose();
    val?.sharp.dispose();
  }
}
