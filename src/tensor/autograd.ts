// Autograd beyond Tensor.backward: functional gradients (with double backward) and grad mode scopes.
import { native } from './native.js';
import { Tensor } from './tensor.js';

/** Options of grad(): upstream gradients, whether to keep the graph or build one for double backward, unused inputs. */
export interface GradOptions {
  /** Gradients of `outputs` to start from (default: ones for scalars). */
  gradOutputs?: readonly (Tensor | undefined)[];
  /** Build a graph of the gradient itself, for higher-order derivatives (e.g. gradient penalties). */
  createGraph?: boolean;
  retainGraph?: boolean;
  /** Return undefined for inputs that do not influence the outputs instead of throwing. */
  allowUnused?: boolean;
}

/** d(outputs)/d(inputs), like torch.autograd.grad. */
export function grad(outputs: Tensor | readonly Tensor[], inputs: readonly Tensor[], o: GradOptions = {}): (Tensor | undefined)[] {
  const outs = outputs instanceof Tensor ? [outputs] : outputs;
  const create = o.createGraph ?? false;
  const res = native.autogradGrad(
    outs.map((t) => t.h),
    inputs.map((t) => t.h),
    o.gradOutputs?.map((t) => t?.h),
    o.retainGraph ?? create,
    create,
    o.allowUnused ?? false,
  );
  return res.map((h) => (h === undefined ? undefined : new Tensor(h)));
}

function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = native.setGradEnabled(on);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Runs fn without recording operations for autograd (inference, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with gradient recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Whether operations record gradients on this thread now. */
export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}
