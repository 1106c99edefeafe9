// The stages of the paper experiment, each idempotent: a stage whose output is complete is skipped, a
// training run that was interrupted is resumed, and a missing one is started. So an interrupted
// `b2b bench` continues where it stopped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateBenchmark } from '../data/benchmark.js';
import type { CameraConfig } from '../data/camera/config.js';
import { readWeightsMetadata } from '../io/weights.js';
import { RunDir } from '../train/run.js';

export interface StageLog {
  stage: string;
  seconds: number;
  status: 'done' | 'skipped' | 'resumed';
}

/** A stage ended without completing (a training run stopped by Ctrl-C or SIGTERM saved its checkpoint). */
export class StageInterrupted extends Error {
  constructor(readonly stage: string) {
    super(`stopped during '${stage}' (what it had done is saved); run the same command again to continue from there`);
    this.name = 'StageInterrupted';
  }
}

export class Stages {
  readonly log: StageLog[] = [];

  constructor(private readonly say: (line: string) => void) {}

  /**
   * Runs `fn` unless `done()` already holds; records and prints the wall time. When a training stage
   * (one with `runDir`) is still not done afterwards (its run was interrupted: it saved a checkpoint and returned), throws
   * StageInterrupted, so that no later stage uses an unfinished result and one Ctrl-C stops it all.
   */
  async run(stage: string, done: () => boolean, fn: (resume: boolean) => Promise<void>, runDir?: string): Promise<void> {
    if (done()) {
      this.log.push({ stage, seconds: 0, status: 'skipped' });
      this.say(`${stage}: done already`);
      return;
    }
    // A run folder with its config is resumed, with or without a checkpoint (one killed before its first
    // starts again from step 0 with that config).
    const resume = runDir !== undefined && existsSync(join(runDir, 'config.json'));
    this.say(resume ? `${stage}: resuming ${runDir}` : `${stage}: starting`);
    const t0 = performance.now();
    await fn(resume);
    const seconds = (performance.now() - t0) / 1000;
    if (runDir !== undefined && !done()) {
      this.say(`${stage}: interrupted after ${(seconds / 60).toFixed(1)} min`);
      throw new StageInterrupted(stage);
    }
    this.log.push({ stage, seconds, status: resume ? 'resumed' : 'done' });
    this.say(`${stage}: ${(seconds / 60).toFixed(1)} min`);
  }
}

/**
 * A finished run: its final weights exist and its log's last lifecycle event (resume, interrupted,
 * finished) is `finished`. An interrupted run also leaves weights behind, and a run killed outright
 * after a resume keeps those stale weights, so weights alone do not tell. Logs from before the
 * `finished` mark: the last entry is no interruption or resume and, where the run can be resumed (it
 * has checkpoints), the weights hold the last logged step. Weight folders without checkpoints or log
 * (shipped ones) count as finished.
 */
export function finished(run: string): boolean {
  const weights = join(run, 'model.safetensors');
  if (!existsSync(weights)) return false;
  if (!existsSync(join(run, 'metrics.jsonl'))) return true;
  const entries = RunDir.open(run).metrics();
  const lifecycle = entries.filter((m) => m.event === 'resume' || m.event === 'interrupted' || m.event === 'finished');
  if (lifecycle.some((m) => m.event === 'finished')) return lifecycle[lifecycle.length - 1]!.event === 'finished';
  const events = entries.filter((m) => typeof m.event === 'string' || typeof m.step === 'number');
  const last = events[events.length - 1]?.event;
  if (last === 'interrupted' || last === 'resume') return false;
  if (!existsSync(join(run, 'checkpoints', 'latest.safetensors'))) return true;
  const saved = Number(readWeightsMetadata(weights).steps);
  const logged = Math.max(0, ...entries.map((m) => (typeof m.step === 'number' ? m.step : 0)));
  return !Number.isFinite(saved) || saved >= logged;
}

/** A simulated benchmark folder is complete when its manifest names the same camera and seed. */
export function simulated(dir: string, camera: CameraConfig, seed: number): boolean {
  const f = join(dir, 'manifest.json');
  if (!existsSync(f)) return false;
  const m = JSON.parse(readFileSync(f, 'utf8')) as { camera: CameraConfig; seed: number };
  if (JSON.stringify(m.camera) !== JSON.stringify(camera) || m.seed !== seed) {
    throw new Error(
      `${dir} holds a benchmark of another camera or seed (${m.camera.name}, seed ${m.seed}); choose another --out or remove it`,
    );
  }
  return true;
}

export async function simulate(
  dir: string,
  camera: CameraConfig,
  o: { photos: string; seed: number; perPhoto: number; role: 'known' | 'unknown' },
): Promise<void> {
  await generateBenchmark({ camera, photosDir: o.photos, out: dir, seed: o.seed, role: o.role, perPhoto: o.perPhoto });
}

/** The run's config, for the report. */
export function runConfig(run: string): unknown {
  return existsSync(join(run, 'config.json')) ? RunDir.open(run).config() : null;
}
