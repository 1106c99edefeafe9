// A run's weights at one of its checkpoints (best validation or latest) as a standalone weights file,
// the same form as the run's final model.safetensors: for picking a checkpoint by hand.
import { join } from 'node:path';
import { buildDeblurrer, buildKernelWizard, buildTranslator, parseArch, type ArchId } from '../models/index.js';
import type { Module } from '../nn/index.js';
import { loadWeights, readWeightsMetadata, saveWeights } from '../io/weights.js';
import { buildArch } from '../models/arch.js';
import { archOf, weightsFile } from '../infer/load.js';
import { scope } from '../tensor/index.js';
import { FLOAT_DTYPES } from '../tensor/dtype.js';
import { RunDir } from './run.js';
import { loadModelFromCheckpoint } from './checkpoint.js';

/** What each run kind's checkpoint holds: the part to export, how to build it, the weights' kind. */
const EXPORTABLE: Record<string, { part: string; build: (arch: ArchId) => Module; kind: string }> = {
  translator: { part: 'g', build: buildTranslator, kind: 'translator' },
  deblur: { part: 'model', build: buildDeblurrer, kind: 'deblurrer' },
  kernel: { part: 'model', build: buildKernelWizard, kind: 'kernel-wizard' },
};

function save(out: string, model: Module, meta: Record<string, string>, half: boolean): void {
  if (!half) return saveWeights(out, model.stateDict(), meta);
  scope(() =>
    saveWeights(out, new Map([...model.stateDict()].map(([k, t]) => [k, FLOAT_DTYPES.includes(t.dtype) ? t.half() : t])), {
      ...meta,
      stored: 'float16',
    }),
  );
}

export type ExportWhich = 'best' | 'latest' | 'final';

/**
 * `best` / `latest`: the model out of that checkpoint (translator, deblur and kernel runs); `final`:
 * the run's model.safetensors as it is (any run, CycleGAN's included), e.g. to store it at half size.
 * `half`: floating tensors stored as float16 (half the size; loading casts them back to float32).
 */
export function exportCheckpoint(
  runDir: string,
  which: ExportWhich,
  out: string,
  o: { half?: boolean } = {},
): { step: number; arch: ArchId; file: string } {
  const run = RunDir.open(runDir);
  if (which === 'final') {
    const file = weightsFile(runDir),
      meta = readWeightsMetadata(file),
      arch = archOf(file);
    const model = buildArch(arch);
    try {
      scope(() => model.loadStateDict(loadWeights(file), {}, file));
      save(out, model, { ...meta, source: file }, o.half ?? false);
      return { step: Number(meta.steps ?? NaN), arch, file };
    } finally {
      model.dispose();
    }
  }
  const cfg = run.config<{ kind?: string; arch?: string; inputSigma?: number }>();
  const how = EXPORTABLE[cfg.kind ?? ''];
  if (!how || !cfg.arch)
    throw new Error(
      `${join(runDir, 'config.json')}: a ${cfg.kind ?? 'unknown'} run; export handles ${Object.keys(EXPORTABLE).join(', ')} runs`,
    );
  const arch = parseArch(cfg.arch);
  const file = which === 'best' ? run.best : run.latest;
  const model = how.build(arch);
  try {
    const step = loadModelFromCheckpoint(file, how.part, model);
    const meta: Record<string, string> = {
      arch,
      kind: how.kind,
      steps: String(step),
      source: `${file} (${which} checkpoint, step ${step})`,
    };
    if (cfg.inputSigma) meta.input_sigma = String(cfg.inputSigma); // the translator's fixed input blur is part of the model
    save(out, model, meta, o.half ?? false);
    return { step, arch, file };
  } finally {
    model.dispose();
  }
}
