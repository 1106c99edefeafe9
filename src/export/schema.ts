// ATen operator schemas, read from their text ("aten::add.Tensor(Tensor self, Tensor other, *, Scalar
// alpha=1) -> Tensor"): which arguments are tensors and which are integers, for the tracer.

/** What an argument holds, from its schema type. */
export type ArgKind = 'tensor' | 'tensors' | 'int' | 'ints' | 'float' | 'floats' | 'bool' | 'scalar' | 'str' | 'other';

export interface SchemaArg {
  name: string;
  kind: ArgKind;
  optional: boolean;
}

export interface OpSchema {
  /** "aten::add.Tensor" (name and overload). */
  op: string;
  args: SchemaArg[];
}

/** Splits on commas outside brackets and parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0,
    start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (s.slice(start).trim()) out.push(s.slice(start));
  return out.map((x) => x.trim());
}

function kindOf(type: string): ArgKind {
  const t = type.replace(/\([a-z!]*\)/g, '').replace(/\?$/, ''); // Tensor(a!) → Tensor; optional mark
  if (/^Tensor\??\[\d*\]$/.test(t)) return 'tensors';
  if (t === 'Tensor') return 'tensor';
  if (/^(Sym)?Int\[\d*\]$/i.test(t)) return 'ints';
  if (/^(Sym)?Int$/i.test(t)) return 'int';
  if (/^float\[\d*\]$/.test(t)) return 'floats';
  if (t === 'float') return 'float';
  if (t === 'bool') return 'bool';
  if (t === 'Scalar') return 'scalar';
  if (t === 'str') return 'str';
  return 'other';
}

const cache = new Map<string, OpSchema>();

/** The parsed schema (cached by its text); an error names a text it cannot read. */
export function parseSchema(text: string): OpSchema {
  const hit = cache.get(text);
  if (hit) return hit;
  const m = /^([\w:]+(?:\.\w+)?)\((.*)\)\s*->/.exec(text);
  if (!m) throw new Error(`cannot read the operator schema '${text}'`);
  const args = splitTop(m[2]!)
    .filter((a) => a !== '*')
    .map((a): SchemaArg => {
      const decl = a.split('=')[0]!.trim();
      const sp = decl.lastIndexOf(' ');
      const type = decl.slice(0, sp).trim();
      return { name: decl.slice(sp + 1), kind: kindOf(type), optional: type.endsWith('?') };
    });
  const s = { op: m[1]!, args };
  cache.set(text, s);
  return s;
}
