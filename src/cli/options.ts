// Command-line flags derived from the training option tables (src/train/options.ts): the parseArgs
// options, the conversion of each flag's text to its config value with the table's checks (errors name
// the flag), and the help lines with each default.
import { formatValue, valueProblem, type OptionSpec, type OptionTable } from '../train/options.js';
import { UsageError } from './usage.js';

type FlagValues = Record<string, string | boolean | undefined>;

const flagged = <C>(table: OptionTable<C>): [keyof C & string, OptionSpec & { flag: string }][] =>
  (Object.entries(table) as [keyof C & string, OptionSpec][]).filter(
    (e): e is [keyof C & string, OptionSpec & { flag: string }] => e[1].flag !== undefined,
  );

/** parseArgs options for a table's flags: each takes a string (booleans: on or off). */
export function tableFlags<C>(table: OptionTable<C>): Record<string, { type: 'string' }> {
  return Object.fromEntries(flagged(table).map(([, s]) => [s.flag, { type: 'string' as const }]));
}

/** The text of a flag as its config value (type conversion only; the table's checks come after). */
function convert(s: OptionSpec, raw: string): unknown {
  switch (s.type) {
    case 'int':
    case 'number':
      return raw.trim() === '' ? NaN : Number(raw);
    case 'pair':
    case 'pair?':
      if (s.type === 'pair?' && raw === 'none') return null;
      return raw.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
    case 'boolean':
      return raw === 'on' ? true : raw === 'off' ? false : raw;
    case 'string?':
      return raw === 'none' ? null : raw;
    case 'string':
      return raw;
  }
}

/** The config values given as flags, converted and checked against the table. */
export function configFromFlags<C>(values: FlagValues, table: OptionTable<C>, command: string): Partial<C> {
  const out: Partial<C> = {};
  for (const [key, s] of flagged(table)) {
    const raw = values[s.flag];
    if (raw === undefined) continue;
    const v = convert(s, String(raw));
    const problem = s.type === 'boolean' && typeof v !== 'boolean' ? 'on or off' : valueProblem(s, v);
    if (problem) throw new UsageError(`${command}: --${s.flag} must be ${problem}, got '${String(raw)}'`);
    out[key] = v as C[typeof key];
  }
  return out;
}

/** The flags (of a table) given on a command line. */
export function givenFlags<C>(values: FlagValues, table: OptionTable<C>): string[] {
  return flagged(table)
    .filter(([, s]) => values[s.flag] !== undefined)
    .map(([, s]) => `--${s.flag}`);
}

const COLUMN = 24;

/** One help line: `  --flag ARG` padded, then the text (continued lines indented to the text). */
export function helpLine(flag: string, arg: string | undefined, text: string): string {
  const head = `  --${flag}${arg ? ` ${arg}` : ''}`;
  return head.length < COLUMN - 1 ? head.padEnd(COLUMN) + text : `${head}\n${' '.repeat(COLUMN)}${text}`;
}

/** Help lines for a table's flags, each with its default where there is one. */
export function flagsHelp<C>(table: OptionTable<C>, defaults: Partial<C>): string {
  return flagged(table)
    .map(([key, s]) => {
      const d = defaults[key];
      const text = s.type === 'boolean' ? (d ? 'on' : 'off') : Array.isArray(d) ? d.join(',') : typeof d === 'string' ? d : formatValue(d);
      const shown = d === undefined || d === null || d === '' ? '' : ` (default ${text})`;
      return helpLine(s.flag, s.arg, s.help + shown);
    })
    .join('\n');
}

/** A copy of a table with some flags renamed (a string) or removed (null): one trainer's config under another command. */
export function withFlags<C>(table: OptionTable<C>, changes: Partial<Record<keyof C, string | null>>): OptionTable<C> {
  const out = { ...table } as Record<keyof C, OptionSpec>;
  for (const [k, flag] of Object.entries(changes) as [keyof C, string | null][]) {
    const { flag: _old, ...rest } = out[k];
    out[k] = flag === null ? rest : { ...rest, flag };
  }
  return out as OptionTable<C>;
}

/** Tiles of `b2b deblur` and `b2b web`: --tile N (an integer ≥ 64, default 512) and --overlap N (an integer in [0, tile), default 64). */
export function tileFlags(
  values: { tile?: string | boolean; overlap?: string | boolean },
  command: string,
): { tile: number; overlap: number } {
  const tile = values.tile === undefined ? 512 : Number(values.tile),
    overlap = values.overlap === undefined ? 64 : Number(values.overlap);
  if (!Number.isInteger(tile) || tile < 64)
    throw new UsageError(`${command}: --tile must be an integer ≥ 64, got '${String(values.tile)}'`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tile)
    throw new UsageError(`${command}: --overlap must be an integer in [0, tile) = [0, ${tile}), got '${String(values.overlap)}'`);
  return { tile, overlap };
}
