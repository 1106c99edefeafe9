// Command-line argument errors (exit code 2) and a small parseArgs wrapper.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { cudaAvailable, cudaDeviceCount, torchVersion, type Device } from '../tensor/index.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** node:util parseArgs with strict options, turning its errors into UsageErrors that include `help`. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, help: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n\n${help}`);
  }
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
  return `${'  --minutes N'.padEnd(column)}a wall-time budget: the run ends at N minutes as finished (checkpoint,\n${pad}validation, final weights), or at its step count if that comes first`;
}

/** --device: 'cpu' (default), 'cuda' or 'cuda:N', checked against what this build of the addon can reach. */
export function checkDevice(v: string | undefined, command: string): Device {
  if (v === undefined || v === 'cpu') return 'cpu';
  const m = /^cuda(?::(\d+))?$/.exec(v);
  if (!m) throw new UsageError(`${command}: --device must be cpu, cuda or cuda:N, got '${v}'`);
  if (!cudaAvailable()) throw new UsageError(`${command}: --device ${v}: this addon has no CUDA (built against ${torchVersion()}; see the README's GPU section) or no GPU is visible`);
  const n = cudaDeviceCount(), k = Number(m[1] ?? 0);
  if (k >= n) throw new UsageError(`${command}: --device ${v}: only ${n} GPU${n === 1 ? '' : 's'} visible`);
  return v;
}
