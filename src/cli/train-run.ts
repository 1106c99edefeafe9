// The driver every `b2b train …` command shares: flags from the trainer's option table plus the run
// flags (--out, --resume, --config, --minutes), a config from a file and flags (or the run's own on
// --resume, which refuses flags that would change the run), the training, and its summary line.
import { readFileSync } from 'node:fs';
import type { OptionTable } from '../train/options.js';
import { RunDir } from '../train/run.js';
import { configFromFlags, flagsHelp, givenFlags, helpLine, tableFlags } from './options.js';
import { budgetSeconds, checkDevice, DEVICE_HELP, parse, UsageError } from './usage.js';
import { cudaDeviceCount, distAvailable, type AmpDtype, type Device } from '../tensor/index.js';
import { DataParallel, groupFromEnv } from '../train/data-parallel.js';
import { launch } from './launch.js';

/** A flag of a command that is no config key (a run option such as --device, or a preset). */
export interface ExtraFlag {
  boolean?: boolean;
  arg?: string;
  help: string;
  /** Also allowed with --resume (it does not change what the run computes). */
  onResume?: boolean;
}

export interface RunFlags {
  resume: boolean;
  maxSeconds: number | undefined;
  /** --device, checked against what the addon can reach. */
  device: Device;
  /** --amp: mixed precision (bf16 on CPU or GPU, fp16 with loss scaling on GPU). */
  amp: AmpDtype | undefined;
  /** This process's rank when the environment (or --nproc) makes it one of a data-parallel group. */
  dp: DataParallel | undefined;
  /** --quiet: no progress lines (rank 0's summary line still prints). */
  quiet: boolean;
  /** The command's extra flags as given. */
  extra: Record<string, string | boolean | undefined>;
}

export interface TrainingCommand<C extends object> {
  /** 'train deblur', … (in messages). */
  name: string;
  /** The run kind config.json records ('deblur', 'kernel', 'translator', 'cyclegan'). */
  kind: string;
  /** The help's first lines. */
  usage: string;
  table: OptionTable<C>;
  defaults: Partial<C>;
  extra?: Record<string, ExtraFlag>;
  /** Help after the options. */
  notes?: string;
  /** A checked config from the values of a config file and the flags (the flags win). */
  build(given: Partial<C>, extra: Record<string, string | boolean | undefined>, source: string): C;
  /** The saved config of a run being resumed, checked. */
  resolve(saved: Record<string, unknown>, source: string): C;
  /** Trains; returns the summary line. */
  run(c: C, out: string, o: RunFlags): Promise<string>;
}

/** What every trainer takes from the run's flags (progress off with --quiet and on data-parallel followers). */
export function trainerOptions(o: RunFlags): Pick<RunFlags, 'resume' | 'maxSeconds' | 'device' | 'amp' | 'dp' | 'quiet'> {
  return { resume: o.resume, maxSeconds: o.maxSeconds, device: o.device, amp: o.amp, dp: o.dp, quiet: o.quiet };
}

/** --amp: bf16 anywhere, fp16 on a GPU (CPU autocast has no float16). */
export function ampOption(v: string | undefined, device: Device, command: string): AmpDtype | undefined {
  if (v === undefined) return undefined;
  if (v !== 'bf16' && v !== 'fp16') throw new UsageError(`${command}: --amp must be bf16 or fp16, got '${v}'`);
  if (v === 'fp16' && device === 'cpu')
    throw new UsageError(`${command}: --amp fp16 needs a GPU (--device cuda); on the CPU use --amp bf16`);
  return v === 'bf16' ? 'bfloat16' : 'float16';
}

export function readConfigFile(file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read config (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: a config is a JSON object of option keys`);
  return v as Record<string, unknown>;
}

const RUN_FLAGS = {
  out: { type: 'string' },
  resume: { type: 'string' },
  config: { type: 'string' },
  minutes: { type: 'string' },
  device: { type: 'string' },
  amp: { type: 'string' },
  nproc: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

export function trainingHelp<C extends object>(cmd: TrainingCommand<C>): string {
  const extra = Object.entries(cmd.extra ?? {}).map(([f, e]) => helpLine(f, e.arg, e.help));
  return [
    cmd.usage,
    'options:',
    flagsHelp(cmd.table, cmd.defaults),
    ...extra,
    helpLine('quiet', '', "no progress lines (the run's metrics.jsonl has every figure)"),
    helpLine('config', 'FILE', "a JSON config (keys as in a run's config.json); flags override it"),
    helpLine('resume', 'RUN', 'continue an interrupted run exactly (with no option that would change it)'),
    helpLine('device', 'D', DEVICE_HELP),
    helpLine(
      'nproc',
      'N',
      'data-parallel training in N local worker processes (c10d: NCCL with --device cuda where the build has it, else Gloo; B2B_DIST_BACKEND overrides); RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK join machines',
    ),
    helpLine(
      'amp',
      'bf16|fp16',
      'mixed precision: forward passes in bfloat16 (CPU, GPU) or float16 with loss scaling (GPU); weights stay float32',
    ),
    helpLine(
      'minutes',
      'N',
      'a budget of N minutes: the run and its learning-rate schedule are fitted to the steps that fit (rate measured as it goes); a resumed run has what is left of them',
    ),
    ...(cmd.notes ? [cmd.notes] : []),
  ].join('\n');
}

export async function runTraining<C extends object>(cmd: TrainingCommand<C>, argv: string[]): Promise<void> {
  const help = trainingHelp(cmd);
  const extraFlags = Object.fromEntries(
    Object.entries(cmd.extra ?? {}).map(([f, e]) => [f, { type: e.boolean ? ('boolean' as const) : ('string' as const) }]),
  );
  const { values, positionals } = parse(argv, { ...tableFlags(cmd.table), ...extraFlags, ...RUN_FLAGS }, help);
  if (positionals.length > 0) throw new UsageError(`${cmd.name}: unexpected argument '${positionals[0]}'\n\n${help}`);
  const v = values as Record<string, string | boolean | undefined>;
  const extra = Object.fromEntries(Object.keys(cmd.extra ?? {}).map((f) => [f, v[f]]));
  const maxSeconds = budgetSeconds(v.minutes as string | undefined, cmd.name);
  const device = checkDevice(v.device as string | undefined, cmd.name);
  const amp = ampOption(v.amp as string | undefined, device, cmd.name);
  const nproc = v.nproc === undefined ? 1 : Number(v.nproc);
  if (!Number.isInteger(nproc) || nproc < 1)
    throw new UsageError(`${cmd.name}: --nproc must be a positive integer, got '${String(v.nproc)}'`);
  const spec = groupFromEnv();
  if (nproc > 1 && spec)
    throw new UsageError(`${cmd.name}: --nproc starts local workers; this process is already rank ${spec.rank} of a group`);
  let config: C, out: string;
  if (v.resume !== undefined) {
    out = String(v.resume);
    const changing = [
      ...givenFlags(v, cmd.table),
      ...Object.entries(cmd.extra ?? {})
        .filter(([f, e]) => !e.onResume && v[f] !== undefined)
        .map(([f]) => `--${f}`),
      ...(['out', 'config'] as const).filter((f) => v[f] !== undefined).map((f) => `--${f}`),
    ];
    if (changing.length > 0)
      throw new UsageError(
        `${cmd.name}: --resume continues ${out} as it was configured; drop ${changing.join(', ')} (or start a new run with --out)`,
      );
    const { kind, ...saved } = RunDir.open(out).config<Record<string, unknown> & { kind: string }>();
    if (kind !== cmd.kind) throw new Error(`${out}: a '${kind}' run, not a ${cmd.kind} run`);
    config = cmd.resolve(saved, `${out}/config.json`);
  } else {
    if (v.out === undefined) throw new UsageError(`${cmd.name}: give --out RUN\n\n${help}`);
    out = String(v.out);
    const file = v.config !== undefined ? readConfigFile(String(v.config)) : {};
    const flags = configFromFlags(v, cmd.table, cmd.name);
    config = cmd.build({ ...file, ...flags } as Partial<C>, extra, v.config !== undefined ? String(v.config) : cmd.name);
  }
  if (nproc > 1) {
    // The arguments were checked here; the workers run the same command and join one group.
    if (!distAvailable())
      throw new Error(`${cmd.name}: --nproc needs the addon's distributed backend, which this build lacks (libgloo-dev)`);
    if (device === 'cuda' && nproc > cudaDeviceCount())
      throw new UsageError(
        `${cmd.name}: --nproc ${nproc} --device cuda gives each worker a GPU of its own, and ${cudaDeviceCount()} are visible; give --device cuda:N to share one`,
      );
    const code = await launch(nproc, process.argv.slice(2));
    if (code !== 0) throw new Error(`${cmd.name}: a worker exited with code ${code}`);
    return;
  }
  const dp = spec ? DataParallel.init(spec, device) : undefined;
  try {
    const quiet = Boolean(v.quiet) || (dp !== undefined && !dp.isMain);
    const line = await cmd.run(config, out, {
      resume: v.resume !== undefined,
      maxSeconds,
      device: dp?.device ?? device,
      amp,
      dp,
      quiet,
      extra,
    });
    if (!dp || dp.isMain) console.log(line);
  } finally {
    dp?.destroy();
  }
}

/** The line every training command ends with: steps, minutes, what was validated, the weights. */
export function finishedLine(
  r: { interrupted: boolean; steps: number; plannedSteps: number; seconds: number; weights: string },
  detail = '',
): string {
  return `${r.interrupted ? 'stopped' : 'finished'} at step ${r.steps}/${r.plannedSteps} in ${(r.seconds / 60).toFixed(1)} min${detail}; weights: ${r.weights}`;
}
