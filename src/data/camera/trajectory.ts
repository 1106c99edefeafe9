// Camera trajectories over one exposure: the image-centre path (pixels) and roll (radians) at N+1
// evenly spaced times, centred so that mid-exposure (t = ½) is the reference pose.
import type { Rng } from '../rng.js';
import type { CameraConfig } from './config.js';

export interface Trajectory {
  /** x, y of the image centre (pixels) at t = k/N, k = 0..N. */
  x: Float64Array;
  y: Float64Array;
  /** Roll angle (radians) at the same times. */
  roll: Float64Array;
  /** Path length (pixels), as drawn. */
  lengthPx: number;
  /** Exposure time (ms), as drawn. */
  exposureMs: number;
}

const N = 128;

function arcLength(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += Math.hypot(x[i]! - x[i - 1]!, y[i]! - y[i - 1]!);
  return s;
}

/** Rescales a path to arc length L and centres it at its mid point. */
function normalise(x: Float64Array, y: Float64Array, L: number): void {
  const len = arcLength(x, y);
  const k = len > 1e-9 ? L / len : 0;
  const mx = x[N / 2]!, my = y[N / 2]!;
  for (let i = 0; i <= N; i++) {
    x[i] = (x[i]! - mx) * k;
    y[i] = (y[i]! - my) * k;
  }
}

function linearPath(rng: Rng, angle: number): [Float64Array, Float64Array] {
  const x = new Float64Array(N + 1), y = new Float64Array(N + 1);
  for (let i = 0; i <= N; i++) {
    x[i] = Math.cos(angle) * i;
    y[i] = Math.sin(angle) * i;
  }
  return [x, y];
}

/** A cubic Bézier with random control points: gently curved motion. */
function smoothPath(rng: Rng): [Float64Array, Float64Array] {
  const p = Array.from({ length: 4 }, () => [rng.normal(), rng.normal()] as const);
  const x = new Float64Array(N + 1), y = new Float64Array(N + 1);
  for (let i = 0; i <= N; i++) {
    const t = i / N, u = 1 - t;
    const w = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
    x[i] = w.reduce((s, wi, j) => s + wi * p[j]![0], 0);
    y[i] = w.reduce((s, wi, j) => s + wi * p[j]![1], 0);
  }
  return [x, y];
}

/** Hand shake: a velocity random walk with momentum (tremor and drift). */
function shakePath(rng: Rng): [Float64Array, Float64Array] {
  const x = new Float64Array(N + 1), y = new Float64Array(N + 1);
  let vx = rng.normal(), vy = rng.normal();
  for (let i = 1; i <= N; i++) {
    vx = 0.9 * vx + 0.45 * rng.normal();
    vy = 0.9 * vy + 0.45 * rng.normal();
    x[i] = x[i - 1]! + vx;
    y[i] = y[i - 1]! + vy;
  }
  return [x, y];
}

/** Tremor jitter: three sinusoids whose frequencies (Hz) are drawn from hz, over an exposure of ms. */
function jitterPath(rng: Rng, hz: readonly [number, number], ms: number): [Float64Array, Float64Array] {
  const x = new Float64Array(N + 1), y = new Float64Array(N + 1);
  for (let c = 0; c < 3; c++) {
    const f = (rng.uniform(hz[0], hz[1]) * ms) / 1000, ax = rng.normal(), ay = rng.normal(), ph = rng.uniform(0, 2 * Math.PI);
    for (let i = 0; i <= N; i++) {
      const s = Math.sin(2 * Math.PI * f * (i / N) + ph);
      x[i] = x[i]! + ax * s;
      y[i] = y[i]! + ay * s;
    }
  }
  return [x, y];
}

/** Draws one exposure's trajectory for the camera. */
export function drawTrajectory(cam: CameraConfig, rng: Rng): Trajectory {
  const t = cam.trajectory;
  const exposureMs = rng.uniform(cam.exposureMs[0], cam.exposureMs[1]);
  const L = rng.uniform(t.speedPxPerMs[0], t.speedPxPerMs[1]) * exposureMs;
  let base: [Float64Array, Float64Array];
  switch (t.kind) {
    case 'linear': base = linearPath(rng, rng.uniform(0, Math.PI)); break;
    case 'smooth': base = smoothPath(rng); break;
    case 'shake': base = shakePath(rng); break;
    case 'pan': {
      // Mostly horizontal travel (within ±15°) with a vertical bounce of 1–2 cycles.
      base = linearPath(rng, rng.uniform(-Math.PI / 12, Math.PI / 12));
      const cycles = rng.uniform(1, 2), amp = rng.uniform(0.1, 0.3) * N, ph = rng.uniform(0, 2 * Math.PI);
      for (let i = 0; i <= N; i++) base[1][i] = base[1][i]! + amp * Math.sin(2 * Math.PI * cycles * (i / N) + ph);
      break;
    }
  }
  normalise(base[0], base[1], L);
  const x = base[0], y = base[1];
  if (t.jitter > 0) {
    const [jx, jy] = jitterPath(rng, t.jitterHz, exposureMs);
    normalise(jx, jy, L);
    for (let i = 0; i <= N; i++) {
      x[i] = (1 - t.jitter) * x[i]! + t.jitter * jx[i]!;
      y[i] = (1 - t.jitter) * y[i]! + t.jitter * jy[i]!;
    }
  }
  const rollTotal = (rng.uniform(t.rollDeg[0], t.rollDeg[1]) * Math.PI) / 180 * (rng.next() < 0.5 ? -1 : 1);
  const roll = new Float64Array(N + 1);
  for (let i = 0; i <= N; i++) roll[i] = rollTotal * (i / N - 0.5);
  return { x, y, roll, lengthPx: L, exposureMs };
}

/** Pose at time t ∈ [0, 1] (linear interpolation between samples; clamped outside). */
export function poseAt(tr: Trajectory, t: number): { x: number; y: number; roll: number } {
  const u = Math.min(Math.max(t, 0), 1) * N;
  const i = Math.min(Math.floor(u), N - 1), f = u - i;
  const lerp = (a: Float64Array): number => a[i]! * (1 - f) + a[i + 1]! * f;
  return { x: lerp(tr.x), y: lerp(tr.y), roll: lerp(tr.roll) };
}

/** A static camera (no motion): for tests and the sharp reference frame. */
export function stillTrajectory(): Trajectory {
  return { x: new Float64Array(N + 1), y: new Float64Array(N + 1), roll: new Float64Array(N + 1), lengthPx: 0, exposureMs: 1 };
}
