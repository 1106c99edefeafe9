// Exporting a function of one image batch as an ONNX model: trace it at several input sizes, fit the
// size-dependent integers (sizes.ts), translate every operator (aten-onnx.ts), and write the protobuf
// with the parameters as initializers named by their state-dict keys. Batch, height and width are
// dynamic; the channel count is the traced one.
import type onnxProto from 'onnx-proto';
import { rand, scope, type Tensor } from '../tensor/index.js';
import type { TensorHandle } from '../tensor/native.js';
import { GraphBuilder, int, onnx } from './graph.js';
import { mergeTraces } from './sizes.js';
import { translate } from './aten-onnx.js';
import { INPUT, traceForward, type Trace } from './trace.js';

export const OPSET = 17;
/** ONNX IR version 8 (ONNX 1.10): read by every runtime with opset 17. */
export const IR_VERSION = 8;

/**
 * The traced input sizes [N, H, W] (C set by the caller): heights and widths of every residue modulo 4
 * and of eight residues modulo 16, never both multiples of 4 (a model may skip its padding then),
 * batch 1–3, so that each size-dependent integer is pinned down and checked on every trace.
 */
export const TRACE_SIZES: readonly (readonly [number, number, number])[] = [
  [1, 33, 50],
  [2, 40, 29],
  [1, 46, 44],
  [3, 52, 35],
  [1, 59, 64],
  [2, 67, 39],
  [1, 26, 57],
  [2, 48, 31],
];

export interface OnnxOptions {
  /** Input channels (3: RGB). */
  channels?: number;
  /** Weights and computation in float16 (input and output stay float32). */
  float16?: boolean;
  /** metadata_props: what a user of the file needs to know (architecture, camera, input range …). */
  metadata?: Record<string, string>;
  docString?: string;
  graphName?: string;
  producerVersion?: string;
}

const F32 = onnx.TensorProto.DataType.FLOAT;
const ELEMENT: Record<string, number> = { float32: F32, float64: 11, int64: 7, int32: 6, uint8: 2, bool: 9, float16: 10 };

function valueInfo(name: string, channels: number): onnxProto.onnx.IValueInfoProto {
  const dim = (d: string | number): onnxProto.onnx.TensorShapeProto.IDimension =>
    typeof d === 'number' ? { dimValue: d } : { dimParam: d };
  return {
    name,
    type: { tensorType: { elemType: F32, shape: { dim: [dim('batch'), dim(channels), dim('height'), dim('width')] } } },
  };
}

function sameConstants(a: Trace, b: Trace): boolean {
  if (a.constants.size !== b.constants.size) return false;
  for (const [k, c] of a.constants) {
    const d = b.constants.get(k);
    if (!d || d.shape.join() !== c.shape.join() || d.data.length !== c.data.length || d.data.some((v, i) => v !== c.data[i])) return false;
  }
  return true;
}

/**
 * The ONNX model (serialised) of `fn`, an image batch [N, C, H, W] → [N, C', H, W]-like output, whose
 * parameters are `params` (name → tensor; the names become the initializers' names). Models must be in
 * eval mode. An error names an operator without a translation or a size rule the graph cannot follow.
 */
export function exportOnnx(fn: (x: Tensor) => Tensor, params: ReadonlyMap<string, Tensor>, o: OnnxOptions = {}): Uint8Array {
  const channels = o.channels ?? 3;
  const names = new Map<TensorHandle, string>([...params].map(([k, v]) => [v.h, k]));
  const traces = TRACE_SIZES.map(([n, h, w]) => scope(() => traceForward(fn, rand([n, channels, h, w]), names)));
  for (const t of traces.slice(1))
    if (!sameConstants(traces[0]!, t))
      throw new Error('the forward pass makes constant tensors that change with the input size: they cannot be exported as fixed data');
  const merged = mergeTraces(traces);

  const float16 = o.float16 ?? false;
  const g = new GraphBuilder('input', 4, float16);
  if (float16) {
    const half = g.node('Cast', ['input'], { to: int(onnx.TensorProto.DataType.FLOAT16) })[0]!;
    g.setRank(half, 4);
    g.alias(INPUT, half);
  }

  const used = new Set(traces.flatMap((t) => [...t.parameters]));
  for (const [k, v] of params) {
    if (!used.has(k)) continue;
    const data = v.contiguous().toArray();
    if (v.dtype === 'float32') g.floatTensor(k, v.shape, data as Float32Array);
    else g.initializer(k, v.shape, ELEMENT[v.dtype] ?? F32, data);
  }
  const referenced = new Set<string>([merged.output]);
  for (const n of merged.nodes)
    for (const a of n.args)
      for (const r of Array.isArray(a) ? a : [a]) if (typeof r === 'object' && r !== null && 'ref' in r) referenced.add(r.ref);
  for (const [k, c] of traces[0]!.constants) {
    if (!referenced.has(k)) continue; // folded intermediates
    if (c.dtype === 'float32') g.floatTensor(k, c.shape, c.data as Float32Array);
    else if (ELEMENT[c.dtype] !== undefined) g.initializer(k, c.shape, ELEMENT[c.dtype]!, c.data);
    else throw new Error(`a constant tensor of dtype ${c.dtype} cannot be exported`);
  }
  merged.nodes.forEach((n, i) => translate(g, n, i));
  const last = g.name(merged.output);
  if (float16) g.node('Cast', [last], { to: int(F32) }, ['output']);
  else g.node('Identity', [last], {}, ['output']);

  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'blur2blur',
    producerVersion: o.producerVersion ?? '',
    docString: o.docString ?? '',
    graph: {
      name: o.graphName ?? 'blur2blur',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('input', channels)],
      output: [valueInfo('output', channels)],
    },
    metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
