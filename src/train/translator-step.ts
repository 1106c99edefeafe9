// One translator training step (shared by the trainer and the training benchmark): D first (real K at
// three scales vs detached G(B), plus the gradient penalty), then G's loss (adversarial through the
// frozen D, plus λ_rec × the content loss, plus, when asked, λ_dn × the denoising term: the camera's own
// noise (and JPEG) put on the known-blur crops, which G must give back). The step updates D itself; the returned
// loss is G's.
import { Generator, F, noGrad, type AmpDtype, type Device, type Tensor } from '../tensor/index.js';
import { GradScaler } from './grad-scaler.js';
import type { DataParallel } from './data-parallel.js';
import type { MIMOUNet, PatchGAN } from '../models/index.js';
import type { Adam } from '../optim/index.js';
import { discriminatorAccuracy, discriminatorLoss, generatorLoss, gradientPenalty } from '../losses/gan.js';
import type { ContentLoss } from '../losses/perceptual.js';
import { curriculumBatch } from './curriculum.js';
import type { TranslatorConfig } from './translator-config.js';
import { adversarialUpdate, type UnpairedBatch } from './adversarial.js';
import type { StepResult } from './trainer.js';
import { keyedRng } from '../data/datasets/loader.js';
import type { NoiseBank } from '../data/datasets/noise-bank.js';
import { jpegCompress } from '../data/jpeg.js';
import type { Rng } from '../data/rng.js';

export type StepConfig = Pick<
  TranslatorConfig,
  'gan' | 'lambdaGp' | 'gpScales' | 'lambdaRec' | 'discInput' | 'curriculum' | 'curriculumFraction' | 'curriculumSteps' | 'seed'
> & {
  /** The denoising term's weight and the camera's noise patches (both or neither), and its JPEG quality range. */
  denoise?: { weight: number; bank: NoiseBank; jpeg?: readonly [number, number] | null };
  discWarmup?: number;
  /** Where G and D live (batches are moved there); 'cpu' default. */
  device?: Device;
  /** Mixed precision of the run (float16: D gets its own loss scaler). */
  amp?: AmpDtype;
  /** Data parallel: D's update agrees over the ranks. */
  dp?: DataParallel;
};

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
  return c.discInput === 'highpass' ? (x) => x.sub(F.gaussianBlur(x, 2)) : (x) => x;
}

/**
 * The denoising term: mean |G(k + n) − k| at full scale, n a field of the camera's noise patches of about
 * each cell's brightness (drawn from a stream keyed by the step, so a resumed run draws the same noise),
 * the sum clipped to [0, 1] as a camera clips; with a JPEG quality range, k + n is also written as JPEG
 * at a quality drawn per crop from it. G learns to take the camera's noise (and blocking) away and leave
 * the known blur as it is; K's own noise, which D_K was trained with, stays in the target.
 */
export function denoiseLoss(g: MIMOUNet, k: Tensor, bank: NoiseBank, rng: Rng, jpeg?: readonly [number, number] | null): Tensor {
  let noisy = k.add(bank.field(k, rng)).clamp(0, 1);
  if (jpeg) {
    const qs = Array.from({ length: k.shape[0]! }, () => rng.int(jpeg[0], jpeg[1] + 1));
    noisy = noGrad(() => jpegCompress(noisy, qs));
  }
  return g.forward(noisy)[2].sub(k).abs().mean();
}

/** A translator step, with the loss scalers it keeps (D's under float16) for the trainer to checkpoint. */
export type TranslatorStep = ((batch: UnpairedBatch, i: number) => StepResult) & { scalers: Record<string, GradScaler> };

/**
 * The step function for trainLoop: source = the camera's blurry images B, target = the known-blur set K.
 * Logs: d_loss, gp, g_adv, rec, D's patch accuracy (moving average over ~20 steps: d_acc, d_acc_real,
 * d_acc_fake) and the number of B images used (curriculum).
 */
export function translatorStep(c: StepConfig, g: MIMOUNet, d: PatchGAN, dOpt: Adam, content: ContentLoss): TranslatorStep {
  const view = discView(c);
  const device = c.device ?? 'cpu';
  const gen = new Generator(c.seed, device);
  const dScaler = c.amp === 'float16' ? new GradScaler() : undefined;
  let acc = { real: 0.5, fake: 0.5, mean: 0.5 },
    seen = 0;

  const step = (batch: UnpairedBatch, i: number): StepResult => {
    const y = curriculumBatch(
      c.curriculum ? { startFraction: c.curriculumFraction, fullAfter: c.curriculumSteps } : null,
      batch.source.blurry.to(device),
      i,
    );
    const ys = inputScales(y);
    const outs = g.forward(y);
    const k = batch.target.blurry.to(device);
    const ks = knownScales(k);
    const fakeD = outs.map((t) => t.detach());
    const n = y.shape[0]!;
    const gpAt = c.gpScales === 'full' ? [2] : [0, 1, 2];
    let gp: Tensor | undefined,
      dAdv: Tensor | undefined,
      a = acc;
    const r = adversarialUpdate(
      d,
      dOpt,
      () => {
        // D: real K vs detached G(B), plus the gradient penalty on real/fake mixes.
        const realScores = d.forwardScales(ks.map(view)),
          fakeScores = d.forwardScales(fakeD.map(view));
        a = discriminatorAccuracy(c.gan, realScores, fakeScores);
        dAdv = discriminatorLoss(c.gan, realScores, fakeScores);
        // The penalty needs equal batches of real and fake: the first n known images.
        gen.manualSeed(BigInt(c.seed) * 1000003n + BigInt(i)); // a per-step stream, so a resumed run draws the same ε
        for (const s of gpAt) {
          const term = gradientPenalty((x) => d.forward(view(x)), ks[s]!.slice(0, 0, n), fakeD[s]!, { generator: gen });
          gp = gp ? gp.add(term) : term;
        }
        return c.lambdaGp > 0 ? dAdv.add(gp!.mul(c.lambdaGp / gpAt.length)) : dAdv;
      },
      () => ({
        // G: fool the frozen D at every scale, keep the content of every scale.
        adv: generatorLoss(c.gan, d.forwardScales(outs.map(view))),
        rec: content.loss(ys, outs),
        den: c.denoise ? denoiseLoss(g, k, c.denoise.bank, keyedRng(c.seed, 7717, i), c.denoise.jpeg) : undefined,
      }),
      { device, scaler: dScaler, dp: c.dp },
    );
    // A float16 overflow only lowers D's loss scale: the step is skipped, not counted as bad.
    if (r.nonFinite)
      return { loss: outs[2]!.mean(), ...(r.overflow ? { skipUpdate: true } : { nonFinite: true }), logs: { d_loss: r.dLoss } };
    const { adv, rec, den } = r.generator;
    let loss = adv.add(rec.mul(c.lambdaRec));
    if (den) loss = loss.add(den.mul(c.denoise!.weight));
    acc =
      seen === 0
        ? a
        : { real: 0.95 * acc.real + 0.05 * a.real, fake: 0.95 * acc.fake + 0.05 * a.fake, mean: 0.95 * acc.mean + 0.05 * a.mean };
    seen++;
    return {
      loss,
      logs: {
        ...(den ? { denoise: den.item() } : {}),
        d_loss: dAdv!.item(),
        gp: gp ? gp.item() / gpAt.length : 0,
        g_adv: adv.item(),
        rec: rec.item(),
        d_acc: acc.mean,
        d_acc_real: acc.real,
        d_acc_fake: acc.fake,
        batch_used: n,
      },
      // D's warm-up: G's loss is computed (and logged) but G is not updated.
      skipUpdate: i < (c.discWarmup ?? 0),
    };
  };
  const scalers: Record<string, GradScaler> = dScaler ? { d: dScaler } : {};
  return Object.assign(step, { scalers });
}
