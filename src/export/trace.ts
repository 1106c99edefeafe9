// Recording a forward pass: every operator it runs (ATen operators and the addon's fused kernels, heard
// through the tensor layer's recorder), with tensors named by where they come from: the graph's input,
// a parameter (its state-dict key), an earlier operator's output, or a constant made outside any
// operator (captured by value). Operators on constants alone are folded into constants.
import { noGrad, recordCalls, Tensor, type CallRecorder, type DType, type FusedKernel } from '../tensor/index.js';
import { native, type TensorHandle, type TypedArray } from '../tensor/native.js';
import { parseSchema, type ArgKind } from './schema.js';

/** A tensor argument: the name of the value it is. */
export interface Ref {
  ref: string;
}
/** One argument as recorded: a tensor, a list of tensors, or a plain value (numbers, lists, strings, null). */
export type Arg = Ref | Ref[] | number | readonly number[] | boolean | string | null | undefined;

export interface TraceNode {
  /** "aten::conv2d", "aten::add.Tensor", or "b2b::simpleGate" for a fused kernel. */
  op: string;
  args: Arg[];
  kinds: ArgKind[];
  outputs: string[];
  /** Each output's shape in this trace. */
  shapes: number[][];
}

export interface Constant {
  shape: number[];
  dtype: DType;
  data: TypedArray;
}

export interface Trace {
  /** The input's shape in this trace. */
  inputShape: number[];
  nodes: TraceNode[];
  output: string;
  /** Tensors the forward pass used that no operator made: captured by value. */
  constants: Map<string, Constant>;
  /** The parameters it used, by name. */
  parameters: Set<string>;
}

export const INPUT = 'input';

const FUSED_KINDS: Record<FusedKernel, ArgKind[]> = {
  layerNormLast: ['tensor', 'tensor', 'tensor', 'float'],
  simpleGate: ['tensor'],
  pointwiseConv: ['tensor', 'tensor', 'tensor'],
  channelScale: ['tensor', 'tensor'],
  scaledResidual: ['tensor', 'tensor', 'tensor'],
};

/**
 * Runs fn(x) (no autograd) and records it. `names` gives parameters their names (state-dict keys).
 * An in-place operator is an error (the graph would not be a pure function of its input).
 */
export function traceForward(fn: (x: Tensor) => Tensor, x: Tensor, names: ReadonlyMap<TensorHandle, string>): Trace {
  const valueOf = new Map<TensorHandle, string>(names);
  valueOf.set(x.h, INPUT);
  const nodes: TraceNode[] = [];
  const constants = new Map<string, Constant>();
  const parameters = new Set<string>();
  let counter = 0;

  const ref = (h: TensorHandle): Ref => {
    const name = valueOf.get(h);
    if (name === undefined) return { ref: capture(h) };
    if (names.has(h)) parameters.add(name);
    return { ref: name };
  };
  const arg = (kind: ArgKind, v: unknown): Arg => {
    if (v === null || v === undefined) return v;
    if (kind === 'tensor') return ref(v as TensorHandle);
    if (kind === 'tensors') return (v as TensorHandle[]).map(ref);
    return Array.isArray(v) ? [...(v as number[])] : (v as Arg);
  };
  const outputsOf = (result: unknown): [string[], number[][]] => {
    const hs = (Array.isArray(result) ? result : [result]) as TensorHandle[];
    const out = hs.map((h) => {
      const name = `v${counter++}`;
      valueOf.set(h, name);
      return name;
    });
    return [out, hs.map((h) => native.shape(h))];
  };
  const capture = (h: TensorHandle): string => {
    const name = `const${constants.size}`;
    constants.set(name, { shape: native.shape(h), dtype: native.dtype(h) as DType, data: native.toArray(h) });
    valueOf.set(h, name);
    return name;
  };
  const isConstant = (a: Arg): boolean =>
    Array.isArray(a) ? a.every((r) => typeof r !== 'object' || constants.has((r as Ref).ref)) : constants.has((a as Ref).ref);
  const push = (op: string, kinds: ArgKind[], raw: readonly unknown[], result: unknown): void => {
    const args = kinds.map((k, i) => arg(k, raw[i]));
    const tensors = args.filter((a, i) => (kinds[i] === 'tensor' || kinds[i] === 'tensors') && a !== null && a !== undefined);
    if (tensors.every(isConstant)) {
      // Nothing here depends on the input or a parameter (a kernel built in the forward pass): fold it.
      for (const h of (Array.isArray(result) ? result : [result]) as TensorHandle[]) capture(h);
      return;
    }
    const [outputs, shapes] = outputsOf(result);
    nodes.push({ op, args, kinds, outputs, shapes });
  };

  const recorder: CallRecorder = {
    aten(schema, args, result) {
      const s = parseSchema(schema);
      push(
        s.op,
        s.args.map((a) => a.kind),
        args,
        result,
      );
    },
    inplace(schema) {
      throw new Error(`the forward pass runs the in-place operator ${parseSchema(schema).op}: it cannot be exported as a graph`);
    },
    fused(kernel, args, result) {
      push(`b2b::${kernel}`, FUSED_KINDS[kernel], args, result);
    },
  };

  const y = noGrad(() => recordCalls(recorder, () => fn(x)));
  const output = valueOf.get(y.h);
  if (output === undefined || output === INPUT) throw new Error('the exported function must compute its output from its input');
  return { inputShape: [...x.shape], nodes, output, constants, parameters };
}
