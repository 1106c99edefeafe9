// Re-reading an exported ONNX file and checking that its graph is well formed (onnx's own checker is a
// Python package): opset, every node input defined before use (topological order), each value defined
// once, initializers whose bytes match their shape and that some node reads, and ranks inferred through the graph agreeing with
// the declared output. Returns a summary for messages and tests.
import type onnxProto from 'onnx-proto';
import { onnx } from './graph.js';

export interface OnnxSummary {
  opset: number;
  irVersion: number;
  nodes: number;
  /** Operator types and how often each occurs. */
  ops: Record<string, number>;
  initializers: number;
  /** Parameter count (elements of the initializers). */
  parameters: number;
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
  metadata: Record<string, string>;
}

const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 16: 2 };
const ELEMENTWISE = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Relu',
  'Sigmoid',
  'Tanh',
  'LeakyRelu',
  'Clip',
  'Identity',
  'Cast',
  'Pad',
  'Slice',
]);
const SAME_RANK = new Set(['Conv', 'ConvTranspose', 'Resize', 'LayerNormalization', 'Transpose', 'Concat', 'Split', 'MatMul']);

/** Decodes and checks an ONNX model; an error says what is wrong and where. */
export function checkOnnx(bytes: Uint8Array, file = 'the model'): OnnxSummary {
  let m: onnxProto.onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`${file}: not an ONNX model (${(e as Error).message})`);
  }
  const bad = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  const g = (m.graph ?? bad('no graph')) as onnxProto.onnx.GraphProto;
  type P = typeof onnxProto.onnx;
  const inputs = g.input as InstanceType<P['ValueInfoProto']>[];
  const outputs = g.output as InstanceType<P['ValueInfoProto']>[];
  const inits = g.initializer as InstanceType<P['TensorProto']>[];
  const nodes = g.node as InstanceType<P['NodeProto']>[];
  const opset = Number(m.opsetImport.find((o) => !o.domain)?.version ?? bad('no default-domain opset import'));
  const dimsOf = (v: onnxProto.onnx.IValueInfoProto): (number | string)[] =>
    (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));

  const rank = new Map<string, number>();
  const defined = (name: string): boolean => rank.has(name);
  const define = (name: string, r: number, where: string): void => {
    if (defined(name)) bad(`${where} defines '${name}' again`);
    rank.set(name, r);
  };
  for (const v of inputs) define(v.name, dimsOf(v).length, `input '${v.name}'`);
  let parameters = 0;
  const int64Values = new Map<string, number>(); // 1-D int64 initializers: their lengths (shapes for Reshape)
  for (const t of inits) {
    const count = t.dims.reduce<number>((a, d) => a * Number(d), 1);
    const size = ELEMENT_BYTES[t.dataType] ?? bad(`initializer '${t.name}' has element type ${t.dataType}`);
    if (t.rawData.length !== count * size)
      bad(`initializer '${t.name}' holds ${t.rawData.length} bytes for shape [${t.dims.join(', ')}] (${count * size} expected)`);
    define(t.name, t.dims.length, `initializer '${t.name}'`);
    if (t.dataType === 7 && t.dims.length === 1) int64Values.set(t.name, count);
    parameters += count;
  }
  const ops: Record<string, number> = {};
  nodes.forEach((n, i) => {
    const where = `node ${i} (${n.opType} '${n.name}')`;
    if (!n.opType) bad(`node ${i} has no operator type`);
    ops[n.opType] = (ops[n.opType] ?? 0) + 1;
    for (const x of n.input) if (x !== '' && !defined(x)) bad(`${where} reads '${x}' before any node defines it`);
    const ins = n.input.filter((x) => x !== '').map((x) => rank.get(x)!);
    let r = -1; // unknown
    if (ELEMENTWISE.has(n.opType) || SAME_RANK.has(n.opType))
      r = Math.max(...ins.slice(0, n.opType === 'Pad' || n.opType === 'Slice' ? 1 : ins.length));
    if (n.opType === 'Reshape') r = int64Values.get(n.input[1]!) ?? -1;
    if (n.opType === 'Shape') r = 1;
    if (n.opType === 'Gather') r = ins[0]! - 1 + ins[1]!;
    if (n.opType === 'ReduceMean') {
      const keep = n.attribute.find((a) => a.name === 'keepdims')?.i ?? 1;
      const axes = n.attribute.find((a) => a.name === 'axes')?.ints?.length ?? ins[0]!;
      r = Number(keep) ? ins[0]! : ins[0]! - axes;
    }
    if (n.opType === 'Concat' && ins.every((x) => x === 1)) {
      const lengths = n.input.map((x) => int64Values.get(x));
      if (lengths.every((l) => l !== undefined))
        int64Values.set(
          n.output[0]!,
          lengths.reduce((a, b) => a! + b!, 0)!,
        );
    }
    for (const o of n.output) define(o, r, where);
  });
  const read = new Set(nodes.flatMap((n) => n.input));
  for (const t of inits) if (!read.has(t.name)) bad(`initializer '${t.name}' is never read`);
  for (const o of outputs) {
    if (!defined(o.name)) bad(`output '${o.name}' is never defined`);
    const r = rank.get(o.name)!;
    if (r >= 0 && dimsOf(o).length && r !== dimsOf(o).length)
      bad(`output '${o.name}' is declared of rank ${dimsOf(o).length}, the graph makes rank ${r}`);
  }
  return {
    opset,
    irVersion: Number(m.irVersion),
    nodes: nodes.length,
    ops,
    initializers: inits.length,
    parameters,
    inputs: inputs.map((v) => ({ name: v.name, dims: dimsOf(v) })),
    outputs: outputs.map((v) => ({ name: v.name, dims: dimsOf(v) })),
    metadata: Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value])),
  };
}
