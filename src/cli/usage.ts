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
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n\n${help}`);
  }
  if ((parsed.values as Record<string, unknown>).help) throw new HelpRequest(help);
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
  return `${'  --minutes N'.padEnd(column)}a wall-time budget: the run ends at N minutes as finished (checkpoint,\n${pad}validation, final weights), or at its step count if that comes first`;
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
