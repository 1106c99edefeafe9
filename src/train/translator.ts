// Training the Blur2Blur translator G: the target camera's blur → the known blur. G is a MIMO-UNet with
// outputs at ¼, ½ and 1; one PatchGAN D judges all three scales. Each step first updates D (real: K at
// the three scales, bilinear; fake: G(B) detached; plus the gradient penalty), then G (adversarial loss
// through the frozen D, plus λ_rec × the content loss between each input scale and G's output there).
import { manualSeed, noGrad, scope } from '../tensor/index.js';
import { MIMOUNet, PatchGAN, type ArchId } from '../models/index.js';
import { Adam } from '../optim/index.js';
import { loadWeights } from '../io/weights.js';
import { writeImage } from '../data/image.js';
import { readImageFolder, readLayout, allPairs } from '../data/datasets/layouts.js';
import { BatchLoader, releaseBatch, type LoaderPosition } from '../data/datasets/loader.js';
import { laplacianVarianceBatch } from '../data/datasets/blur-score.js';
import { contentLoss } from '../losses/perceptual.js';
import { meanPsnr } from '../eval/psnr.js';
import { existsSync } from 'node:fs';
import { RunDir } from './run.js';
import { loadModelFromCheckpoint } from './checkpoint.js';
import { trainLoop, type DataSource, type LoopResult } from './trainer.js';
import { translatorStep, type UnpairedBatch } from './translator-step.js';
import { loadDeblurrer, weightsFile } from './load.js';
import { deblur, type Deblurrer } from './deblur.js';
import { loadValidation, mapInGroups, sampleGrid } from './validation-data.js';
import type { TranslatorConfig } from './translator-config.js';

export type { UnpairedBatch } from './translator-step.js';
export { inputScales, knownScales } from './translator-step.js';

export class UnpairedLoader implements DataSource<UnpairedBatch> {
  constructor(readonly b: BatchLoader, readonly k: BatchLoader) {}
  async next(): Promise<UnpairedBatch> {
    return { b: await this.b.next(), k: await this.k.next() };
  }
  get position(): { b: LoaderPosition; k: LoaderPosition } {
    return { b: this.b.position, k: this.k.position };
  }
  restore(p: { b: LoaderPosition; k: LoaderPosition }): void {
    this.b.restore(p.b);
    this.k.restore(p.k);
  }
  dispose(): void {
    this.b.dispose();
    this.k.dispose();
  }
}

export function buildTranslator(arch: ArchId): MIMOUNet {
  return new MIMOUNet(arch === 'mimo-unet-small' ? 'small' : arch === 'mimo-unet-plus' ? 'mimo-unet-plus' : 'mimo-unet');
}

export interface TranslatorResult extends LoopResult {
  run: string;
  weights: string;
  content: string;
}

export async function trainTranslator(c: TranslatorConfig, out: string, o: { resume?: boolean; quiet?: boolean; log?: (l: string) => void; logEvery?: number; onStep?: (step: number, loss: number) => void; maxSeconds?: number } = {}): Promise<TranslatorResult> {
  const run = o.resume ? RunDir.open(out) : RunDir.create(out, { kind: 'translator', ...c });
  const log = o.log ?? ((l: string) => { if (!o.quiet) console.error(l); });
  manualSeed(c.seed);
  const g = buildTranslator(c.arch as ArchId);
  const d = new PatchGAN(c.disc);
  if (c.identityInit && !c.init) g.initIdentity();
  if (c.init) scope(() => g.loadStateDict(loadWeights(weightsFile(c.init!)), {}, c.init!));
  const content = contentLoss(c.content, { vggWeights: c.vggWeights, lowpassSigma: c.lowpassSigma });
  run.log({ event: 'content-loss', description: content.description });
  log(`content loss: ${content.description}`);
  const gOpt = new Adam(g.parameters(), { lr: c.lr, betas: c.betas });
  const dOpt = new Adam(d.parameters(), { lr: c.lr, betas: c.betas });
  const bSet = readImageFolder(c.blur).files, kSet = readImageFolder(c.known).files;
  const loaderOpts = { batchSize: c.batch, crop: c.crop, augment: { hflip: true, vflip: true, rot90: true }, cache: true };
  const data = new UnpairedLoader(new BatchLoader(bSet, { ...loaderOpts, seed: c.seed }), new BatchLoader(kSet, { ...loaderOpts, seed: c.seed + 1 }));
  const dk: Deblurrer | null = c.deblurrer ? loadDeblurrer(c.deblurrer) : null;
  const val = c.valPairs ? await loadValidation(allPairs(readLayout(c.valPairs)), c.valImages, 256, 16) : null;
  const step = translatorStep(c, g, d, dOpt, content);

  // D_K alone on the validation stack does not change during training: computed once.
  const direct = dk && val ? noGrad(() => {
    const pred = mapInGroups(val.blurry.shape[0]!, 4, (i, j) => deblur(dk, val.blurry.slice(0, i, j)).clamp(0, 1)).keep();
    return { pred, psnr: meanPsnr(pred, val.sharp), inputPsnr: meanPsnr(val.blurry, val.sharp) };
  }) : null;
  const validate = async (s: number): Promise<Record<string, number>> => {
    if (!val) return {};
    g.eval();
    const r = noGrad(() => scope(() => {
      const n = val.blurry.shape[0]!;
      const t = mapInGroups(n, 4, (i, j) => g.forward(val.blurry.slice(0, i, j))[2].clamp(0, 1));
      const res: Record<string, number> = {
        translated_vs_input_psnr: meanPsnr(t, val.blurry),
        blur_score_input: laplacianVarianceBatch(val.blurry).mean().item(),
        blur_score_translated: laplacianVarianceBatch(t).mean().item(),
      };
      if (!dk || !direct) return { res, grid: sampleGrid([val.blurry, t, val.sharp], 2) };
      const vg = mapInGroups(n, 4, (i, j) => deblur(dk, t.slice(0, i, j)).clamp(0, 1));
      Object.assign(res, { psnr: meanPsnr(vg, val.sharp), dk_alone_psnr: direct.psnr, input_psnr: direct.inputPsnr });
      return { res, grid: sampleGrid([val.blurry, t, direct.pred, vg, val.sharp], 2) };
    }));
    g.train();
    await writeImage(run.sample(s), r.grid);
    r.grid.dispose();
    return r.res;
  };

  try {
    const schedule = { kind: 'constant-then-linear', constant: Math.round(c.constantFraction * c.steps), decay: c.steps - Math.round(c.constantFraction * c.steps) } as const;
    const r = await trainLoop<UnpairedBatch>({
      run, data, steps: c.steps, baseLr: c.lr, schedule,
      parts: [{ name: 'g', model: g, optimizer: gOpt }, { name: 'd', model: d, optimizer: dOpt, selfUpdated: true, lrScale: c.discLrScale }],
      step, release: (b) => { releaseBatch(b.b); releaseBatch(b.k); },
      validate: val ? validate : undefined, primary: dk ? 'psnr' : undefined,
      valEvery: c.valEvery, ckptEvery: c.ckptEvery, resume: o.resume ?? false, quiet: o.quiet, maxSeconds: o.maxSeconds, logEvery: o.logEvery, onStep: o.onStep,
    });
    const meta: Record<string, string> = { arch: c.arch, kind: 'translator', content: content.description };
    if (c.final === 'best' && !r.interrupted && existsSync(run.best)) {
      const at = loadModelFromCheckpoint(run.best, 'g', g);
      meta.selected = `best validation PSNR of D_K(G(y)) (${r.best?.toFixed(3)} dB) at step ${at} of ${r.steps}`;
      run.log({ event: 'final-weights', selected: 'best', step: at, psnr: r.best });
      log(`final weights: G at step ${at}, the best validation (${r.best?.toFixed(3)} dB)`);
    }
    run.saveFinal(g.stateDict(), meta, r);
    return { ...r, run: out, weights: run.finalWeights, content: content.description };
  } finally {
    for (const m of [g, d, gOpt, dOpt, content, data]) m.dispose();
    dk?.dispose();
    direct?.pred.dispose();
    val?.blurry.dispose();
    val?.sharp.dispose();
  }
}
