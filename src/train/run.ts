// A run folder: the resolved config (config.json), the metrics log (metrics.jsonl, one JSON object per
// line), checkpoints (checkpoints/latest.safetensors, checkpoints/best.safetensors), sample grids
// (samples/step-N.png) and the final weights (model.safetensors).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveWeights } from '../io/weights.js';
import type { Tensor } from '../tensor/index.js';

export class RunDir {
  /** writes false: a data-parallel rank other than 0, which reads the run (checkpoints) but writes nothing. */
  constructor(
    readonly dir: string,
    readonly writes = true,
  ) {}

  /**
   * The run a trainer works in, made once its data has loaded: the resumed folder, a new one, or for a
   * data-parallel rank other than 0 a view that writes nothing.
   */
  static start(dir: string, config: object, o: { dp?: { isMain: boolean } }, resumed?: RunDir): RunDir {
    if (o.dp && !o.dp.isMain) return new RunDir(dir, false);
    return resumed ?? RunDir.create(dir, config);
  }

  /** A new run: the folder must not hold a run already (use resume for that). */
  static create(dir: string, config: object): RunDir {
    if (existsSync(join(dir, 'config.json'))) {
      throw new Error(`${dir} already holds a run (config.json): resume it with --resume ${dir}, or choose another --out`);
    }
    for (const d of ['', 'checkpoints', 'samples']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    return new RunDir(dir);
  }

  /** An existing run, for resuming or reading. */
  static open(dir: string): RunDir {
    if (!existsSync(join(dir, 'config.json'))) throw new Error(`${dir}: not a run folder (no config.json)`);
    return new RunDir(dir);
  }

  /**
   * Before a resume: makes the run's checkpoint and sample folders where missing (a run copied without its
   * empty folders resumes too) and removes the temporary files of checkpoint writes a kill interrupted.
   */
  ensureFolders(): void {
    if (!this.writes) return;
    for (const d of ['checkpoints', 'samples']) mkdirSync(join(this.dir, d), { recursive: true });
    const ckpt = join(this.dir, 'checkpoints');
    for (const f of readdirSync(ckpt)) if (f.startsWith('.') && f.endsWith('.tmp')) rmSync(join(ckpt, f), { force: true });
  }

  config<T>(): T {
    return JSON.parse(readFileSync(join(this.dir, 'config.json'), 'utf8')) as T;
  }

  get latest(): string {
    return join(this.dir, 'checkpoints', 'latest.safetensors');
  }
  get best(): string {
    return join(this.dir, 'checkpoints', 'best.safetensors');
  }
  get finalWeights(): string {
    return join(this.dir, 'model.safetensors');
  }
  sample(step: number): string {
    return join(this.dir, 'samples', `step-${String(step).padStart(7, '0')}.png`);
  }

  /**
   * The final weights, with the model's metadata plus the steps run and the last validation. A run that
   * was not interrupted then logs `finished`, the mark that tells a finished run from one killed after
   * an earlier interruption had left weights behind.
   */
  saveFinal(
    weights: Map<string, Tensor>,
    meta: Record<string, string>,
    r: { steps: number; lastValidation?: Record<string, number>; interrupted?: boolean },
  ): string {
    if (!this.writes) return this.finalWeights;
    saveWeights(this.finalWeights, weights, {
      ...meta,
      steps: String(r.steps),
      ...(r.lastValidation ? { validation: JSON.stringify(r.lastValidation) } : {}),
    });
    if (!r.interrupted) this.log({ event: 'finished', step: r.steps });
    return this.finalWeights;
  }

  log(entry: Record<string, unknown>): void {
    if (!this.writes) return;
    appendFileSync(join(this.dir, 'metrics.jsonl'), JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n');
  }

  metrics(): Record<string, unknown>[] {
    const f = join(this.dir, 'metrics.jsonl');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
