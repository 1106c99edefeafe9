// The training loop shared by every trainer: schedules, atomic checkpoints and exact resume, periodic
// validation and samples, a guard against non-finite losses and gradients, Ctrl-C that saves and stops.
import { existsSync } from 'node:fs';
import { noGrad, scope, stack, type Tensor } from '../tensor/index.js';
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
  /** Wall-clock budget: the run ends (as finished, with a checkpoint) once this many seconds have passed. */
  maxSeconds?: number;
  /**
   * With maxSeconds (default on): the run's length, and with it the schedule, is fitted to the steps
   * that fit the budget (never beyond `steps`), measured after the first steps and renewed every 100
   * (budget-fit.ts). The fitted length is kept in checkpoints. false: the run stops when the budget ends.
   */
  fitSteps?: boolean;
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
}

/** The loop's share of a trainer's options, with the config's validation and checkpoint intervals. */
export function loopOptions(
  o: TrainOptions,
  c: { valEvery: number; ckptEvery: number },
): Pick<LoopOptions<unknown>, 'resume' | 'quiet' | 'maxSeconds' | 'logEvery' | 'onStep' | 'valEvery' | 'ckptEvery'> {
  return {
    resume: o.resume ?? false,
    quiet: o.quiet,
    maxSeconds: o.maxSeconds,
    logEvery: o.logEvery,
    onStep: o.onStep,
    valEvery: c.valEvery,
    ckptEvery: c.ckptEvery,
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

/** Whether every gradient is finite: one sum per gradient, one read (one device sync) for all. */
export function gradsFinite(models: Module[]): boolean {
  return noGrad(() =>
    scope(() => {
      const sums: Tensor[] = [];
      for (const m of models)
        for (const p of m.parameters()) {
          const g = p.grad;
          if (g) sums.push(g.sum());
        }
      return sums.length === 0 || Number.isFinite(stack(sums).sum().item());
    }),
  );
}

export async function trainLoop<B>(o: LoopOptions<B>): Promise<LoopResult> {
  const t0 = performance.now();
  let state: TrainState = { step: 0, lrScale: 1, loader: o.data.position };
  if (o.resume) {
    if (!existsSync(o.run.latest)) throw new Error(`${o.run.dir}: no checkpoint to resume from (checkpoints/latest.safetensors)`);
    o.run.ensureFolders();
    state = loadCheckpoint(o.run.latest, o.parts);
    o.data.restore(state.loader as never);
    o.run.log({ event: 'resume', step: state.step });
  }
  let steps = o.steps,
    schedule = o.schedule;
  const fitted = state.extra?.fittedSteps;
  if (typeof fitted === 'number') {
    steps = fitted;
    schedule = withTotal(o.schedule, fitted);
  }
  const progress = new Progress(steps, state.step, o.logEvery ?? 50, o.quiet ? devNull : process.stderr);
  const fit = o.maxSeconds !== undefined && o.fitSteps !== false ? new BudgetFit(o.maxSeconds, t0, o.steps, state.step) : undefined;
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const save = (file: string, step: number): void => saveCheckpoint(file, o.parts, { ...state, step, loader: o.data.position });
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
      if (stop) break;
      if (o.maxSeconds !== undefined && (performance.now() - t0) / 1000 > o.maxSeconds) {
        budgetReached = true;
        break;
      }
      const refit = fit?.at(step, performance.now());
      if (refit !== undefined && refit !== steps) {
        if (typeof state.extra?.fittedSteps !== 'number')
          progress.note(`the run is fitted to its time budget of ${o.maxSeconds} s: ${refit} steps`);
        steps = refit;
        schedule = withTotal(o.schedule, steps);
        state.extra = { ...state.extra, fittedSteps: steps };
        progress.total = steps;
        o.run.log({ event: 'fit-steps', step, steps });
      }
      const lr = learningRate(schedule, o.baseLr, step) * state.lrScale;
      for (const p of o.parts) p.optimizer.lr = lr * (p.lrScale ?? 1);
      const batch = await o.data.next();
      const r = scope(() => {
        for (const p of looped) p.optimizer.zeroGrad();
        const { loss, logs, skipUpdate, nonFinite } = o.step(batch, step);
        const value = nonFinite ? NaN : loss.item();
        if (!Number.isFinite(value)) return { value, logs, ok: false };
        if (skipUpdate) return { value, logs, ok: true }; // e.g. a discriminator warm-up step
        loss.backward();
        if (!gradsFinite(models)) return { value, logs, ok: false };
        for (const p of looped) p.optimizer.update();
        return { value, logs, ok: true };
      });
      o.release(batch);
      if (!r.ok) {
        for (const p of looped) p.optimizer.zeroGrad();
        bad++;
        guardEvents++;
        o.run.log({ event: 'non-finite', step, loss: String(r.value), action: 'skipped' });
        progress.note(`step ${step + 1}: non-finite loss or gradient (${r.value}); update skipped`);
        if (bad >= (o.maxBadSteps ?? 3)) {
          if (!existsSync(o.run.latest))
            throw new Error(`${bad} non-finite steps in a row and no checkpoint to roll back to: lower the learning rate`);
          const restored = loadCheckpoint(o.run.latest, o.parts);
          state.lrScale = restored.lrScale * 0.5;
          o.run.log({ event: 'rollback', step, toStep: restored.step, lrScale: state.lrScale });
          progress.note(`rolled back to the checkpoint of step ${restored.step}; learning rate ×${state.lrScale}`);
          bad = 0;
        }
        continue;
      }
      bad = 0;
      progress.update(step, r.value);
      o.onStep?.(step + 1, r.value);
      if ((step + 1) % (o.logEvery ?? 50) === 0) o.run.log({ step: step + 1, loss: r.value, lr, ...r.logs });
      const last = step + 1 === steps;
      if (o.validate && ((step + 1) % o.valEvery === 0 || last)) {
        lastValidation = await o.validate(step + 1);
        o.run.log({ step: step + 1, validation: lastValidation });
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
      if (o.validate) {
        lastValidation = await o.validate(step);
        o.run.log({ step, validation: lastValidation });
      }
      o.run.log({ event: 'budget', step, seconds: (performance.now() - t0) / 1000 });
      progress.note(`time budget of ${o.maxSeconds} s reached at step ${step}`);
    }
    if (stop) {
      save(o.run.latest, step);
      o.run.log({ event: 'interrupted', step });
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
