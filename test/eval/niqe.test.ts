// NIQE: the distribution fits on known samples, and the score against the shipped pristine model
// grows with blur.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { F, noGrad } from '../../src/tensor/index.js';
import { readImage } from '../../src/data/image.js';
import { REPO_DATA } from '../../src/data/photos.js';
import { aggdFit, gamma, ggdFit, niqe, readNiqeModel } from '../../src/eval/niqe.js';
import { Rng } from '../../src/data/rng.js';

const { gaussianBlur } = F;

describe('NIQE', () => {
  test('Γ and the generalised Gaussian fits recover known shapes', () => {
    assert.ok(Math.abs(gamma(5) - 24) < 1e-9);
    assert.ok(Math.abs(gamma(0.5) - Math.sqrt(Math.PI)) < 1e-9);
    const r = new Rng(1);
    const gauss = Float64Array.from({ length: 20000 }, () => r.normal() * 2);
    const [shape, variance] = ggdFit(gauss);
    assert.ok(Math.abs(shape - 2) < 0.1, `Gaussian shape ≈ 2, got ${shape}`);
    assert.ok(Math.abs(variance - 4) < 0.2);
    const lap = Float64Array.from({ length: 20000 }, () => (r.next() < 0.5 ? -1 : 1) * -Math.log(Math.max(r.next(), 1e-12)));
    assert.ok(Math.abs(ggdFit(lap)[0] - 1) < 0.1, 'Laplacian shape ≈ 1');
    // An asymmetric Gaussian (left σ 1, right σ 2): P(x < 0) = σl / (σl + σr), as the AGGD density has.
    const asym = Float64Array.from({ length: 20000 }, () => (r.next() < 1 / 3 ? -Math.abs(r.normal()) : 2 * Math.abs(r.normal())));
    const [a, mean, l, rr] = aggdFit(asym);
    assert.ok(Math.abs(a - 2) < 0.15 && mean > 0 && Math.abs(l - 1) < 0.1 && Math.abs(rr - 4) < 0.3, `asymmetric fit ${[a, mean, l, rr]}`);
  });

  test('a photo scores lower (more natural) than its blurred versions', async () => {
    const model = readNiqeModel(join(REPO_DATA, 'niqe-pristine.json'));
    const photo = (await readImage(join(REPO_DATA, 'photos', 'gnome-control-center-data--book.jpg'))).tensor; // 512×512
    const blur = (sigma: number) => noGrad(() => gaussianBlur(photo.unsqueeze(0), sigma).squeeze(0));
    const b1 = blur(1),
      b4 = blur(4);
    const [s0, s1, s4] = [niqe(photo, model), niqe(b1, model), niqe(b4, model)];
    assert.ok(s0 < s1 && s1 < s4, `NIQE sharp ${s0}, Gaussian σ 1 ${s1}, σ 4 ${s4}`);
    const crop = noGrad(() => photo.slice(1, 0, 50));
    for (const t of [photo, b1, b4]) t.dispose();
    assert.throws(() => niqe(crop, model), /at least 96×96/);
    crop.dispose();
  });
});
