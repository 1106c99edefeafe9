// The training loop shared by every trainer: schedules, atomic checkpoints and exact resume, periodic
// validation and samples, a guard against non-finite losses and gradients, Ctrl-C that saves and stops.
import { existsSync } from 'node:fs';
import { autocast, scope, type AmpDtype, type Device, type Tensor } from '../tensor/index.js';
import { gradsFinite } from './finite.js';
import { GradScaler, type ScalerState } from './grad-scaler.js';
import type { DataParallel } from './data-parallel.js';
import type { Module } from '../nn/index.js';
import type { Adam } from '../optim/index.js';
import { learningRate, type Schedule } from './schedule.js';
import { BudgetFit, withTotal } from './budget-fit.js';
import { loadCheckpoint, saveCheckpoint, type TrainState } from './checkpoint.js';
import { Progress } from './progress.js';
import type { RunDir } from './run.js';

export interface Part {
  name: string;
  model: Module;
  optimizer: Adam;
  /**
   * The step function updates this part itself (a GAN's discriminator, through adversarialUpdate,
   * which checks its loss and gradients and reports non-finite ones in the step's result). The loop
   * still schedules its learning rate and checkpoints it, but neither clears its gradients nor steps
   * its optimiser.
   */
  selfUpdated?: boolean;
  /** This part's learning rate relative to the schedule's (e.g. a faster discriminator). */
  lrScale?: number;
}

export interface DataSource<B> {
  next(): Promise<B>;
  readonly position: unknown;
  restore(p: never): void;
}

export interface LoopOptions<B> {
  run: RunDir;
  parts: Part[];
  data: DataSource<B>;
  steps: number;
  baseLr: number;
  schedule: Schedule;
  /** The loss of one batch (called inside a scope with gradients on). Extra numbers are logged. */
  step: (batch: B, step: number) => StepResult;
  /** Releases a batch's tensors. */
  release: (batch: B) => void;
  validate?: (step: number) => Promise<Record<string, number>>;
  /** Validation metric to keep the best checkpoint by (higher is better). */
  primary?: string;
  valEvery: number;
  ckptEvery: number;
  logEvery?: number;
  /** Continue from run/checkpoints/latest.safetensors. */
  resume: boolean;
  /** Consecutive non-finite steps before rolling back to the last good checkpoint. */
  maxBadSteps?: number;
  quiet?: boolean;
  /** Wall-clock budget: the run ends (as finished, with a checkpoint) once this many seconds have passed,
   * counted over its resumes (checkpoints keep the seconds trained). */
  maxSeconds?: number;
  /**
   * With maxSeconds (default on): the run's length, and with it the schedule, is fitted to the steps
   * that fit the budget (never beyond `steps`), measured after the first steps and renewed every 100
   * (budget-fit.ts). The fitted length is kept in checkpoints. false: the run stops when the budget ends.
   */
  fitSteps?: boolean;
  /** Mixed precision: each step's forward under autocast; float16 adds loss scaling (grad-scaler.ts). */
  amp?: { device: Device; dtype: AmpDtype };
  /** Loss scalers the step keeps for itself (D's, under float16): saved in checkpoints, restored on resume. */
  scalers?: Record<string, GradScaler>;
  /** Data parallel: this rank's share of the work (data-parallel.ts); only rank 0 validates and writes. */
  dp?: DataParallel;
  /** With dp: this rank's slice of a global batch. */
  shard?: (batch: B, dp: DataParallel) => B;
  /** Called after each completed step (1-based count) with the step's loss: progress reports, early stops. */
  onStep?: (step: number, loss: number) => void;
}

/** What every trainer returns: the loop's result, its run folder and its final weights file. */
export interface TrainResult extends LoopResult {
  run: string;
  weights: string;
}

/** How a trainer is run (not what it trains): shared by every trainer. */
export interface TrainOptions {
  /** Continue the run in `out` from its latest checkpoint. */
  resume?: boolean;
  quiet?: boolean;
  /** Wall-clock budget, seconds. */
  maxSeconds?: number;
  logEvery?: number;
  onStep?: (step: number, loss: number) => void;
  /** Where a trainer's own notes go (default: stderr unless quiet). */
  log?: (line: string) => void;
  /** Where to train: 'cpu' (default), 'cuda', 'cuda:N'. Checkpoints and weights are device-independent. */
  device?: Device;
  /** Mixed precision: forward passes under autocast in this dtype (float16 adds loss scaling); weights stay float32. */
  amp?: AmpDtype;
  /** Data-parallel training: this process's rank in a group (--nproc, or the RANK/WORLD_SIZE environment). */
  dp?: DataParallel;
}

/** The loop's share of a trainer's options, with the config's validation and checkpoint intervals. */
export function loopOptions(
  o: TrainOptions,
  c: { valEvery: number; ckptEvery: number },
): Pick<LoopOptions<unknown>, 'resume' | 'quiet' | 'maxSeconds' | 'logEvery' | 'onStep' | 'valEvery' | 'ckptEvery' | 'amp' | 'dp'> {
  return {
    resume: o.resume ?? false,
    quiet: o.quiet,
    maxSeconds: o.maxSeconds,
    logEvery: o.logEvery,
    onStep: o.onStep,
    valEvery: c.valEvery,
    ckptEvery: c.ckptEvery,
    amp: o.amp ? { device: o.device ?? 'cpu', dtype: o.amp } : undefined,
    dp: o.dp,
  };
}

export interface LoopResult {
  steps: number;
  interrupted: boolean;
  seconds: number;
  lastValidation?: Record<string, number>;
  best?: number;
  guardEvents: number;
  /** The run ended at its time budget before its last step. */
  budgetReached: boolean;
  /** The run's length: its configured steps, or what fitSteps shortened them to. */
  plannedSteps: number;
}

/** What a step function returns: the loss to back-propagate, numbers to log, and its own verdicts. */
export interface StepResult {
  loss: Tensor;
  logs?: Record<string, number>;
  /** Compute and log the loss but update nothing (e.g. a discriminator warm-up step). */
  skipUpdate?: boolean;
  /** The step found a non-finite value of its own (a discriminator's loss or gradient): skip and count it. */
  nonFinite?: boolean;
}

export async function trainLoop<B>(o: LoopOptions<B>): Promise<LoopResult> {
  const start = performance.now();
  const dp = o.dp,
    main = !dp || dp.isMain;
  const log = (entry: Record<string, unknown>): void => {
    if (main) o.run.log(entry);
  };
  let state: TrainState = { step: 0, lrScale: 1, loader: o.data.position };
  if (o.resume) {
    // A run killed before its first checkpoint starts again from step 0 with its own config: the same
    // seeds give the same start, so this is the run it would have been. A folder with final weights and
    // no checkpoint (exported weights) is not such a run: training it again would overwrite them.
    const checkpointed = existsSync(o.run.latest);
    if (!checkpointed && existsSync(o.run.finalWeights)) {
      throw new Error(`${o.run.dir}: holds final weights but no checkpoint to resume from (checkpoints/latest.safetensors)`);
    }
    if (main) o.run.ensureFolders();
    if (checkpointed) {
      state = loadCheckpoint(o.run.latest, o.parts);
      o.data.restore(state.loader as never);
    } else if (main && !o.quiet) {
      process.stderr.write(`${o.run.dir}: no checkpoint yet (killed before the first); starting it again from step 0\n`);
    }
    log({ event: 'resume', step: state.step });
  }
  // Time counts over the run's resumes: a budget is the run's, not each process's (the seconds between
  // the last checkpoint and an interruption are counted again when their steps are).
  const spent = typeof state.extra?.seconds === 'number' ? state.extra.seconds : 0;
  const t0 = start - spent * 1000;
  // Every rank starts from rank 0's weights.
  dp?.broadcast(o.parts.map((p) => p.model));
  let steps = o.steps,
    schedule = o.schedule;
  const fitted = state.extra?.fittedSteps;
  if (typeof fitted === 'number') {
    steps = fitted;
    schedule = withTotal(o.schedule, fitted);
  }
  const progress = new Progress(steps, state.step, o.logEvery ?? 50, o.quiet || !main ? devNull : process.stderr);
  const fit = o.maxSeconds !== undefined && o.fitSteps !== false ? new BudgetFit(o.maxSeconds, t0, o.steps, state.step) : undefined;
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // float16 scales its loss; the scale is part of the state a resume restores.
  const scaler = o.amp?.dtype === 'float16' ? new GradScaler() : undefined;
  const saved = state.extra?.scaler as ScalerState | undefined;
  if (scaler && saved) scaler.restore(saved);
  const own = Object.entries(o.scalers ?? {});
  const savedOwn = (state.extra?.scalers ?? {}) as Record<string, ScalerState>;
  for (const [name, s] of own) if (savedOwn[name]) s.restore(savedOwn[name]);
  const scalerExtra = (): Record<string, unknown> => ({
    ...(scaler ? { scaler: scaler.state } : {}),
    ...(own.length ? { scalers: Object.fromEntries(own.map(([name, s]) => [name, s.state])) } : {}),
  });
  const save = (file: string, step: number): void =>
    void (
      main &&
      saveCheckpoint(file, o.parts, {
        ...state,
        extra: { ...state.extra, ...scalerExtra(), seconds: (performance.now() - t0) / 1000 },
        step,
        loader: o.data.position,
      })
    );
  const amp = o.amp;
  const runStep = (batch: B, step: number): StepResult =>
    amp ? autocast(amp.device, amp.dtype, () => o.step(batch, step)) : o.step(batch, step);
  let overflows = 0;
  let bad = 0,
    guardEvents = 0,
    lastValidation: Record<string, number> | undefined,
    budgetReached = false;
  const looped = o.parts.filter((p) => !p.selfUpdated);
  const models = looped.map((p) => p.model);
  try {
    let step = state.step;
    for (; step < steps; step++) {
      // Let the event loop turn once per step: signal handlers (Ctrl-C) and finalizers run only then, and
      // a loader serving cached images would otherwise never leave the microtask queue.
      await new Promise<void>((resolve) => setImmediate(resolve));
      let over = o.maxSeconds !== undefined && (performance.now() - t0) / 1000 > o.maxSeconds;
      let refit = fit?.at(step, performance.now());
      if (dp) {
        // One agreement per step: any rank stopped or out of time stops all; the longest fitted length wins.
        const [s, b, f] = dp.max([stop ? 1 : 0, over ? 1 : 0, refit ?? -1]);
        [stop, over, refit] = [s === 1, b === 1, f! >= 0 ? f : undefined];
      }
      if (stop) break;
      if (over) {
        budgetReached = true;
        break;
      }
      if (refit !== undefined && refit !== steps) {
        if (typeof state.extra?.fittedSteps !== 'number')
          progress.note(`the run is fitted to its time budget of ${o.maxSeconds} s: ${refit} steps`);
        steps = refit;
        schedule = withTotal(o.schedule, steps);
        state.extra = { ...state.extra, fittedSteps: steps };
        progress.total = steps;
        log({ event: 'fit-steps', step, steps });
      }
      const lr = learningRate(schedule, o.baseLr, step) * state.lrScale;
      for (const p of o.parts) p.optimizer.lr = lr * (p.lrScale ?? 1);
      const global = await o.data.next();
      const batch = dp && o.shard ? o.shard(global, dp) : global;
      if (batch !== global) o.release(global);
      const r = scope(() => {
        for (const p of looped) p.optimizer.zeroGrad();
        const { loss, logs, skipUpdate: skipHere, nonFinite } = runStep(batch, step);
        let value = nonFinite ? NaN : loss.item(),
          skipUpdate = skipHere;
        if (dp) {
          // Ranks agree on skipping; the loss logged is the mean over the ranks.
          const [bad, skip] = dp.max([Number.isFinite(value) ? 0 : 1, skipUpdate ? 1 : 0]);
          value = bad ? NaN : dp.mean([value])[0]!;
          skipUpdate = skip === 1;
        }
        if (!Number.isFinite(value)) return { value, logs, ok: false };
        if (skipUpdate) return { value, logs, ok: true }; // e.g. a discriminator warm-up step
        (scaler ? scaler.scaled(loss) : loss).backward();
        dp?.averageGradients(models);
        if (scaler) {
          // An overflow of the scaled gradients lowers the scale and skips the step: not a bad step.
          const finite = scaler.unscale(models);
          scaler.update(finite);
          if (!finite) {
            overflows++;
            return { value, logs, ok: true };
          }
        } else if (!gradsFinite(models)) return { value, logs, ok: false };
        for (const p of looped) p.optimizer.update();
        return { value, logs, ok: true };
      });
      o.release(batch);
      if (!r.ok) {
        for (const p of looped) p.optimizer.zeroGrad();
        bad++;
        guardEvents++;
        log({ event: 'non-finite', step, loss: String(r.value), action: 'skipped' });
        progress.note(`step ${step + 1}: non-finite loss or gradient (${r.value}); update skipped`);
        if (bad >= (o.maxBadSteps ?? 3)) {
          if (!existsSync(o.run.latest))
            throw new Error(`${bad} non-finite steps in a row and no checkpoint to roll back to: lower the learning rate`);
          const restored = loadCheckpoint(o.run.latest, o.parts);
          state.lrScale = restored.lrScale * 0.5;
          log({ event: 'rollback', step, toStep: restored.step, lrScale: state.lrScale });
          progress.note(`rolled back to the checkpoint of step ${restored.step}; learning rate ×${state.lrScale}`);
          bad = 0;
        }
        continue;
      }
      bad = 0;
      progress.update(step, r.value);
      o.onStep?.(step + 1, r.value);
      if ((step + 1) % (o.logEvery ?? 50) === 0)
        log({ step: step + 1, loss: r.value, lr, ...r.logs, ...(scaler ? { loss_scale: scaler.scale, overflows } : {}) });
      const last = step + 1 === steps;
      if (o.validate && main && ((step + 1) % o.valEvery === 0 || last)) {
        lastValidation = await o.validate(step + 1);
        log({ step: step + 1, validation: lastValidation });
        progress.note(
          `validation at step ${step + 1}: ${Object.entries(lastValidation)
            .map(([k, v]) => `${k} ${v.toFixed(3)}`)
            .join(', ')}`,
        );
        const m = o.primary ? lastValidation[o.primary] : undefined;
        if (m !== undefined && (state.best === undefined || m > state.best)) {
          state.best = m;
          save(o.run.best, step + 1);
        }
      }
      if ((step + 1) % o.ckptEvery === 0 || last) save(o.run.latest, step + 1);
    }
    if (budgetReached) {
      save(o.run.latest, step);
      if (o.validate && main) {
        lastValidation = await o.validate(step);
        log({ step, validation: lastValidation });
      }
      log({ event: 'budget', step, seconds: (performance.now() - t0) / 1000 });
      progress.note(`time budget of ${o.maxSeconds} s reached at step ${step}`);
    }
    if (stop) {
      save(o.run.latest, step);
      log({ event: 'interrupted', step });
      progress.note(`interrupted: saved a checkpoint at step ${step}; continue with --resume ${o.run.dir}`);
    }
    return {
      steps: step,
      interrupted: stop,
      seconds: (performance.now() - t0) / 1000,
      lastValidation,
      best: state.best,
      guardEvents,
      budgetReached,
      plannedSteps: steps,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const devNull = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
