// Checkpoints: one safetensors file per save holding the model's state dict (model.*), the optimiser's
// moments (optim.m.i / optim.v.i) and, in its metadata, everything else a resume needs (step, optimiser
// step and rate, schedule position, data-loader position, guard state) as JSON. Written atomically
// (temp file + rename), so an interrupted save never replaces the last good checkpoint.
import { existsSync } from 'node:fs';
import { noGrad, scope, type Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import type { Adam } from '../optim/index.js';
import { loadWeights, readWeightsMetadata, saveWeights } from '../io/weights.js';

export interface TrainState {
  step: number;
  /** Multiplier on the schedule's rate (lowered by the NaN guard). */
  lrScale: number;
  loader: unknown;
  best?: number;
  extra?: Record<string, unknown>;
}

interface Optimised {
  name: string;
  model: Module;
  optimizer: Adam;
}

/** Saves models (prefixed by name) with their optimisers and the training state. */
export function saveCheckpoint(file: string, parts: readonly Optimised[], state: TrainState): void {
  const sd = new Map<string, Tensor>();
  for (const { name, model, optimizer } of parts) {
    for (const [k, t] of model.stateDict()) sd.set(`${name}.${k}`, t);
    const st = optimizer.state();
    st.expAvg.forEach((t, i) => sd.set(`${name}.optim.m.${i}`, t));
    st.expAvgSq.forEach((t, i) => sd.set(`${name}.optim.v.${i}`, t));
  }
  const optim = Object.fromEntries(parts.map((p) => [p.name, { step: p.optimizer.step, lr: p.optimizer.lr }]));
  saveWeights(file, sd, { state: JSON.stringify(state), optim: JSON.stringify(optim), format: 'blur2blur-checkpoint-1' });
}

/** One model's tensors out of a checkpoint's (prefix `name.`, optimiser moments left out). */
function partWeights(all: Map<string, Tensor>, name: string): Map<string, Tensor> {
  const own = new Map<string, Tensor>();
  for (const [k, t] of all) if (k.startsWith(`${name}.`) && !k.startsWith(`${name}.optim.`)) own.set(k.slice(name.length + 1), t);
  return own;
}

/** Loads one model (saved under `name`) from a checkpoint into `model`; returns the checkpoint's step. */
export function loadModelFromCheckpoint(file: string, name: string, model: Module): number {
  const meta = readWeightsMetadata(file);
  if (meta.format !== 'blur2blur-checkpoint-1' || !meta.state) throw new Error(`${file}: not a blur2blur training checkpoint`);
  const all = loadWeights(file);
  try {
    model.loadStateDict(partWeights(all, name), {}, file);
  } finally {
    for (const t of all.values()) t.dispose();
  }
  return (JSON.parse(meta.state) as TrainState).step;
}

/** Restores models and optimisers in place and returns the training state. */
export function loadCheckpoint(file: string, parts: readonly Optimised[]): TrainState {
  if (!existsSync(file)) throw new Error(`${file}: no such checkpoint`);
  const meta = readWeightsMetadata(file);
  if (meta.format !== 'blur2blur-checkpoint-1' || !meta.state || !meta.optim)
    throw new Error(`${file}: not a blur2blur training checkpoint`);
  const optim = JSON.parse(meta.optim) as Record<string, { step: number; lr: number }>;
  const all = loadWeights(file);
  try {
    for (const { name, model, optimizer } of parts) {
      model.loadStateDict(partWeights(all, name), {}, file);
      const n = model.parameters().length;
      const get = (k: string): Tensor => {
        const t = all.get(k);
        if (!t) throw new Error(`${file}: missing optimiser tensor ${k}`);
        return t;
      };
      const o = optim[name];
      if (!o) throw new Error(`${file}: no optimiser state for '${name}'`);
      noGrad(() =>
        scope(() =>
          optimizer.loadState({
            step: o.step,
            lr: o.lr,
            expAvg: Array.from({ length: n }, (_, i) => get(`${name}.optim.m.${i}`)),
            expAvgSq: Array.from({ length: n }, (_, i) => get(`${name}.optim.v.${i}`)),
          }),
        ),
      );
    }
  } finally {
    for (const t of all.values()) t.dispose();
  }
  return JSON.parse(meta.state) as TrainState;
}
