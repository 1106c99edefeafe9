// Gradients: float64 finite-difference checks of the operators the models rely on, double backward
// (the gradient penalty) against PyTorch, and grad-mode scopes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  F,
  Generator,
  Tensor,
  enableGrad,
  grad,
  isGradEnabled,
  liveTensors,
  noGrad,
  randn,
  scope,
  tensor,
} from '../../src/tensor/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertClose, fx, loadFixture, type FixtureTensor } from '../helpers/fixtures.js';

const g = new Generator(3);
const r = (...shape: number[]): Tensor => randn(shape, { dtype: 'float64', generator: g }).keep();

describe('gradcheck (float64)', () => {
  const x = r(1, 4, 6, 6);
  test('conv2d with stride, padding and bias', () =>
    gradcheck('conv2d', (a, w, b) => F.conv2d(a!, w!, b, { stride: 2, padding: 1 }), [x, r(3, 4, 3, 3), r(3)]));
  test('depthwise conv2d', () =>
    gradcheck('depthwise', (a, w) => F.conv2d(a!, w!, undefined, { padding: 1, groups: 4 }), [x, r(4, 1, 3, 3)]));
  test('conv_transpose2d', () =>
    gradcheck('convT', (a, w) => F.convTranspose2d(a!, w!, undefined, { stride: 2 }), [r(1, 2, 3, 3), r(2, 3, 2, 2)]));
  test('LayerNorm2d formula (NAFNet) and layer_norm', () => {
    gradcheck(
      'layernorm2d',
      (a, w, b) => {
        const mu = a!.mean(1, { keepdim: true });
        const d = a!.sub(mu);
        const y = d.div(d.square().mean(1, { keepdim: true }).add(1e-6).sqrt());
        return y.mul(w!.view([1, 4, 1, 1])).add(b!.view([1, 4, 1, 1]));
      },
      [x, r(4), r(4)],
    );
    gradcheck('layer_norm', (a, w, b) => F.layerNorm(a!, [6], w, b), [x, r(6), r(6)]);
  });
  test('group, instance and batch norm', () => {
    gradcheck('group_norm', (a, w, b) => F.groupNorm(a!, 2, w, b), [x, r(4), r(4)]);
    gradcheck('instance_norm', (a) => F.instanceNorm(a!), [x]);
    gradcheck('batch_norm', (a, w, b) => F.batchNorm(a!, w, b, { training: true }), [r(2, 4, 3, 3), r(4), r(4)]);
  });
  test('resampling and padding', () => {
    gradcheck('bilinear', (a) => F.interpolate(a!, { scaleFactor: 0.5, mode: 'bilinear' }), [x]);
    gradcheck('bicubic', (a) => F.interpolate(a!, { size: [5, 7], mode: 'bicubic', alignCorners: true }), [x]);
    gradcheck('pixel_shuffle', (a) => F.pixelShuffle(a!, 2), [x]);
    gradcheck('pixel_unshuffle', (a) => F.pixelUnshuffle(a!, 2), [x]);
    gradcheck('reflect pad', (a) => F.pad(a!, [1, 2, 2, 1], 'reflect'), [x]);
    gradcheck('avg_pool', (a) => F.avgPool2d(a!, 2), [x]);
    gradcheck('adaptive_avg_pool', (a) => F.adaptiveAvgPool2d(a!, 1), [x]);
  });
  test('activations and channel gating', () => {
    gradcheck('activations', (a) => a!.leakyRelu(0.2).add(a!.gelu()).add(a!.sigmoid()).add(a!.softplus()).add(a!.tanh()), [x]);
    gradcheck(
      'simple gate',
      (a) => {
        const [p, q] = a!.chunk(2, 1);
        return p!.mul(q!);
      },
      [x],
    );
  });
  test('grid_sample', () => {
    const theta = tensor(
      [
        [
          [0.83, 0.21, 0.037],
          [-0.13, 0.97, 0.061],
        ],
      ],
      { dtype: 'float64' },
    ).keep();
    gradcheck('grid_sample', (a, th) => F.gridSample(a!, F.affineGrid(th!, [1, 4, 4, 5])), [x, theta]);
  });
  test('FFT amplitude (frequency loss)', () => gradcheck('rfft2 abs', (a) => F.rfft2(a!).abs(), [x.add(0.5).keep()]));
  test('reductions', () => {
    gradcheck('var', (a) => a!.var([2, 3]), [x]);
    gradcheck('norm', (a) => a!.norm(2, [1, 2, 3]), [x]);
  });
});

describe('double backward', () => {
  test('gradient penalty value and gradients equal PyTorch', () => {
    const c = loadFixture<{ cases: Record<string, { inputs: Record<string, FixtureTensor>; output: FixtureTensor[] }> }>('ops.json').cases
      .gradient_penalty!;
    const before = liveTensors();
    scope(() => {
      const i = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, fx(v)]));
      const params = [i.w0!, i.b0!, i.w2!, i.b2!].map((p) => p.requiresGrad_(true));
      const D = (v: Tensor): Tensor =>
        F.conv2d(F.conv2d(v, params[0]!, params[1], { stride: 2, padding: 1 }).leakyRelu(0.2), params[2]!, params[3], { padding: 1 });
      const xhat = i.eps!.mul(i.real!).add(i.eps!.rsub(1).mul(i.fake!)).requiresGrad_(true);
      const [gx] = grad(D(xhat).sum(), [xhat], { createGraph: true });
      const gp = gx!.reshape([2, -1]).norm(2, 1).sub(1).square().mean();
      gp.backward();
      const [expGp, gw0, gb0, gw2, gxhat] = c.output;
      assertClose(gp, expGp!, { atol: 1e-12, rtol: 1e-9 }, 'gp');
      assertClose(params[0]!.grad!, gw0!, { atol: 1e-12, rtol: 1e-9 }, 'dgp/dw0');
      assertClose(params[1]!.grad!, gb0!, { atol: 1e-12, rtol: 1e-9 }, 'dgp/db0');
      assertClose(params[2]!.grad!, gw2!, { atol: 1e-12, rtol: 1e-9 }, 'dgp/dw2');
      assert.equal(params[3]!.grad, undefined, 'the last bias does not influence dD/dx');
      assertClose(xhat.grad!, gxhat!, { atol: 1e-12, rtol: 1e-9 }, 'dgp/dxhat');
    });
    assert.equal(liveTensors(), before);
  });
});

describe('grad mode', () => {
  test('noGrad records nothing and restores the mode, even on throw', () => {
    scope(() => {
      const w = tensor([1, 2, 3], { requiresGrad: true });
      const y = noGrad(() => w.mul(2));
      assert.equal(y.requiresGrad, false);
      assert.equal(isGradEnabled(), true);
      assert.throws(
        () =>
          noGrad(() => {
            throw new Error('boom');
          }),
        /boom/,
      );
      assert.equal(isGradEnabled(), true);
      const z = noGrad(() => enableGrad(() => w.mul(2)));
      assert.equal(z.requiresGrad, true);
    });
  });
  test('backward accumulates into .grad; clearing it frees the gradient', () => {
    scope(() => {
      const w = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
      w.mul(w).sum().backward();
      w.mul(3).sum().backward();
      assert.deepEqual(w.grad!.toNumbers(), [5, 7, 9]);
      w.grad = undefined;
      assert.equal(w.grad, undefined);
    });
  });
});
