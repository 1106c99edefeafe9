// Rendered training pairs off the training thread's critical path: a worker process (its own libtorch,
// one thread by default) renders the next batches while the trainer computes the current step.
// Batches are pure functions of (seed, step) (src/data/rendered-pairs.ts), so prefetching, restarting
// the worker or resuming a run never changes what a step sees. `prefetch: 0` renders in-process.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fromArray, type Device, type Tensor } from '../tensor/index.js';
import type { CameraConfig } from './camera/config.js';
import { RenderedPairs, checkPosition, loadPhotoPool, type RenderedPosition } from './rendered-pairs.js';

export interface RenderSourceOptions {
  camera: CameraConfig;
  /** Folders of photos (first folder wins for a scene seen twice). */
  photos: string[];
  /** Scenes never rendered (a benchmark's test scenes). */
  exclude: string[];
  /** Longer photo side after loading (larger photos are downscaled). */
  maxSide: number;
  batchSize: number;
  crop: number;
  valCrop: number;
  seed: number;
  /** Batches rendered ahead in a worker process; 0 renders in this process. */
  prefetch: number;
  /** libtorch threads of the worker (default 1). */
  workerThreads?: number;
  /** Render on this device ('cpu' default). A GPU renders in the training process (prefetch is ignored). */
  device?: Device;
}

/** What the trainers consume: blurry/sharp batches with the loader fields they log. */
export interface RenderBatch {
  blurry: Tensor;
  sharp: Tensor;
  files: string[];
  epoch: number;
  index: number;
}

interface Wire {
  shape: number[];
  blurry: Float32Array;
  sharp: Float32Array;
}
export type WorkerRequest = { kind: 'init'; o: RenderSourceOptions } | { kind: 'batch'; step: number } | { kind: 'validation'; n: number };
export type WorkerReply = { kind: 'ready'; photos: number } | { kind: 'batch'; step: number; data: Wire } | { kind: 'validation'; data: Wire } | { kind: 'error'; message: string };

export function toWire(blurry: Tensor, sharp: Tensor): Wire {
  return { shape: [...blurry.shape], blurry: blurry.toArray() as Float32Array, sharp: sharp.toArray() as Float32Array };
}

const fromWire = (w: Wire): { blurry: Tensor; sharp: Tensor } => ({ blurry: fromArray(w.blurry, w.shape), sharp: fromArray(w.sharp, w.shape) });

const WORKER = fileURLToPath(new URL('./render-worker.js', import.meta.url));

/** A DataSource of rendered pairs (in-process or prefetched by a worker process). Call open() first. */
export class RenderSource {
  private stepNo = 0;
  private photos = 0;
  private local: RenderedPairs | undefined;
  private child: ChildProcess | undefined;
  private readonly pending = new Map<string, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private readonly ahead = new Map<number, Promise<WorkerReply>>();
  private failure: Error | undefined;

  private constructor(readonly o: RenderSourceOptions) {}

  static async open(o: RenderSourceOptions): Promise<RenderSource> {
    const s = new RenderSource(o);
    try {
      if (o.prefetch <= 0 || (o.device !== undefined && o.device !== 'cpu')) {
        const pool = await loadPhotoPool(o.photos, { exclude: new Set(o.exclude), maxSide: o.maxSide, device: o.device });
        try {
          s.local = new RenderedPairs(pool, o);
        } catch (e) {
          for (const p of pool) p.image.dispose();
          throw e;
        }
        s.photos = pool.length;
      } else {
        await s.startWorker();
      }
      return s;
    } catch (e) {
      s.dispose();
      throw e;
    }
  }

  get photoCount(): number {
    return this.photos;
  }

  get position(): RenderedPosition {
    return { step: this.stepNo, seed: this.o.seed, photos: this.photos };
  }

  restore(p: RenderedPosition): void {
    checkPosition(p, this.o.seed, this.photos);
    this.stepNo = p.step;
    this.ahead.clear(); // replies still in flight are ignored when they land
  }

  async next(): Promise<RenderBatch> {
    const step = this.stepNo++;
    if (this.local) {
      const b = await this.local.batchAt(step);
      return { blurry: b.blurry, sharp: b.sharp, files: [], epoch: 0, index: step };
    }
    for (let s = step; s < step + this.o.prefetch; s++) if (!this.ahead.has(s)) this.ahead.set(s, this.request(`batch:${s}`, { kind: 'batch', step: s }));
    const reply = await this.ahead.get(step)!;
    this.ahead.delete(step);
    if (reply.kind !== 'batch') throw new Error(`render worker: unexpected reply '${reply.kind}'`);
    return { ...fromWire(reply.data), files: [], epoch: 0, index: step };
  }

  /** n validation pairs from the photos' held-out squares (the same for every run of this seed). */
  async validation(n: number): Promise<{ blurry: Tensor; sharp: Tensor }> {
    if (this.local) return this.local.validation(n);
    const reply = await this.request(`validation:${n}`, { kind: 'validation', n });
    if (reply.kind !== 'validation') throw new Error(`render worker: unexpected reply '${reply.kind}'`);
    return fromWire(reply.data);
  }

  /** `using` releases it at the end of the block (as dispose()). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    this.local?.dispose();
    this.local = undefined;
    if (this.child) {
      this.child.removeAllListeners('exit');
      this.child.kill();
      this.child = undefined;
    }
  }

  private async startWorker(): Promise<void> {
    const child = fork(WORKER, [], {
      serialization: 'advanced',
      env: { ...process.env, B2B_THREADS: String(this.o.workerThreads ?? 1) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    child.on('message', (m: WorkerReply & { key: string }) => {
      if (m.kind === 'error') this.settle(m.key, undefined, new Error(m.message));
      else this.settle(m.key, m);
    });
    child.on('exit', (code, signal) => this.fail(new Error(`render worker exited (${signal ?? `code ${code}`})`)));
    child.on('error', (e) => this.fail(e));
    const ready = await this.request('init', { kind: 'init', o: this.o });
    if (ready.kind !== 'ready') throw new Error(`render worker: unexpected reply '${ready.kind}'`);
    this.photos = ready.photos;
  }

  private request(key: string, msg: WorkerRequest): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(key, { resolve, reject });
      this.child!.send({ ...msg, key });
    });
  }

  private settle(key: string, reply?: WorkerReply, error?: Error): void {
    const p = this.pending.get(key);
    if (!p) {
      if (error) this.fail(error);
      return;
    }
    this.pending.delete(key);
    if (error) p.reject(error);
    else p.resolve(reply!);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const [, p] of this.pending) p.reject(e);
    this.pending.clear();
  }
}
