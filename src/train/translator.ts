// Training the Blur2Blur translator G: the target camera's blur → the known blur. G is a MIMO-UNet with
// outputs at ¼, ½ and 1; one PatchGAN D judges all three scales. Each step first updates D (real: K at
// the three scales, bilinear; fake: G(B) detached; plus the gradient penalty), then G (adversarial loss
// through the frozen D, plus λ_rec × the content loss between each input scale and G's output there).
import { manualSeed, noGrad, scope } from '../tensor/index.js';
import { PatchGAN, buildTranslator, deblur, parseArch, type Deblurrer } from '../models/index.js';
import { Adam } from '../optim/index.js';
import { loadWeights } from '../io/weights.js';
import { readImageFolder, readLayout, allPairs } from '../data/datasets/layouts.js';
import { BatchLoader } from '../data/datasets/loader.js';
import { NoiseBank } from '../data/datasets/noise-bank.js';
import { laplacianVarianceBatch } from '../data/datasets/blur-score.js';
import { contentLoss } from '../losses/perceptual.js';
import { meanPsnr } from '../eval/psnr.js';
import { existsSync } from 'node:fs';
import { RunDir } from './run.js';
import { loadModelFromCheckpoint } from './checkpoint.js';
import { loopOptions, trainLoop, type TrainOptions, type TrainResult } from './trainer.js';
import { inEvalMode, validationPreview } from './preview.js';
import { translatorStep } from './translator-step.js';
import { UnpairedLoader, releaseUnpaired, type UnpairedBatch, adversarialParts, shardUnpaired } from './adversarial.js';
import { loadBlurClassifier, loadDeblurrer, weightsFile } from '../infer/load.js';
import { spreadImages } from './domain-validation.js';
import { imagesVerdict } from '../eval/domain.js';
import { loadValidation, mapInGroups, stackOn } from './validation-data.js';
import type { TranslatorConfig } from './translator-config.js';

export { inputScales, knownScales } from './translator-step.js';

export interface TranslatorResult extends TrainResult {
  /** With final 'best' or 'domain': the step whose G was kept and its validation score there (PSNR of
   * D_K(G(y)) in dB, or the classifier's mean P(known blur) of G(B)). */
  kept?: { step: number; score: number; by: 'psnr' | 'known_prob' };
  content: string;
}

/** Trains the Blur2Blur translator G (MIMO-UNet against a PatchGAN) into the run folder `out`; resumable. */
export async function trainTranslator(c: TranslatorConfig, out: string, o: TrainOptions = {}): Promise<TranslatorResult> {
  const resumed = o.resume ? RunDir.open(out) : undefined;
  const log =
    o.log ??
    ((l: string) => {
      if (!o.quiet) console.error(l);
    });
  manualSeed(c.seed);
  using g = buildTranslator(parseArch(c.arch));
  using d = new PatchGAN(c.disc);
  if (c.identityInit && !c.init) g.initIdentity();
  g.withInputBlur(c.inputSigma);
  if (c.init) scope(() => g.loadStateDict(loadWeights(weightsFile(c.init!)), {}, c.init!));
  const device = o.device ?? 'cpu';
  if (device !== 'cpu') for (const m of [g, d]) m.to(device);
  using content = contentLoss(c.content, { vggWeights: c.vggWeights, lowpassSigma: c.lowpassSigma, device });
  using gOpt = new Adam(g.parameters(), { lr: c.lr, betas: c.betas });
  using dOpt = new Adam(d.parameters(), { lr: c.lr, betas: c.betas });
  const bSet = readImageFolder(c.blur).files,
    kSet = readImageFolder(c.known).files;
  const loaderOpts = { batchSize: c.batch, crop: c.crop, augment: { hflip: true, vflip: true, rot90: true }, cache: true };
  using data = new UnpairedLoader(
    new BatchLoader(bSet, { ...loaderOpts, seed: c.seed }),
    new BatchLoader(kSet, { ...loaderOpts, seed: c.seed + 1 }),
  );
  using dk: Deblurrer | null = c.deblurrer ? loadDeblurrer(c.deblurrer, undefined, undefined, device) : null;
  using val = c.valPairs ? stackOn(await loadValidation(allPairs(readLayout(c.valPairs)), c.valImages, 256, 16), device) : null;
  // The blur-domain classifier and the images of B it judges G on (no ground truth needed).
  const clf = c.domainClassifier ? loadBlurClassifier(c.domainClassifier, device) : null;
  using _clf = clf?.model ?? null;
  using bVal = clf ? await spreadImages(bSet, c.valImages, device, 256) : null;
  const run = RunDir.start(out, { kind: 'translator', ...c }, o, resumed); // once the data has loaded
  run.log({ event: 'content-loss', description: content.description });
  log(`content loss: ${content.description}`);
  using bank = c.denoise > 0 ? await NoiseBank.fromFiles(bSet, c.blur) : null;
  if (bank)
    log(
      `denoising term: ${bank.size} noise patches of ${bank.patch}×${bank.patch} from ${bSet.length} images of B, weight ${c.denoise}${c.jpeg ? `, through JPEG at quality ${c.jpeg[0]}–${c.jpeg[1]}` : ''}`,
    );
  const step = translatorStep(
    { ...c, device, amp: o.amp, dp: o.dp, denoise: bank ? { weight: c.denoise, bank, jpeg: c.jpeg } : undefined },
    g,
    d,
    dOpt,
    content,
  );

  // D_K alone on the validation stack does not change during training: computed once.
  using direct =
    dk && val
      ? noGrad(() => {
          const pred = mapInGroups(val.blurry.shape[0]!, 4, (i, j) => deblur(dk, val.blurry.slice(0, i, j)).clamp(0, 1)).keep();
          return {
            pred,
            psnr: meanPsnr(pred, val.sharp),
            inputPsnr: meanPsnr(val.blurry, val.sharp),
            [Symbol.dispose]: () => pred.dispose(),
          };
        })
      : null;
  const inputKnown = clf && bVal ? imagesVerdict(clf.model, clf.crop, bVal.images).meanProbability : null;
  const validateDomain = (): Record<string, number> =>
    clf && bVal
      ? inEvalMode([g], () => ({
          known_prob: imagesVerdict(clf.model, clf.crop, bVal.images, (x) => g.forwardAnySize(x)[2]).meanProbability,
          known_prob_input: inputKnown!,
        }))
      : {};
  const validate = async (s: number): Promise<Record<string, number>> => {
    const domain = validateDomain();
    if (!val) return domain;
    return validationPreview(run, s, [g], 2, () => {
      const n = val.blurry.shape[0]!;
      const t = mapInGroups(n, 4, (i, j) => g.forward(val.blurry.slice(0, i, j))[2].clamp(0, 1));
      const metrics: Record<string, number> = {
        translated_vs_input_psnr: meanPsnr(t, val.blurry),
        blur_score_input: laplacianVarianceBatch(val.blurry).mean().item(),
        blur_score_translated: laplacianVarianceBatch(t).mean().item(),
      };
      Object.assign(metrics, domain);
      if (!dk || !direct) return { metrics, columns: [val.blurry, t, val.sharp] };
      const vg = mapInGroups(n, 4, (i, j) => deblur(dk, t.slice(0, i, j)).clamp(0, 1));
      Object.assign(metrics, { psnr: meanPsnr(vg, val.sharp), dk_alone_psnr: direct.psnr, input_psnr: direct.inputPsnr });
      return { metrics, columns: [val.blurry, t, direct.pred, vg, val.sharp] };
    });
  };

  const schedule = {
    kind: 'constant-then-linear',
    constant: Math.round(c.constantFraction * c.steps),
    decay: c.steps - Math.round(c.constantFraction * c.steps),
  } as const;
  const r = await trainLoop<UnpairedBatch>({
    run,
    data,
    steps: c.steps,
    baseLr: c.lr,
    schedule,
    parts: adversarialParts(g, gOpt, d, dOpt, c.discLrScale),
    step,
    scalers: step.scalers,
    release: releaseUnpaired,
    shard: shardUnpaired,
    validate: val || clf ? validate : undefined,
    primary: c.final === 'domain' ? 'known_prob' : dk && val ? 'psnr' : undefined,
    ...loopOptions(o, c),
  });
  let kept: TranslatorResult['kept'];
  const meta: Record<string, string> = { arch: c.arch, kind: 'translator', content: content.description };
  if (c.inputSigma > 0) meta.input_sigma = String(c.inputSigma);
  if (c.final !== 'last' && !r.interrupted && existsSync(run.best)) {
    const at = loadModelFromCheckpoint(run.best, 'g', g);
    const by = c.final === 'domain' ? 'known_prob' : 'psnr';
    kept = { step: at, score: r.best!, by };
    const what =
      by === 'psnr'
        ? `best validation PSNR of D_K(G(y)) (${r.best?.toFixed(3)} dB)`
        : `highest P(known blur) of G(B) by the domain classifier (${r.best?.toFixed(3)})`;
    meta.selected = `${what} at step ${at} of ${r.steps}`;
    run.log({ event: 'final-weights', selected: c.final, step: at, [by]: r.best });
    log(`final weights: G at step ${at}, the ${what}`);
  }
  run.saveFinal(g.stateDict(), meta, r);
  return { ...r, run: out, weights: run.finalWeights, content: content.description, kept };
}
