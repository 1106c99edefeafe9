// Fitting a run to a wall-clock budget: after a few warm-up steps the step rate is measured, and the
// run's length (and with it the learning-rate schedule) is set to the steps that fit in what is left of
// the budget; the estimate is renewed as the run goes (validations and checkpoints included), so a run
// given --minutes decays its learning rate fully and ends by itself, on time.
import type { Schedule } from './schedule.js';

/** Steps skipped before timing (compilation, caches), the first measured span, and the renewal interval. */
const WARM = 5,
  FIRST = 30,
  EVERY = 100;

/** Share of the time left that is planned for steps (the rest: the last validation and saves). */
const MARGIN = 0.95;

export class BudgetFit {
  private warmStep = -1;
  private warmTime = 0;

  /** budget: seconds from t0 (ms, performance.now()); at most maxSteps; the run starts at startStep. */
  constructor(
    private readonly budget: number,
    private readonly t0: number,
    private readonly maxSteps: number,
    private readonly startStep: number,
  ) {}

  /** Before step `step` at time `now` (ms): the run's new length when it is (re)estimated, else undefined. */
  at(step: number, now: number): number | undefined {
    const done = step - this.startStep;
    if (done === WARM) {
      this.warmStep = step;
      this.warmTime = now;
    }
    if (this.warmStep < 0 || done < WARM + FIRST || (done - WARM - FIRST) % EVERY !== 0) return undefined;
    const rate = (step - this.warmStep) / Math.max((now - this.warmTime) / 1000, 1e-6);
    const left = this.budget - (now - this.t0) / 1000;
    return Math.min(this.maxSteps, step + Math.max(1, Math.floor(rate * left * MARGIN)));
  }
}

/** The schedule over a run of `total` steps instead of its own length (the shares of its phases kept). */
export function withTotal(s: Schedule, total: number): Schedule {
  switch (s.kind) {
    case 'constant':
      return s;
    case 'cosine':
    case 'linear':
      return { ...s, total };
    case 'constant-then-linear': {
      const constant = Math.round((total * s.constant) / Math.max(1, s.constant + s.decay));
      return { ...s, constant, decay: total - constant };
    }
  }
}
