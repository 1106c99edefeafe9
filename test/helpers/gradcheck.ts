// Finite-difference gradient check in float64 (kornia/PyTorch style): compares autograd's gradient of
// sum(f(x)·r), for a fixed random r, with central differences, element by element.
import assert from 'node:assert/strict';
import { Generator, Tensor, grad, noGrad, randn, scope } from '../../src/tensor/index.js';

export function gradcheck(
  name: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  { eps = 1e-6, atol = 1e-6, rtol = 1e-4 } = {},
): void {
  scope(() => {
    for (const x of inputs) assert.equal(x.dtype, 'float64', `${name}: gradcheck needs float64 inputs`);
    const xs = inputs.map((x) => x.detach().requiresGrad_(true));
    const out = f(...xs);
    const r = randn([...out.shape], { dtype: 'float64', generator: new Generator(99) });
    const analytic = grad(out.mul(r).sum(), xs, { allowUnused: true });
    const objective = (): number =>
      noGrad(() =>
        scope(() =>
          f(...xs)
            .mul(r)
            .sum()
            .item(),
        ),
      );
    xs.forEach((x, k) => {
      const ga = analytic[k] ? analytic[k]!.toNumbers() : new Array<number>(x.numel).fill(0);
      for (let i = 0; i < x.numel; i++) {
        const numeric = noGrad(() =>
          scope(() => {
            const el = x.view([-1]).select(0, i);
            const orig = el.item();
            el.fill_(orig + eps);
            const up = objective();
            el.fill_(orig - eps);
            const down = objective();
            el.fill_(orig);
            return (up - down) / (2 * eps);
          }),
        );
        const tol = atol + rtol * Math.abs(numeric);
        if (!(Math.abs(numeric - ga[i]!) <= tol)) {
          assert.fail(`${name}: d/dinput${k}[${i}] autograd ${ga[i]} vs numeric ${numeric}`);
        }
      }
    });
  });
}
