// Adam and AdamW, with torch.optim's update rules, so the same gradients give the same weights.
// The update runs over all parameters at once with libtorch's _foreach kernels (few calls per step).
import { aten } from '../tensor/aten.js';
import { noGrad, zerosLike, type Tensor } from '../tensor/index.js';
import { wrapAll } from '../tensor/tensor.js';

/** Adam's learning rate, betas, epsilon and weight decay (PyTorch's defaults). */
export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Adam: L2 added to the gradient; AdamW: decoupled decay of the weights. */
  weightDecay?: number;
}

/** Optimiser state for exact resume: step count and both moment estimates per parameter. */
export interface AdamState {
  step: number;
  lr: number;
  expAvg: Tensor[];
  expAvgSq: Tensor[];
}

const mul_ = aten('_foreach_mul_', 'Scalar');
const addList_ = aten('_foreach_add_', 'List');
const addScalar_ = aten('_foreach_add_', 'Scalar');
const addcmul_ = aten('_foreach_addcmul_', 'Scalar');
const addcdiv_ = aten('_foreach_addcdiv_', 'Scalar');
const divScalar_ = aten('_foreach_div_', 'Scalar');
const sqrt = aten('_foreach_sqrt');
const addListOut = aten('_foreach_add', 'List');

/** Adam (Kingma & Ba) with torch.optim's update rule; AdamW decouples the weight decay. Its state saves and restores for exact resume. */
export class Adam {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private stepCount = 0;
  private expAvg: Tensor[] | undefined;
  private expAvgSq: Tensor[] | undefined;

  constructor(
    readonly params: readonly Tensor[],
    o: AdamOptions = {},
    private readonly decoupled = false,
  ) {
    if (params.length === 0) throw new Error(`${this.constructor.name}: no parameters to optimise`);
    this.lr = o.lr ?? 1e-3;
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? (decoupled ? 1e-2 : 0);
  }

  get step(): number {
    return this.stepCount;
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = undefined;
  }

  /** One update from the parameters' current gradients (parameters without a gradient are skipped). */
  update(): void {
    noGrad(() => {
      const live = this.params.map((p, i) => [p, p.grad, i] as const).filter((e) => e[1] !== undefined);
      if (live.length === 0) return;
      this.ensureState();
      const ps = live.map((e) => e[0].h);
      let gs = live.map((e) => e[1]!.h);
      const m = live.map((e) => this.expAvg![e[2]]!.h);
      const v = live.map((e) => this.expAvgSq![e[2]]!.h);
      const [b1, b2] = this.betas;
      this.stepCount++;
      const grads = live.map((e) => e[1]!);
      let decayed: Tensor[] = [];
      if (this.weightDecay !== 0) {
        if (this.decoupled) {
          mul_.inplace(ps, 1 - this.lr * this.weightDecay);
        } else {
          // grad + wd·param, as a new list (the stored gradients stay untouched)
          const scaled = wrapAll(addListOut(gs, ps, this.weightDecay));
          decayed = scaled;
          gs = scaled.map((t) => t.h);
        }
      }
      mul_.inplace(m, b1);
      addList_.inplace(m, gs, 1 - b1);
      mul_.inplace(v, b2);
      addcmul_.inplace(v, gs, gs, 1 - b2);
      const bc1 = 1 - b1 ** this.stepCount;
      const bc2 = 1 - b2 ** this.stepCount;
      const denom = wrapAll(sqrt(v));
      const dh = denom.map((t) => t.h);
      divScalar_.inplace(dh, Math.sqrt(bc2));
      addScalar_.inplace(dh, this.eps);
      addcdiv_.inplace(ps, m, dh, -this.lr / bc1);
      for (const t of [...denom, ...decayed, ...grads]) t.dispose();
    });
  }

  private ensureState(): void {
    if (this.expAvg) return;
    noGrad(() => {
      this.expAvg = this.params.map((p) => zerosLike(p).keep());
      this.expAvgSq = this.params.map((p) => zerosLike(p).keep());
    });
  }

  /** The state to save (tensors are the live ones: copy or serialise before changing them). */
  state(): AdamState {
    this.ensureState();
    return { step: this.stepCount, lr: this.lr, expAvg: this.expAvg!, expAvgSq: this.expAvgSq! };
  }

  /** Restores a saved state (values are copied; shapes must match the parameters). */
  loadState(s: AdamState): void {
    if (s.expAvg.length !== this.params.length || s.expAvgSq.length !== this.params.length) {
      throw new Error(`optimiser state has ${s.expAvg.length} parameters, the model has ${this.params.length}`);
    }
    this.ensureState();
    noGrad(() => {
      this.params.forEach((p, i) => {
        for (const [dst, src] of [
          [this.expAvg![i]!, s.expAvg[i]!],
          [this.expAvgSq![i]!, s.expAvgSq[i]!],
        ] as const) {
          if (src.shape.join(',') !== p.shape.join(',')) {
            throw new Error(`optimiser state for parameter ${i} has shape [${src.shape.join(', ')}], parameter is [${p.shape.join(', ')}]`);
          }
          dst.copy_(src);
        }
      });
    });
    this.stepCount = s.step;
    this.lr = s.lr;
  }

  /** `using` releases it at the end of the block (as dispose()). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    for (const t of [...(this.expAvg ?? []), ...(this.expAvgSq ?? [])]) t.dispose();
    this.expAvg = this.expAvgSq = undefined;
  }
}

/** AdamW (Loshchilov & Hutter): weight decay applied to the weights, not through the gradient. */
export class AdamW extends Adam {
  constructor(params: readonly Tensor[], o: AdamOptions = {}) {
    super(params, o, true);
  }
}
