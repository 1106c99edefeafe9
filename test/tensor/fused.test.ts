// The addon's fused kernels (layerNormLast, simpleGate) against the unfused ATen ops they replace:
// float32 outputs and every input gradient, odd shapes, double backward, the float64 fallback by
// gradcheck, and clear errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  F,
  Generator,
  getNumThreads,
  grad,
  liveTensors,
  noGrad,
  randn,
  scope,
  setNumThreads,
  type Tensor,
} from '../../src/tensor/index.js';
import { gradcheck } from '../helpers/gradcheck.js';

const g = new Generator(21);
const maxDiff = (a: Tensor, b: Tensor): number => noGrad(() => scope(() => a.sub(b).abs().max().item()));

/** Outputs and gradients (of sum(f·r)) of two implementations of the same function, on the same inputs (tolerance × max(1, |reference|)). */
function compare(
  fused: (...xs: Tensor[]) => Tensor,
  plain: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  tol: number,
  label: string,
): void {
  scope(() => {
    const run = (f: (...xs: Tensor[]) => Tensor): Tensor[] => {
      const xs = inputs.map((x) => x.detach().requiresGrad_(true));
      const out = f(...xs);
      const r = randn([...out.shape], { generator: new Generator(5) });
      return [out.detach(), ...grad(out.mul(r).sum(), xs).map((t) => t!)];
    };
    const a = run(fused),
      b = run(plain);
    a.forEach((t, i) => {
      assert.deepEqual(t.shape, b[i]!.shape, `${label}: shape of ${i === 0 ? 'output' : `gradient ${i - 1}`}`);
      const d = maxDiff(t, b[i]!),
        scale = Math.max(
          1,
          noGrad(() => b[i]!.abs().max().item()),
        ); // tolerance relative to large values
      assert.ok(d <= tol * scale, `${label}: ${i === 0 ? 'output' : `gradient of input ${i - 1}`} differs by ${d}`);
    });
  });
}

const plainLn = (x: Tensor, w: Tensor, b: Tensor): Tensor => F.layerNorm(x, [x.shape[x.shape.length - 1]!], w, b, 1e-6);
const plainGate = (x: Tensor): Tensor => {
  const [a, b] = x.chunk(2, -1);
  return a!.mul(b!);
};

describe('layerNormLast', () => {
  test('equals layer_norm over the last dimension, forward and backward (float32)', () => {
    const before = liveTensors();
    for (const shape of [
      [2, 5, 7, 16],
      [3, 4, 33],
      [1, 1, 1, 3],
      [4, 128],
    ]) {
      scope(() => {
        const c = shape[shape.length - 1]!;
        const x = randn(shape, { generator: g }).mul(3).add(1);
        const w = randn([c], { generator: g }),
          b = randn([c], { generator: g });
        compare((x, w, b) => F.layerNormLast(x!, w!, b!, 1e-6), plainLn, [x, w, b], 2e-5, `shape ${shape}`);
      });
    }
    assert.equal(liveTensors(), before);
  });

  test('gradcheck in float64 (the ATen path), and a shape error naming both shapes', () => {
    scope(() => {
      const x = randn([2, 3, 5], { dtype: 'float64', generator: g }),
        w = randn([5], { dtype: 'float64', generator: g }),
        b = randn([5], { dtype: 'float64', generator: g });
      gradcheck('layerNormLast', (x, w, b) => F.layerNormLast(x!, w!, b!, 1e-6), [x, w, b]);
      assert.throws(() => F.layerNormLast(x, randn([4], { dtype: 'float64' }), b), /weight and bias must be \[C\].*\[2, 3, 5\].*\[4\]/);
    });
  });
});

describe('simpleGate', () => {
  test('equals the product of the two halves, forward and backward (float32), non-contiguous input too', () => {
    for (const shape of [
      [2, 5, 7, 32],
      [3, 6],
      [1, 2],
    ]) {
      scope(() => compare((x) => F.simpleGate(x!), plainGate, [randn(shape, { generator: g })], 1e-6, `shape ${shape}`));
    }
    scope(() => {
      const nchw = randn([2, 8, 5, 6], { generator: g });
      compare(
        (x) => F.simpleGate(x!.permute([0, 2, 3, 1])),
        (x) => plainGate(x!.permute([0, 2, 3, 1])),
        [nchw],
        1e-6,
        'permuted view',
      );
    });
  });

  test('double backward matches the unfused gate', () => {
    scope(() => {
      const second = (gate: (x: Tensor) => Tensor): Tensor => {
        const x = randn([3, 8], { generator: new Generator(2) }).requiresGrad_(true);
        const [gx] = grad(gate(x).pow(2).sum(), [x], { createGraph: true });
        return grad(gx!.pow(2).sum(), [x])[0]!;
      };
      assert.ok(maxDiff(second(F.simpleGate), second(plainGate)) < 1e-5);
    });
  });

  test('gradcheck in float64, and an odd last dimension is an error', () => {
    scope(() => {
      gradcheck('simpleGate', (x) => F.simpleGate(x!), [randn([2, 3, 6], { dtype: 'float64', generator: g })]);
      assert.throws(() => F.simpleGate(randn([2, 5])), /last dimension must be even.*\[2, 5\]/);
    });
  });
});

describe('channelScale and scaledResidual', () => {
  test('equal the broadcast products they replace, forward and backward (float32)', () => {
    for (const [n, h, w, c] of [
      [2, 5, 7, 16],
      [1, 33, 9, 3],
      [3, 1, 1, 8],
    ] as const) {
      scope(() => {
        const x = randn([n, h, w, c], { generator: g }),
          s = randn([n, 1, 1, c], { generator: g });
        compare(
          (x, s) => F.channelScale(x!, s!),
          (x, s) => x!.mul(s!),
          [x, s],
          2e-5,
          `channelScale ${[n, h, w, c]}`,
        );
        const r = randn([n, h, w, c], { generator: g }),
          wt = randn([c], { generator: g });
        compare(
          (r, x, wt) => F.scaledResidual(r!, x!, wt!),
          (r, x, wt) => r!.addcmul(x!, wt!),
          [r, x, wt],
          5e-5,
          `scaledResidual ${[n, h, w, c]}`,
        );
      });
    }
  });

  test('gradcheck in float64, double backward, and shape errors', () => {
    scope(() => {
      const x = randn([2, 3, 4, 5], { dtype: 'float64', generator: g }),
        s = randn([2, 1, 1, 5], { dtype: 'float64', generator: g });
      gradcheck('channelScale', (x, s) => F.channelScale(x!, s!), [x, s]);
      gradcheck('scaledResidual', (r, x, w) => F.scaledResidual(r!, x!, w!), [
        randn([2, 3, 5], { dtype: 'float64', generator: g }),
        randn([2, 3, 5], { dtype: 'float64', generator: g }),
        randn([5], { dtype: 'float64', generator: g }),
      ]);
      const second = (f: (x: Tensor, w: Tensor) => Tensor): Tensor => {
        const x = randn([4, 6], { generator: new Generator(3) }).requiresGrad_(true),
          w = randn([6], { generator: new Generator(4) }).requiresGrad_(true);
        const [gx] = grad(f(x, w).pow(2).sum(), [x], { createGraph: true });
        return grad(gx!.pow(2).sum(), [w])[0]!;
      };
      const r0 = randn([4, 6], { generator: new Generator(5) });
      assert.ok(
        maxDiff(
          second((x, w) => F.scaledResidual(r0, x, w)),
          second((x, w) => r0.addcmul(x, w)),
        ) < 1e-4,
      );
      assert.throws(() => F.channelScale(randn([2, 3, 4, 5]), randn([2, 1, 1, 4])), /expected x \[N, H, W, C\] and s \[N, 1, 1, C\]/);
      assert.throws(() => F.scaledResidual(randn([2, 5]), randn([2, 4]), randn([4])), /one shape/);
    });
  });
});

describe('pointwiseConv', () => {
  test('equals a 1×1 convolution, forward and every gradient, with and without bias, on 1 and 2 threads', () => {
    for (const threads of [1, 2]) {
      const prev = getNumThreads();
      setNumThreads(threads);
      try {
        for (const [rows, cin, cout] of [
          [5000, 16, 32],
          [7, 3, 5],
          [4096 * 3 + 1, 32, 16],
        ] as const) {
          scope(() => {
            const x = randn([rows, 1, 1, cin], { generator: g }),
              w = randn([cout, cin, 1, 1], { generator: g }),
              b = randn([cout], { generator: g });
            const viaConv = (x: Tensor, w: Tensor, b?: Tensor): Tensor => F.conv2d(x.permute([0, 3, 1, 2]), w, b).permute([0, 2, 3, 1]);
            compare(
              (x, w, b) => F.pointwiseConv(x!, w!, b!),
              (x, w, b) => viaConv(x!, w!, b!),
              [x, w, b],
              1e-5,
              `${threads} threads, ${rows}×${cin}→${cout}`,
            );
            compare(
              (x, w) => F.pointwiseConv(x!, w!),
              (x, w) => viaConv(x!, w!),
              [x, w],
              1e-5,
              `no bias, ${rows}×${cin}→${cout}`,
            );
          });
        }
      } finally {
        setNumThreads(prev);
      }
    }
  });

  test('the same result on any thread count; gradcheck in float64; shape errors', () => {
    const run = (threads: number): number[] => {
      const prev = getNumThreads();
      setNumThreads(threads);
      try {
        return scope(() => {
          const x = randn([9000, 8], { generator: new Generator(7) }).requiresGrad_(true),
            w = randn([4, 8], { generator: new Generator(8) }).requiresGrad_(true);
          const [gw] = grad(F.pointwiseConv(x, w).pow(2).sum(), [w]);
          return gw!.toNumbers();
        });
      } finally {
        setNumThreads(prev);
      }
    };
    assert.deepEqual(run(1), run(2), 'weight gradients identical on 1 and 2 threads');
    scope(() => {
      gradcheck('pointwiseConv', (x, w, b) => F.pointwiseConv(x!, w!, b!), [
        randn([2, 3, 4], { dtype: 'float64', generator: g }),
        randn([5, 4], { dtype: 'float64', generator: g }),
        randn([5], { dtype: 'float64', generator: g }),
      ]);
      assert.throws(() => F.pointwiseConv(randn([2, 3]), randn([4, 5])), /expected x \[\.\.\., Cin\]/);
    });
  });
});
