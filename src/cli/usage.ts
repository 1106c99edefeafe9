// Command-line argument errors (exit code 2) and a small parseArgs wrapper.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { cudaAvailable, cudaBuild, cudaDeviceCount, torchVersion, type Device } from '../tensor/index.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** parseArgs options for flags that each take a string. */
export function stringFlags<K extends string>(...names: K[]): Record<K, { type: 'string' }> {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])) as Record<K, { type: 'string' }>;
}

/** Edit distance between two short strings (for "did you mean"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** ` (did you mean 'x'?)` for the closest of `known` to `word`, or '' when none is close. */
export function didYouMean(word: string, known: readonly string[], prefix = ''): string {
  let best: string | undefined,
    bestD = Infinity;
  for (const k of known) {
    const d = distance(word, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean '${prefix}${best}'?)` : '';
}

/**
 * The part of a command's help about one subcommand (`b2b data photos --help`): its usage lines and
 * the notes after the usage; the whole help when `sub` names none of its subcommands.
 */
export function subcommandHelp(help: string, sub: string | undefined): string {
  if (sub === undefined) return help;
  const lines = help.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\s+b2b \\S+ ${sub.replace(/[^\w-]/g, '')}(\\s|$)`).test(l));
  if (start < 0) return help;
  let end = start + 1;
  while (end < lines.length && /^\s{3,}/.test(lines[end]!) && !/^\s+b2b /.test(lines[end]!)) end++;
  let last = 0;
  lines.forEach((l, i) => {
    if (/^\s+(b2b |\s)/.test(l)) last = i;
  });
  const notes = lines.slice(last + 1).filter((l) => !/^\s/.test(l));
  return ['usage:', ...lines.slice(start, end), ...notes].join('\n');
}

/** `--help` was given: the command's help goes to stdout and the exit code is 0 (b2b.ts). */
export class HelpRequest extends Error {
  constructor(readonly help: string) {
    super('help requested');
    this.name = 'HelpRequest';
  }
}

/**
 * node:util parseArgs with strict options, turning its errors into UsageErrors that include `help`;
 * `--help` / `-h` anywhere ends the command with its help (HelpRequest).
 */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, help: string) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // parseArgs: "Unknown option '--outt'. …": name the flag that was meant.
    const unknown = /Unknown option '--([^']+)'/.exec(message);
    const hint = unknown ? didYouMean(unknown[1]!, Object.keys(options), '--') : '';
    throw new UsageError(`${unknown ? `unknown option '--${unknown[1]}'${hint}` : message}\n\n${help}`);
  }
  if ((parsed.values as Record<string, unknown>).help) throw new HelpRequest(subcommandHelp(help, parsed.positionals[0]));
  return parsed;
}

/** --minutes N: a wall-time budget for a training, in seconds for the trainer (undefined: none). */
export function budgetSeconds(v: string | undefined, command: string): number | undefined {
  if (v === undefined) return undefined;
  const m = Number(v);
  if (!(m > 0)) throw new UsageError(`${command}: --minutes must be a positive number, got '${v}'`);
  return m * 60;
}

/** The --minutes help line, its description starting at `column` to line up with the command's other options. */
export function budgetHelp(column: number): string {
  const pad = ' '.repeat(column);
  return `${'  --minutes N'.padEnd(column)}a wall-time budget: the run ends at N minutes as finished (checkpoint,\n${pad}validation, final weights), or at its step count if that comes first; a resumed\n${pad}run counts the minutes it has had`;
}

/** What this build can do with GPUs, in words. */
export function cudaSummary(): string {
  if (!cudaBuild())
    return `not in this build (libtorch ${torchVersion()} for the CPU; README, 'GPUs and several machines', builds against a CUDA one)`;
  const n = cudaAvailable() ? cudaDeviceCount() : 0;
  return n > 0 ? `built with CUDA, ${n} device${n === 1 ? '' : 's'} visible` : 'built with CUDA, but no GPU is visible';
}

/** The --device help text every computing command shares. */
export const DEVICE_HELP =
  "cpu (default), cuda or cuda:N: where to compute (a CUDA build of the addon: README, 'GPUs and several machines')";

/** --device: 'cpu' (default), 'cuda' or 'cuda:N', checked against what this build of the addon can reach. */
export function checkDevice(v: string | undefined, command: string): Device {
  if (v === undefined || v === 'cpu') return 'cpu';
  const m = /^cuda(?::(\d+))?$/.exec(v);
  if (!m) throw new UsageError(`${command}: --device must be cpu, cuda or cuda:N, got '${v}'`);
  if (!cudaAvailable()) throw new UsageError(`${command}: --device ${v}: CUDA is ${cudaSummary()}`);
  const n = cudaDeviceCount(),
    k = Number(m[1] ?? 0);
  if (k >= n) throw new UsageError(`${command}: --device ${v}: only ${n} GPU${n === 1 ? '' : 's'} visible`);
  return v;
}
