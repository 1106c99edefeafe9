// Building an ONNX graph (onnx-proto: protobufjs over the official onnx.proto): nodes, initializers,
// constants, and integers computed from the input's shape (sizes.ts).
import onnxProto from 'onnx-proto';
import { scope, tensor } from '../tensor/index.js';
import { isSizeExpr, type SizeExpr } from './sizes.js';

export const { onnx } = onnxProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

/** An attribute value: an integer, integers, a float or a string (typed by the helpers below). */
export type Attr = { i: number } | { ints: number[] } | { f: number } | { s: string };
export const int = (i: number): Attr => ({ i });
export const ints = (v: readonly number[]): Attr => ({ ints: [...v] });
export const float = (f: number): Attr => ({ f });
export const str = (s: string): Attr => ({ s });

function attribute(name: string, v: Attr): AttributeProto {
  if ('i' in v) return { name, type: A.INT, i: v.i };
  if ('ints' in v) return { name, type: A.INTS, ints: v.ints };
  if ('f' in v) return { name, type: A.FLOAT, f: v.f };
  return { name, type: A.STRING, s: new TextEncoder().encode(v.s) };
}

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** float32 → IEEE half bits, converted by libtorch (round to nearest even). */
function halfBits(v: Float32Array): Uint16Array {
  return scope(() => tensor(v).half().toArray() as Uint16Array);
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly ranks = new Map<string, number>();
  private readonly dimsOf = new Map<string, readonly number[]>();
  private readonly aliases = new Map<string, string>();
  private readonly sizeCache = new Map<string, string>();
  private counter = 0;

  /** float16: the graph computes in half precision (weights and constants in float16). */
  constructor(
    readonly input: string,
    inputRank: number,
    readonly float16 = false,
  ) {
    this.ranks.set(input, inputRank);
  }

  /** The ONNX element type of the graph's floating values. */
  get floatType(): number {
    return this.float16 ? T.FLOAT16 : T.FLOAT;
  }

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  /** The graph name of a traced value (following aliases). */
  name(v: string): string {
    return this.aliases.get(v) ?? v;
  }
  /** A traced value that is another one (no node: views that keep the data as it is). */
  alias(v: string, of: string): void {
    this.aliases.set(v, this.name(of));
    this.ranks.set(v, this.rank(of));
  }
  rank(v: string): number {
    const r = this.ranks.get(this.name(v)) ?? this.ranks.get(v);
    if (r === undefined) throw new Error(`internal: rank of ${v} unknown`);
    return r;
  }
  /** An initializer's shape. */
  dims(v: string): readonly number[] {
    const d = this.dimsOf.get(this.name(v));
    if (!d) throw new Error(`internal: ${v} is not an initializer`);
    return d;
  }
  setRank(v: string, r: number): void {
    this.ranks.set(v, r);
  }

  /** Adds a node; returns its output names (fresh unless given). */
  node(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, outputs: number | readonly string[] = 1): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(op.toLowerCase())) : [...outputs];
    this.nodes.push({
      opType: op,
      name: this.fresh(`n_${op}`),
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Adds an initializer from raw values. */
  initializer(name: string, dims: readonly number[], type: number, data: ArrayBufferView): string {
    this.initializers.push({ name, dims: [...dims], dataType: type, rawData: bytes(data) });
    this.ranks.set(name, dims.length);
    this.dimsOf.set(name, dims);
    return name;
  }
  /** A float tensor in the graph's precision (float32 values given). */
  floatTensor(name: string, dims: readonly number[], v: Float32Array): string {
    return this.initializer(name, dims, this.floatType, this.float16 ? halfBits(v) : v);
  }
  /** A scalar float constant. */
  scalar(v: number): string {
    return this.floatTensor(this.fresh('scalar'), [], Float32Array.of(v));
  }
  /** A 1-D int64 constant. */
  int64s(v: readonly number[]): string {
    return this.initializer(this.fresh('ints'), [v.length], T.INT64, BigInt64Array.from(v.map((x) => BigInt(x))));
  }

  /** A 1-D int64 tensor of these integers, each a constant or computed from the input's shape. */
  sizes(v: readonly (number | SizeExpr)[]): string {
    if (v.every((x) => typeof x === 'number')) return this.int64s(v as number[]);
    const parts: string[] = [];
    let run: number[] = [];
    for (const x of v) {
      if (typeof x === 'number') run.push(x);
      else {
        if (run.length) parts.push(this.int64s(run));
        run = [];
        parts.push(this.size(x));
      }
    }
    if (run.length) parts.push(this.int64s(run));
    return parts.length === 1 ? parts[0]! : this.node('Concat', parts, { axis: int(0) })[0]!;
  }

  /** One integer as a 1-element int64 tensor. */
  size(x: number | SizeExpr): string {
    if (!isSizeExpr(x)) return this.int64s([x]);
    const key = JSON.stringify(x);
    const hit = this.sizeCache.get(key);
    if (hit) return hit;
    const shape = (this.sizeCache.get('shape') ?? this.sizeCache.set('shape', this.node('Shape', [this.input])[0]!).get('shape'))!;
    const dimKey = `dim${x.dim}`;
    const d =
      this.sizeCache.get(dimKey) ??
      this.sizeCache.set(dimKey, this.node('Gather', [shape, this.int64s([x.dim])], { axis: int(0) })[0]!).get(dimKey)!;
    const terms: string[] = [];
    if (x.a !== 0) {
      const ceil = x.q === 1 ? d : this.node('Div', [this.node('Add', [d, this.int64s([x.q - 1])])[0]!, this.int64s([x.q])])[0]!;
      terms.push(x.a === 1 ? ceil : this.node('Mul', [ceil, this.int64s([x.a])])[0]!);
    }
    if (x.b !== 0) terms.push(x.b === 1 ? d : this.node('Mul', [d, this.int64s([x.b])])[0]!);
    let out = terms.length ? terms.reduce((s, t) => this.node('Add', [s, t])[0]!) : this.int64s([0]);
    if (x.c !== 0) out = this.node('Add', [out, this.int64s([x.c])])[0]!;
    this.sizeCache.set(key, out);
    return out;
  }
}
