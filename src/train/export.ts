// A run's weights at one of its checkpoints (best validation or latest) as a standalone weights file,
// the same form as the run's final model.safetensors: for picking a checkpoint by hand.
import { join } from 'node:path';
import { parseArch, type ArchId } from '../models/index.js';
import type { Module } from '../nn/index.js';
import { saveWeights } from '../io/weights.js';
import { RunDir } from './run.js';
import { loadModelFromCheckpoint } from './checkpoint.js';
import { buildTranslator } from './translator.js';
import { buildDeblurrer } from './deblur.js';
import { buildKernelWizard } from './kernel.js';

/** What each run kind's checkpoint holds: the part to export, how to build it, the weights' kind. */
const EXPORTABLE: Record<string, { part: string; build: (arch: ArchId) => Module; kind: string }> = {
  translator: { part: 'g', build: buildTranslator, kind: 'translator' },
  deblur: { part: 'model', build: buildDeblurrer, kind: 'deblurrer' },
  kernel: { part: 'model', build: buildKernelWizard, kind: 'kernel-wizard' },
};

export function exportCheckpoint(runDir: string, which: 'best' | 'latest', out: string): { step: number; arch: ArchId; file: string } {
  const run = RunDir.open(runDir);
  const cfg = run.config<{ kind?: string; arch?: string }>();
  const how = EXPORTABLE[cfg.kind ?? ''];
  if (!how || !cfg.arch) throw new Error(`${join(runDir, 'config.json')}: a ${cfg.kind ?? 'unknown'} run; export handles ${Object.keys(EXPORTABLE).join(', ')} runs`);
  const arch = parseArch(cfg.arch);
  const file = which === 'best' ? run.best : run.latest;
  const model = how.build(arch);
  try {
    const step = loadModelFromCheckpoint(file, how.part, model);
    saveWeights(out, model.stateDict(), { arch, kind: how.kind, steps: String(step), source: `${file} (${which} checkpoint, step ${step})` });
    return { step, arch, file };
  } finally {
    model.dispose();
  }
}
