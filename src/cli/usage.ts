// Command-line argument errors (exit code 2) and a small parseArgs wrapper.
import { parseArgs, type ParseArgsConfig } from 'node:util';

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
