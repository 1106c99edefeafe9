// Adversarial losses for the translator's discriminator (and CycleGAN's), a gradient penalty, and the
// discriminator's accuracy. D outputs raw patch scores (logits); every loss is averaged over patches and
// over the scales it is given, so one- and three-scale discriminators have losses of the same size.
//   hinge    (the official Blur2Blur code): D: E[relu(1 − D(real))] + E[relu(1 + D(fake))], G: −E[D(fake)]
//   vanilla  (the paper, log-loss):         D: E[softplus(−D(real))] + E[softplus(D(fake))],
//                                          G: E[softplus(−D(fake))] (non-saturating)
//   lsgan    (CycleGAN):                   D: ½(E[(D(real) − 1)²] + E[D(fake)²]), G: E[(D(fake) − 1)²]
import { enableGrad, grad, noGrad, onesLike, rand, scope, type Generator, type Tensor } from '../tensor/index.js';

export const GAN_LOSSES = ['hinge', 'vanilla', 'lsgan'] as const;
export type GanLoss = (typeof GAN_LOSSES)[number];

function meanOver(scores: readonly Tensor[], f: (s: Tensor) => Tensor): Tensor {
  let total = f(scores[0]!);
  for (let i = 1; i < scores.length; i++) total = total.add(f(scores[i]!));
  return scores.length === 1 ? total : total.div(scores.length);
}

/** The discriminator's loss on real and fake patch scores (one tensor per scale). */
export function discriminatorLoss(kind: GanLoss, real: readonly Tensor[], fake: readonly Tensor[]): Tensor {
  switch (kind) {
    case 'hinge':
      return meanOver(real, (s) => s.rsub(1).relu().mean()).add(meanOver(fake, (s) => s.add(1).relu().mean()));
    case 'vanilla':
      return meanOver(real, (s) => s.neg().softplus().mean()).add(meanOver(fake, (s) => s.softplus().mean()));
    case 'lsgan':
      return meanOver(real, (s) => s.sub(1).square().mean())
        .add(meanOver(fake, (s) => s.square().mean()))
        .mul(0.5);
  }
}

/** The generator's adversarial loss on the scores D gives its outputs. */
export function generatorLoss(kind: GanLoss, fake: readonly Tensor[]): Tensor {
  switch (kind) {
    case 'hinge':
      return meanOver(fake, (s) => s.mean()).neg();
    case 'vanilla':
      return meanOver(fake, (s) => s.neg().softplus().mean());
    case 'lsgan':
      return meanOver(fake, (s) => s.sub(1).square().mean());
  }
}

/** The score above which a patch counts as judged real: 0 for logits, ½ for least squares. */
export function decisionThreshold(kind: GanLoss): number {
  return kind === 'lsgan' ? 0.5 : 0;
}

/**
 * The discriminator's patch accuracy (the paper's Table 6 check): the share of real patches scored above
 * the threshold and of fake patches scored below it, over all scales; and their mean.
 */
export function discriminatorAccuracy(
  kind: GanLoss,
  real: readonly Tensor[],
  fake: readonly Tensor[],
): { real: number; fake: number; mean: number } {
  const t = decisionThreshold(kind);
  return noGrad(() =>
    scope(() => {
      const share = (xs: readonly Tensor[], above: boolean): number => {
        let hit = 0,
          n = 0;
        for (const s of xs) {
          hit += (above ? s.gt(t) : s.le(t)).float().sum().item();
          n += s.numel;
        }
        return hit / n;
      };
      const r = share(real, true),
        f = share(fake, false);
      return { real: r, fake: f, mean: (r + f) / 2 };
    }),
  );
}

/**
 * Gradient penalty (Gulrajani et al. 2017; Blur2Blur Eq. 4): E[(‖∇_ŷ D(ŷ)‖₂ − 1)²] on random mixes
 * ŷ = ε·real + (1 − ε)·fake, one ε ~ U(0, 1) per image, the norm taken over each image's C·H·W
 * gradient. The graph of the gradient is kept, so the penalty trains D. `eps` may be given (tests).
 */
export function gradientPenalty(
  d: (x: Tensor) => Tensor,
  real: Tensor,
  fake: Tensor,
  o: { eps?: Tensor; generator?: Generator } = {},
): Tensor {
  const n = real.shape[0]!;
  const e = o.eps ?? rand([n, 1, 1, 1], { generator: o.generator, device: real.device });
  const mix = noGrad(() =>
    real
      .detach()
      .mul(e)
      .add(fake.detach().mul(e.rsub(1))),
  ).requiresGrad_(true);
  return enableGrad(() => {
    const out = d(mix);
    const [g] = grad([out], [mix], { gradOutputs: [onesLike(out)], createGraph: true });
    return g!.flatten(1).norm(2, 1).sub(1).square().mean();
  });
}
