// A hook for recording the operators a computation runs (the ONNX exporter's tracer listens here). Every
// ATen operator goes through aten.ts and every fused kernel through functional.ts; both report to the
// active recorder, if any, after the call. Costs one null check per operator when nothing records.
import type { TensorHandle } from './native.js';

/** The addon's fused kernels (functional.ts), by the name of their TypeScript function. */
export type FusedKernel = 'layerNormLast' | 'simpleGate' | 'pointwiseConv' | 'channelScale' | 'scaledResidual';

export interface CallRecorder {
  /** An ATen operator ran: its schema, the arguments as given to the addon (handles for tensors), its result. */
  aten(schema: string, args: readonly unknown[], result: unknown): void;
  /** An in-place ATen operator ran (its result is its first argument). */
  inplace(schema: string, args: readonly unknown[]): void;
  /** A fused kernel ran: tensor arguments as handles (undefined when absent), numbers as given. */
  fused(kernel: FusedKernel, args: readonly (TensorHandle | number | undefined)[], result: TensorHandle): void;
}

let active: CallRecorder | null = null;

/** The recorder listening now, or null. */
export function activeRecorder(): CallRecorder | null {
  return active;
}

/** Runs fn with `recorder` hearing every operator it runs (one recorder at a time). */
export function recordCalls<T>(recorder: CallRecorder, fn: () => T): T {
  if (active !== null) throw new Error('recordCalls: a recording is already running');
  active = recorder;
  try {
    return fn();
  } finally {
    active = null;
  }
}
