// Training options, each described once: its config key, type, allowed range or values, command-line
// flag and help. The config check (every key known, every value of its type and range, errors that
// name the file and key), the command line's flags and their parsing (src/cli/options.ts) and --help
// are all derived from these tables, one per trainer.

export type OptionType = 'string' | 'string?' | 'int' | 'number' | 'pair' | 'pair?' | 'boolean';

export interface OptionSpec {
  type: OptionType;
  /** The values a string option may take. */
  choices?: readonly string[];
  /** Inclusive bounds of a number (of each number of a pair). */
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
  /** The command-line flag (without --); none: set in config files only. */
  flag?: string;
  /** What the flag takes, for --help: N, X, DIR, FILE, … */
  arg?: string;
  help: string;
}

/** A string option that takes one of `choices`, set by --flag ARG. */
export function oneOf(choices: readonly string[], flag: string, arg: string, help: string): OptionSpec {
  return { type: 'string', choices, flag, arg, help };
}

/** One spec per config key: the compiler checks that a table covers its config. */
export type OptionTable<C> = { readonly [K in keyof C]-?: OptionSpec };

/** A value as a person reads it in an error (NaN and Infinity too, which JSON would print as null). */
export function formatValue(x: unknown): string {
  if (typeof x === 'number') return String(x);
  if (Array.isArray(x)) return `[${x.map(formatValue).join(', ')}]`;
  if (x === undefined) return 'nothing';
  return JSON.stringify(x) ?? String(x);
}

/** The range of a number option in words ('≥ 1', 'in (0, 1)'), or '' for none. */
export function rangeText(s: OptionSpec): string {
  const lo = s.min !== undefined ? (['[', s.min] as const) : s.above !== undefined ? (['(', s.above] as const) : undefined;
  const hi = s.max !== undefined ? ([']', s.max] as const) : s.below !== undefined ? ([')', s.below] as const) : undefined;
  if (lo && hi) return `in ${lo[0]}${lo[1]}, ${hi[1]}${hi[0]}`;
  if (lo) return `${lo[0] === '[' ? '≥' : '>'} ${lo[1]}`;
  if (hi) return `${hi[0] === ']' ? '≤' : '<'} ${hi[1]}`;
  return '';
}

function inRange(s: OptionSpec, x: number): boolean {
  return (
    (s.min === undefined || x >= s.min) &&
    (s.max === undefined || x <= s.max) &&
    (s.above === undefined || x > s.above) &&
    (s.below === undefined || x < s.below)
  );
}

/** Why a value does not fit its spec, or undefined when it does. */
export function valueProblem(s: OptionSpec, x: unknown): string | undefined {
  const range = rangeText(s);
  const num = (what: string, ok: (v: unknown) => boolean): string | undefined =>
    ok(x) && inRange(s, x as number) ? undefined : `${what}${range ? ` ${range}` : ''}`;
  switch (s.type) {
    case 'string':
    case 'string?':
      if (x === null && s.type === 'string?') return undefined;
      if (typeof x !== 'string') return s.type === 'string?' ? 'a string or null' : 'a string';
      if (s.choices && !s.choices.includes(x)) return `one of ${s.choices.join(', ')}`;
      return undefined;
    case 'int':
      return num('an integer', (v) => typeof v === 'number' && Number.isInteger(v));
    case 'number':
      return num('a number', (v) => typeof v === 'number' && Number.isFinite(v));
    case 'pair':
    case 'pair?': {
      if (x === null && s.type === 'pair?') return undefined;
      const ok = Array.isArray(x) && x.length === 2 && x.every((e) => typeof e === 'number' && Number.isFinite(e) && inRange(s, e));
      return ok ? undefined : `two numbers [a, b]${range ? `, each ${range}` : ''}${s.type === 'pair?' ? ', or null' : ''}`;
    }
    case 'boolean':
      return typeof x === 'boolean' ? undefined : 'true or false';
  }
}

/**
 * Checks a config against its table: every key known (own keys only: '__proto__' or 'toString' are
 * unknown keys like any other), every value of its type and in its range. Errors name `source` and the key.
 */
export function checkConfig<C extends object>(v: Record<string, unknown>, table: OptionTable<C>, source: string): C {
  for (const k of Object.keys(v)) {
    if (!Object.hasOwn(table, k)) throw new Error(`${source}: unknown key '${k}' (known: ${Object.keys(table).join(', ')})`);
  }
  for (const [k, spec] of Object.entries(table) as [string, OptionSpec][]) {
    const x = Object.hasOwn(v, k) ? v[k] : undefined;
    const problem = valueProblem(spec, x);
    if (problem) throw new Error(`${source}: '${k}' must be ${problem}, got ${formatValue(x)}`);
  }
  return v as C;
}

/** Fields every trainer's config has. */
export interface TrainConfigBase {
  /** An architecture id (b2b weights import --help lists them). */
  arch: string;
  crop: number;
  batch: number;
  steps: number;
  lr: number;
  betas: [number, number];
  seed: number;
  valEvery: number;
  ckptEvery: number;
  valImages: number;
  /** Weights to start from (.safetensors, or .pth in the architecture's layout). */
  init: string | null;
}

/** The base fields plus paired data: what the deblurrer and KernelWizard trainers read. */
export interface CommonTrainConfig extends TrainConfigBase {
  /** Paired training data (a blur/sharp folder, GoPro, REDS, … layouts). */
  pairs: string;
  /** Paired validation data; null: hold out 10 % of the training scenes. */
  val: string | null;
}

export const BASE_OPTIONS: OptionTable<TrainConfigBase> = {
  arch: { type: 'string', flag: 'arch', arg: 'ID', help: 'the architecture (b2b weights import --help lists the ids)' },
  crop: { type: 'int', min: 16, flag: 'crop', arg: 'N', help: 'side of the training crops, pixels' },
  batch: { type: 'int', min: 1, flag: 'batch', arg: 'N', help: 'images per step' },
  steps: { type: 'int', min: 1, flag: 'steps', arg: 'N', help: 'training steps' },
  lr: { type: 'number', above: 0, max: 1, flag: 'lr', arg: 'X', help: 'learning rate' },
  betas: { type: 'pair', min: 0, below: 1, flag: 'betas', arg: 'B1,B2', help: "Adam's moment decays" },
  seed: { type: 'int', min: 0, flag: 'seed', arg: 'N', help: 'random seed (data order, augmentation, initialisation)' },
  valEvery: { type: 'int', min: 1, flag: 'val-every', arg: 'N', help: 'validate (and keep the best checkpoint) every N steps' },
  ckptEvery: { type: 'int', min: 1, flag: 'ckpt-every', arg: 'N', help: 'write the resumable checkpoint every N steps' },
  valImages: { type: 'int', min: 1, flag: 'val-images', arg: 'N', help: 'validation images' },
  init: { type: 'string?', flag: 'init', arg: 'FILE', help: 'start from weights (.safetensors, or an official .pth)' },
};

export const COMMON_OPTIONS: OptionTable<CommonTrainConfig> = {
  ...BASE_OPTIONS,
  pairs: {
    type: 'string',
    flag: 'pairs',
    arg: 'DIR',
    help: 'training pairs: blur/ + sharp/, or a GoPro, REDS, RSBlur, RealBlur or Blur2Blur layout',
  },
  val: { type: 'string?', flag: 'val', arg: 'DIR', help: 'validation pairs (default: 10 % of the training scenes held out)' },
};
