// One translator training step (shared by the trainer and the training benchmark): D first (real K at
// three scales vs detached G(B), plus the gradient penalty), then G's loss (adversarial through the
// frozen D, plus λ_rec × the content loss). The step updates D itself; the returned loss is G's.
import { Generator, F, type Tensor } from '../tensor/index.js';
import type { MIMOUNet, PatchGAN } from '../models/index.js';
import type { Adam } from '../optim/index.js';
import type { Batch } from '../data/datasets/loader.js';
import { discriminatorAccuracy, discriminatorLoss, generatorLoss, gradientPenalty } from '../losses/gan.js';
import { gaussianBlur, type ContentLoss } from '../losses/perceptual.js';
import { curriculumBatch } from './curriculum.js';
import type { TranslatorConfig } from './translator-config.js';

/** Unpaired batches: blurry images of the target camera and known-blur images, from two loaders. */
export interface UnpairedBatch {
  b: Batch;
  k: Batch;
}

export type StepConfig = Pick<TranslatorConfig, 'gan' | 'lambdaGp' | 'gpScales' | 'lambdaRec' | 'discInput' | 'curriculum' | 'curriculumFraction' | 'curriculumSteps' | 'seed'> & { discWarmup?: number };

const nearestHalf = (x: Tensor): Tensor => F.interpolate(x, { scaleFactor: 0.5, mode: 'nearest' });
const bilinearHalf = (x: Tensor): Tensor => F.interpolate(x, { scaleFactor: 0.5, mode: 'bilinear' });

/** [¼, ½, 1] scales of a batch: nearest, as MIMO-UNet makes its own inputs. */
export function inputScales(x: Tensor): [Tensor, Tensor, Tensor] {
  const h = nearestHalf(x);
  return [nearestHalf(h), h, x];
}

/** [¼, ½, 1] scales of the real known-blur batch for D: bilinear (the official code). */
export function knownScales(k: Tensor): [Tensor, Tensor, Tensor] {
  const h = bilinearHalf(k);
  return [bilinearHalf(h), h, k];
}

/** What D sees of an image batch. */
function discView(c: StepConfig): (x: Tensor) => Tensor {
  return c.discInput === 'highpass' ? (x) => x.sub(gaussianBlur(x, 2)) : (x) => x;
}

/**
 * The step function for trainLoop. Logs: d_loss, gp, g_adv, rec, D's patch accuracy (moving average
 * over ~20 steps: d_acc, d_acc_real, d_acc_fake) and the number of B images used (curriculum).
 */
export function translatorStep(c: StepConfig, g: MIMOUNet, d: PatchGAN, dOpt: Adam, content: ContentLoss): (batch: UnpairedBatch, i: number) => { loss: Tensor; logs: Record<string, number>; skipUpdate?: boolean } {
  const view = discView(c);
  const gen = new Generator(c.seed);
  let acc = { real: 0.5, fake: 0.5, mean: 0.5 }, seen = 0;

  return (batch: UnpairedBatch, i: number): { loss: Tensor; logs: Record<string, number>; skipUpdate?: boolean } => {
    const y = curriculumBatch(c.curriculum ? { startFraction: c.curriculumFraction, fullAfter: c.curriculumSteps } : null, batch.b.blurry, i);
    const ys = inputScales(y);
    const outs = g.forward(y);
    const ks = knownScales(batch.k.blurry);
    // D: real K vs detached G(B), plus the gradient penalty on real/fake mixes.
    d.requiresGrad_(true);
    const fakeD = outs.map((t) => t.detach());
    const realScores = d.forwardScales(ks.map(view)), fakeScores = d.forwardScales(fakeD.map(view));
    const a = discriminatorAccuracy(c.gan, realScores, fakeScores);
    const dAdv = discriminatorLoss(c.gan, realScores, fakeScores);
    // The penalty needs equal batches of real and fake: the first n known images.
    gen.manualSeed(BigInt(c.seed) * 1000003n + BigInt(i)); // a per-step stream, so a resumed run draws the same ε
    const n = y.shape[0]!;
    const gpAt = c.gpScales === 'full' ? [2] : [0, 1, 2];
    let gp: Tensor | undefined;
    for (const s of gpAt) {
      const term = gradientPenalty((x) => d.forward(view(x)), ks[s]!.slice(0, 0, n), fakeD[s]!, { generator: gen });
      gp = gp ? gp.add(term) : term;
    }
    const dLoss = c.lambdaGp > 0 ? dAdv.add(gp!.mul(c.lambdaGp / gpAt.length)) : dAdv;
    const dValue = dLoss.item();
    if (!Number.isFinite(dValue)) return { loss: dLoss, logs: {} }; // the loop skips the step and counts it
    dOpt.zeroGrad();
    dLoss.backward();
    dOpt.update();
    // G: fool the (now frozen) D at every scale, keep the content of every scale.
    d.requiresGrad_(false);
    const gAdv = generatorLoss(c.gan, d.forwardScales(outs.map(view)));
    const rec = content.loss(ys, outs);
    d.requiresGrad_(true); // the graph above was recorded without D's parameters; backward will not touch them
    acc = seen === 0 ? a : { real: 0.95 * acc.real + 0.05 * a.real, fake: 0.95 * acc.fake + 0.05 * a.fake, mean: 0.95 * acc.mean + 0.05 * a.mean };
    seen++;
    return {
      loss: gAdv.add(rec.mul(c.lambdaRec)),
      logs: { d_loss: dAdv.item(), gp: gp ? gp.item() / gpAt.length : 0, g_adv: gAdv.item(), rec: rec.item(), d_acc: acc.mean, d_acc_real: acc.real, d_acc_fake: acc.fake, batch_used: n },
      // D's warm-up: G's loss is computed (and logged) but G is not updated.
      skipUpdate: i < (c.discWarmup ?? 0),
    };
  };
}
