// Sizes that follow the input: the forward pass is traced at several input sizes, and every integer
// argument that differs between the traces (a view's shape, a slice's end, a padding) is fitted to
//   a·⌈D/q⌉ + b·D + c   (D one of the input's batch, height or width; a, b, c integers; q a power of 2)
// exactly on every trace. Padding to a multiple (⌈D/q⌉·q − D), halved and quartered sizes (⌈D/4⌉) and
// doubled ones are of this form. The exported graph computes such an argument from the input's shape.
import type { Arg, Trace, TraceNode } from './trace.js';

/** An integer computed from the input's shape: a·⌈D/q⌉ + b·D + c with D = shape[dim]. */
export interface SizeExpr {
  dim: number;
  a: number;
  b: number;
  c: number;
  q: number;
}

export function isSizeExpr(v: unknown): v is SizeExpr {
  return typeof v === 'object' && v !== null && 'dim' in v && 'q' in v;
}

/** An argument of the merged trace: as recorded, with varying integers as size expressions. */
export type SizedArg = Arg | SizeExpr | (number | SizeExpr)[];

export interface SizedNode extends Omit<TraceNode, 'args'> {
  args: SizedArg[];
}

/** Dimensions of the input a size may follow: batch, height, width. */
const DIMS = [0, 2, 3];
const QS = [1, 2, 4, 8, 16, 32, 64, 128];

/** Solves the 3×3 (or smaller) least-squares system for integer coefficients; null when singular. */
function solve(rows: number[][], ys: number[]): number[] | null {
  const k = rows[0]!.length;
  const A = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)));
  const B = Array.from({ length: k }, (_, i) => rows.reduce((s, r, n) => s + r[i]! * ys[n]!, 0));
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    if (Math.abs(A[p]![c]!) < 1e-9) return null;
    [A[c], A[p]] = [A[p]!, A[c]!];
    [B[c], B[p]] = [B[p]!, B[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / A[c]![c]!;
      for (let j = c; j < k; j++) A[r]![j]! -= f * A[c]![j]!;
      B[r]! -= f * B[c]!;
    }
  }
  return B.map((b, i) => Math.round(b / A[i]![i]!));
}

export function evalSize(e: SizeExpr, shape: readonly number[]): number {
  const d = shape[e.dim]!;
  return e.a * Math.ceil(d / e.q) + e.b * d + e.c;
}

/** The simplest size expression that gives `values` on every trace's input shape, or null. */
export function fitSize(values: readonly number[], shapes: readonly (readonly number[])[]): number | SizeExpr | null {
  if (values.every((v) => v === values[0])) return values[0]!;
  for (const q of QS)
    for (const dim of DIMS) {
      const ds = shapes.map((s) => s[dim]!);
      const rows = ds.map((d) => (q === 1 ? [d, 1] : [Math.ceil(d / q), d, 1]));
      const coef = solve(rows, [...values]);
      if (!coef) continue;
      const e: SizeExpr = q === 1 ? { dim, a: coef[0]!, b: 0, c: coef[1]!, q } : { dim, a: coef[0]!, b: coef[1]!, c: coef[2]!, q };
      if (shapes.every((s, i) => evalSize(e, s) === values[i])) return e;
    }
  return null;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * One trace whose size-dependent integers are expressions, from traces of the same function at
 * different input sizes; an error when their operators differ or an integer follows no expression.
 */
export function mergeTraces(traces: readonly Trace[]): { nodes: SizedNode[]; output: string } {
  const first = traces[0]!;
  const shapes = traces.map((t) => t.inputShape);
  const where = (n: TraceNode, i: number): string => `operator ${i + 1} (${n.op})`;
  for (const t of traces) {
    if (t.nodes.length !== first.nodes.length || t.output !== first.output)
      throw new Error(
        `the forward pass runs different operators at input sizes [${first.inputShape.join(', ')}] and [${t.inputShape.join(', ')}]: it has a branch on the input size that a graph cannot follow`,
      );
  }
  const nodes = first.nodes.map((n, i): SizedNode => {
    const all = traces.map((t) => t.nodes[i]!);
    if (all.some((m) => m.op !== n.op || !same(m.outputs, n.outputs)))
      throw new Error(`${where(n, i)}: the forward pass runs different operators at different input sizes`);
    const args = n.args.map((a, j): SizedArg => {
      const vs = all.map((m) => m.args[j]);
      if (vs.every((v) => same(v, a))) return a;
      const kind = n.kinds[j];
      const fail = (): never => {
        throw new Error(
          `${where(n, i)}, argument ${j + 1}: its value (${vs.map((v) => JSON.stringify(v)).join(' / ')} at the traced sizes) follows the input size in a way the exporter does not model`,
        );
      };
      if (kind === 'int' && vs.every((v) => typeof v === 'number')) return fitSize(vs as number[], shapes) ?? fail();
      if (kind === 'ints' && vs.every((v) => Array.isArray(v) && v.length === (a as number[]).length))
        return (a as number[]).map(
          (_, k) =>
            fitSize(
              (vs as number[][]).map((v) => v[k]!),
              shapes,
            ) ?? fail(),
        );
      return fail();
    });
    return { op: n.op, kinds: n.kinds, outputs: n.outputs, shapes: n.shapes, args };
  });
  return { nodes, output: first.output };
}
