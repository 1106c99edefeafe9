// Adversarial losses, the discriminator's accuracy, and the gradient penalty checked by hand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, noGrad, scope, tensor } from '../../src/tensor/index.js';
import { decisionThreshold, discriminatorAccuracy, discriminatorLoss, generatorLoss, gradientPenalty } from '../../src/losses/gan.js';

const close = (a: number, b: number, tol = 1e-5): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const sp = (x: number): number => Math.log1p(Math.exp(x));

describe('adversarial losses', () => {
  const real = [tensor([[[[2, -0.5]]]]), tensor([[[[0.25]]]])];
  const fake = [tensor([[[[-3, 0.5]]]]), tensor([[[[1]]]])];

  test('hinge, vanilla and lsgan equal their formulas, averaged over scales', () => {
    scope(() => {
      const m = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      // hinge: D = mean_s E relu(1 − r) + mean_s E relu(1 + f)
      const hr = (m([0, 1.5]) + 0.75) / 2,
        hf = (m([0, 1.5]) + 2) / 2;
      close(discriminatorLoss('hinge', real, fake).item(), hr + hf);
      close(generatorLoss('hinge', fake).item(), -(m([-3, 0.5]) + 1) / 2);
      const vr = (m([sp(-2), sp(0.5)]) + sp(-0.25)) / 2,
        vf = (m([sp(-3), sp(0.5)]) + sp(1)) / 2;
      close(discriminatorLoss('vanilla', real, fake).item(), vr + vf);
      close(generatorLoss('vanilla', fake).item(), (m([sp(3), sp(-0.5)]) + sp(-1)) / 2);
      const lr = (m([1, 2.25]) + 0.5625) / 2,
        lf = (m([9, 0.25]) + 1) / 2;
      close(discriminatorLoss('lsgan', real, fake).item(), 0.5 * (lr + lf));
      close(generatorLoss('lsgan', fake).item(), (m([16, 0.25]) + 0) / 2);
    });
  });

  test('accuracy counts real patches above and fake patches below the threshold', () => {
    const a = discriminatorAccuracy('hinge', real, fake);
    // real: 2 > 0, −0.5 no, 0.25 > 0 → 2/3; fake: −3 ≤ 0, 0.5 no, 1 no → 1/3
    close(a.real, 2 / 3);
    close(a.fake, 1 / 3);
    close(a.mean, 0.5);
    assert.equal(decisionThreshold('lsgan'), 0.5);
    const l = discriminatorAccuracy('lsgan', real, fake);
    close(l.real, 1 / 3); // only 2 > 0.5
  });
});

describe('gradient penalty', () => {
  test('a linear D: the penalty is (‖w‖₂ − 1)² and its gradient in w is 2(‖w‖ − 1)·w/‖w‖', () => {
    scope(() => {
      const w = tensor([
        [
          [
            [0.5, -1.5],
            [2, 0.25],
          ],
        ],
      ]).requiresGrad_(true);
      const d = (x: ReturnType<typeof tensor>) => x.mul(w).sum([1, 2, 3]);
      const real = tensor([
          [
            [
              [1, 2],
              [3, 4],
            ],
          ],
          [
            [
              [0, 0],
              [1, 1],
            ],
          ],
        ]),
        fake = tensor([
          [
            [
              [0, 1],
              [0, 1],
            ],
          ],
          [
            [
              [2, 2],
              [2, 2],
            ],
          ],
        ]);
      const gp = gradientPenalty(d, real, fake, { eps: tensor([0.3, 0.9]).view([2, 1, 1, 1]) });
      const norm = Math.hypot(0.5, -1.5, 2, 0.25);
      close(gp.item(), (norm - 1) ** 2);
      const [gw] = grad([gp], [w]);
      const want = [0.5, -1.5, 2, 0.25].map((v) => (2 * (norm - 1) * v) / norm);
      gw!.toNumbers().forEach((v, i) => close(v, want[i]!, 1e-4));
    });
  });

  test('a quadratic D: the penalty uses the mix ε·real + (1 − ε)·fake per image', () => {
    scope(() => {
      // D(x) = Σ x² → ∇ = 2x, ‖∇‖ = 2‖x̂‖
      const d = (x: ReturnType<typeof tensor>) => x.square().sum([1, 2, 3]);
      const real = tensor([[[[1, 0]]], [[[0, 2]]]]),
        fake = tensor([[[[0, 1]]], [[[2, 0]]]]);
      const gp = gradientPenalty(d, real, fake, { eps: tensor([0.5, 0.25]).view([2, 1, 1, 1]) });
      const n1 = 2 * Math.hypot(0.5, 0.5),
        n2 = 2 * Math.hypot(1.5, 0.5);
      close(gp.item(), ((n1 - 1) ** 2 + (n2 - 1) ** 2) / 2);
      const none = noGrad(() => gradientPenalty(d, real, fake, { eps: tensor([0.5, 0.25]).view([2, 1, 1, 1]) }));
      assert.ok(Number.isFinite(none.item()), 'the penalty builds its own graph even inside noGrad');
    });
  });
});
