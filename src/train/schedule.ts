// Learning-rate schedules as pure functions of the step (0-based) — no state to save or restore.

export type Schedule =
  | { kind: 'constant' }
  /** Linear from the base rate to `end`·base over `total` steps. */
  | { kind: 'linear'; total: number; end?: number }
  /** Cosine annealing from the base rate to `min` over `total` steps (NAFNet's TrueCosineAnnealingLR). */
  | { kind: 'cosine'; total: number; min?: number }
  /** Constant for `constant` steps, then linear to zero over `decay` steps (pix2pix/CycleGAN, Blur2Blur). */
  | { kind: 'constant-then-linear'; constant: number; decay: number };

/** The learning rate at `step` for base rate `base`. */
export function learningRate(s: Schedule, base: number, step: number): number {
  switch (s.kind) {
    case 'constant':
      return base;
    case 'linear': {
      const f = Math.min(Math.max(step / s.total, 0), 1);
      return base * (1 + ((s.end ?? 0) - 1) * f);
    }
    case 'cosine': {
      const min = s.min ?? 0;
      const f = Math.min(Math.max(step / s.total, 0), 1);
      return min + ((base - min) * (1 + Math.cos(Math.PI * f))) / 2;
    }
    case 'constant-then-linear': {
      // The official rule per epoch e: 1 − max(0, e + 1 − n_constant) / (n_decay + 1).
      return base * Math.max(0, 1 - Math.max(0, step + 1 - s.constant) / (s.decay + 1));
    }
  }
}
