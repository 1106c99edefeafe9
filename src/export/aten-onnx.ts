// ATen operators (and the addon's fused kernels) as ONNX nodes, opset 17. Each translation defines the
// traced node's outputs in the graph. Keyed by the operator's schema name, as the tracer records it; an
// operator missing here is named in the exporter's error.
import { float, GraphBuilder, int, ints, str, type Attr } from './graph.js';
import { isSizeExpr, type SizedArg, type SizedNode, type SizeExpr } from './sizes.js';
import type { Ref } from './trace.js';

export type Translation = (g: GraphBuilder, n: SizedNode) => void;

/** Beyond any dimension (ONNX clamps slice ends to the size). */
const END = Number.MAX_SAFE_INTEGER;

function refOf(a: SizedArg, what: string): string {
  if (typeof a === 'object' && a !== null && 'ref' in a) return (a as Ref).ref;
  throw new Error(`expected a tensor for ${what}`);
}
const t = (g: GraphBuilder, n: SizedNode, i: number): string => g.name(refOf(n.args[i], `argument ${i + 1} of ${n.op}`));

/** A constant integer argument (a size-dependent one is an error here). */
function constInt(n: SizedNode, i: number, dflt: number): number {
  const a = n.args[i];
  if (a === undefined || a === null) return dflt;
  if (typeof a !== 'number') throw new Error(`${n.op}: argument ${i + 1} must not depend on the input size`);
  return a;
}
/** int[2] arguments may be given as one number (repeated). */
function pair(n: SizedNode, i: number, dflt: number): [number, number] {
  const a = n.args[i];
  if (a === undefined || a === null) return [dflt, dflt];
  if (typeof a === 'number') return [a, a];
  const v = a as unknown[];
  if (v.some((x) => typeof x !== 'number')) throw new Error(`${n.op}: argument ${i + 1} must not depend on the input size`);
  return v.length === 1 ? [v[0] as number, v[0] as number] : [v[0] as number, v[1] as number];
}
function constInts(n: SizedNode, i: number): number[] {
  const a = n.args[i];
  if (!Array.isArray(a) || a.some((x) => typeof x !== 'number')) throw new Error(`${n.op}: argument ${i + 1} must be constant integers`);
  return a as number[];
}
/** Integers that may follow the input size. */
function sizeList(n: SizedNode, i: number): (number | SizeExpr)[] {
  const a = n.args[i];
  if (!Array.isArray(a) || a.some((x) => typeof x !== 'number' && !isSizeExpr(x)))
    throw new Error(`${n.op}: argument ${i + 1} must be integers`);
  return a as (number | SizeExpr)[];
}
function sizeArg(n: SizedNode, i: number, dflt: number): number | SizeExpr {
  const a = n.args[i];
  if (a === undefined || a === null) return dflt;
  if (typeof a === 'number' || isSizeExpr(a)) return a;
  throw new Error(`${n.op}: argument ${i + 1} must be an integer`);
}
const num = (n: SizedNode, i: number, dflt: number): number => {
  const a = n.args[i];
  return typeof a === 'number' ? a : a === true ? 1 : a === false ? 0 : dflt;
};
const axis = (d: number, rank: number): number => (d < 0 ? d + rank : d);

/** One node whose single output is the traced node's first. */
const emit = (g: GraphBuilder, n: SizedNode, op: string, inputs: string[], attrs: Record<string, Attr> = {}): void => {
  g.node(op, inputs, attrs, [n.outputs[0]!]);
};
const unary =
  (op: string): Translation =>
  (g, n) =>
    emit(g, n, op, [t(g, n, 0)]);
const binary =
  (op: string): Translation =>
  (g, n) => {
    const alpha = num(n, 2, 1);
    const b = alpha === 1 ? t(g, n, 1) : g.node('Mul', [t(g, n, 1), g.scalar(alpha)])[0]!;
    emit(g, n, op, [t(g, n, 0), b]);
  };
const withScalar =
  (op: string): Translation =>
  (g, n) =>
    emit(g, n, op, [t(g, n, 0), g.scalar(num(n, 1, 0) * num(n, 2, 1))]);
const same: Translation = (g, n) => g.alias(n.outputs[0]!, refOf(n.args[0], n.op));

function conv(g: GraphBuilder, n: SizedNode, transposed: boolean): void {
  // conv2d(input, weight, bias, stride, padding, dilation, groups);
  // conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)
  const [ph, pw] = pair(n, 4, 0);
  const attrs: Record<string, Attr> = {
    strides: ints(pair(n, 3, 1)),
    pads: ints([ph, pw, ph, pw]),
    dilations: ints(pair(n, transposed ? 7 : 5, 1)),
    group: int(constInt(n, 6, 1)),
  };
  if (transposed) attrs.output_padding = ints(pair(n, 5, 0));
  const inputs = [t(g, n, 0), t(g, n, 1)];
  if (n.args[2] != null) inputs.push(t(g, n, 2));
  emit(g, n, transposed ? 'ConvTranspose' : 'Conv', inputs, attrs);
}

function reshape(g: GraphBuilder, n: SizedNode): void {
  emit(g, n, 'Reshape', [t(g, n, 0), g.sizes(sizeList(n, 1))]);
}

function pad(g: GraphBuilder, n: SizedNode): void {
  const x = t(g, n, 0);
  const r = g.rank(x);
  const p = sizeList(n, 1);
  const mode = typeof n.args[2] === 'string' ? (n.args[2] as string) : 'constant';
  const onnxMode = { constant: 'constant', reflect: 'reflect', replicate: 'edge' }[mode];
  if (!onnxMode) throw new Error(`aten::pad: mode '${mode}' has no ONNX opset-17 translation`);
  const begin: (number | SizeExpr)[] = [],
    end: (number | SizeExpr)[] = [];
  for (let d = 0; d < r; d++) {
    const k = r - 1 - d; // torch lists the last dimension first
    begin.push(2 * k < p.length ? p[2 * k]! : 0);
    end.push(2 * k + 1 < p.length ? p[2 * k + 1]! : 0);
  }
  const inputs = [x, g.sizes([...begin, ...end])];
  const value = num(n, 3, 0);
  if (mode === 'constant' && value !== 0) inputs.push(g.scalar(value));
  emit(g, n, 'Pad', inputs, { mode: str(onnxMode) });
}

function slice(g: GraphBuilder, n: SizedNode): void {
  // slice.Tensor(self, dim=0, start=None, end=None, step=1)
  const x = t(g, n, 0);
  const dim = axis(constInt(n, 1, 0), g.rank(x));
  const start = sizeArg(n, 2, 0);
  const endArg = sizeArg(n, 3, END);
  const end = typeof endArg === 'number' ? Math.min(endArg, END) : endArg;
  emit(g, n, 'Slice', [x, g.sizes([start]), g.sizes([end]), g.int64s([dim]), g.int64s([constInt(n, 4, 1)])]);
}

function mean(g: GraphBuilder, n: SizedNode): void {
  const x = t(g, n, 0);
  const r = g.rank(x);
  const dims = n.args[1] == null ? Array.from({ length: r }, (_, i) => i) : constInts(n, 1).map((d) => axis(d, r));
  emit(g, n, 'ReduceMean', [x], { axes: ints(dims), keepdims: int(n.args[2] === true ? 1 : 0) });
}

function upsampleNearest(g: GraphBuilder, n: SizedNode): void {
  // upsample_nearest2d.vec(input, output_size, scale_factors): as PyTorch's 'nearest' (floor of dst/scale)
  const x = t(g, n, 0);
  const attrs = { mode: str('nearest'), coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') };
  if (n.args[2] != null) {
    const s = n.args[2] as number[];
    const scales = g.initializer(g.fresh('scales'), [4], 1, Float32Array.of(1, 1, s[0]!, s[1]!));
    emit(g, n, 'Resize', [x, '', scales], attrs);
  } else {
    const nc = g.node('Slice', [g.node('Shape', [x])[0]!, g.int64s([0]), g.int64s([2])])[0]!;
    const sizes = g.node('Concat', [nc, g.sizes(sizeList(n, 1))], { axis: int(0) })[0]!;
    emit(g, n, 'Resize', [x, '', '', sizes], attrs);
  }
}

function clamp(g: GraphBuilder, n: SizedNode): void {
  const bound = (i: number): string => (typeof n.args[i] === 'number' ? g.scalar(n.args[i] as number) : '');
  emit(g, n, 'Clip', [t(g, n, 0), bound(1), bound(2)]);
}

export const TRANSLATIONS: Readonly<Record<string, Translation>> = {
  'aten::conv2d': (g, n) => conv(g, n, false),
  'aten::conv_transpose2d.input': (g, n) => conv(g, n, true),
  'aten::relu': unary('Relu'),
  'aten::sigmoid': unary('Sigmoid'),
  'aten::tanh': unary('Tanh'),
  'aten::leaky_relu': (g, n) => emit(g, n, 'LeakyRelu', [t(g, n, 0)], { alpha: float(num(n, 1, 0.01)) }),
  'aten::add.Tensor': binary('Add'),
  'aten::sub.Tensor': binary('Sub'),
  'aten::mul.Tensor': binary('Mul'),
  'aten::div.Tensor': binary('Div'),
  'aten::add.Scalar': withScalar('Add'),
  'aten::sub.Scalar': withScalar('Sub'),
  'aten::mul.Scalar': (g, n) => emit(g, n, 'Mul', [t(g, n, 0), g.scalar(num(n, 1, 1))]),
  'aten::div.Scalar': (g, n) => emit(g, n, 'Div', [t(g, n, 0), g.scalar(num(n, 1, 1))]),
  'aten::clamp': clamp,
  'aten::contiguous': same,
  'aten::clone': same,
  'aten::detach': same,
  'aten::dropout': (g, n) => {
    if (n.args[2] === true) throw new Error('aten::dropout runs in training mode: export a model in eval mode');
    same(g, n);
  },
  'aten::permute': (g, n) => {
    const x = t(g, n, 0);
    emit(g, n, 'Transpose', [x], { perm: ints(constInts(n, 1).map((d) => axis(d, g.rank(x)))) });
  },
  'aten::view': reshape,
  'aten::reshape': reshape,
  'aten::slice.Tensor': slice,
  'aten::cat': (g, n) => {
    const xs = (n.args[0] as Ref[]).map((r) => g.name(r.ref));
    emit(g, n, 'Concat', xs, { axis: int(axis(constInt(n, 1, 0), g.rank(xs[0]!))) });
  },
  'aten::mean.dim': mean,
  'aten::mean': mean,
  'aten::pad': pad,
  'aten::upsample_nearest2d.vec': upsampleNearest,
  'b2b::layerNormLast': (g, n) =>
    emit(g, n, 'LayerNormalization', [t(g, n, 0), t(g, n, 1), t(g, n, 2)], { axis: int(-1), epsilon: float(num(n, 3, 1e-5)) }),
  'b2b::simpleGate': (g, n) => {
    const [a, b] = g.node('Split', [t(g, n, 0)], { axis: int(-1) }, 2);
    emit(g, n, 'Mul', [a!, b!]);
  },
  'b2b::pointwiseConv': (g, n) => {
    // x [..., Cin] · wᵀ + b, w [Cout, Cin] or [Cout, Cin, 1, 1]
    const w = t(g, n, 1);
    const [cout] = g.dims(w);
    const wt = g.node('Transpose', [g.node('Reshape', [w, g.int64s([cout!, -1])])[0]!], { perm: ints([1, 0]) })[0]!;
    if (n.args[2] == null) emit(g, n, 'MatMul', [t(g, n, 0), wt]);
    else emit(g, n, 'Add', [g.node('MatMul', [t(g, n, 0), wt])[0]!, t(g, n, 2)]);
  },
  'b2b::channelScale': (g, n) => emit(g, n, 'Mul', [t(g, n, 0), t(g, n, 1)]),
  'b2b::scaledResidual': (g, n) => emit(g, n, 'Add', [t(g, n, 0), g.node('Mul', [t(g, n, 1), t(g, n, 2)])[0]!]),
};

/** Translates one traced node (an error names an operator without a translation). */
export function translate(g: GraphBuilder, n: SizedNode, index: number): void {
  const f = Object.hasOwn(TRANSLATIONS, n.op) ? TRANSLATIONS[n.op]! : undefined;
  if (!f)
    throw new Error(`operator ${index + 1} of the forward pass, ${n.op}, has no ONNX translation (add one in src/export/aten-onnx.ts)`);
  try {
    f(g, n);
  } catch (e) {
    throw new Error(`operator ${index + 1} (${n.op}): ${(e as Error).message}`);
  }
  n.outputs.forEach((o, k) => {
    if (g.name(o) === o) g.setRank(o, n.shapes[k]!.length);
  });
}
